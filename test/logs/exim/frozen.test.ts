import { describe, expect, test } from "vitest";
import type { FrozenEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1tAAAE-000005-AA";

function frozenEvents(lines: string[]): FrozenEvent[] {
  return runParser(createEximParser, lines).events.filter(
    (event): event is FrozenEvent => event.type === "frozen",
  );
}

describe("Exim frozen messages", () => {
  test("freeze, repeats and thaw", () => {
    const events = frozenEvents([
      `2026-03-01 10:30:00 ${ID} <= <> R=1tAAAD-000004-AA U=Debian-exim P=local S=4000`,
      `2026-03-01 10:30:01 ${ID} Frozen (delivery error message)`,
      `2026-03-01 11:00:00 ${ID} Message is frozen`,
      `2026-03-01 11:30:00 ${ID} Message is frozen`,
      `2026-03-01 12:00:00 ${ID} Unfrozen by errmsg timer`,
    ]);

    expect(events.map((event) => event.frozen)).toEqual([true, false]);
    expect(events[0]?.position.line).toBe(2);
    expect(events[0]?.message.id).toBe(ID);
    expect(events[1]?.time).toBe(Date.UTC(2026, 2, 1, 12, 0, 0));
  });

  test("message first seen frozen", () => {
    const events = frozenEvents([`2026-03-01 11:00:00 ${ID} Message is frozen`]);

    expect(events).toHaveLength(1);
    expect(events[0]?.frozen).toBe(true);
  });

  test.each(["Completed", "removed by root"])("%s ends a frozen message", (end) => {
    const events = frozenEvents([
      `2026-03-01 10:30:01 ${ID} frozen by root`,
      `2026-03-01 10:40:00 ${ID} ${end}`,
    ]);

    expect(events.map((event) => event.frozen)).toEqual([true, false]);
  });

  test("completed message never frozen makes no event", () => {
    const events = frozenEvents([
      `2026-03-01 10:30:00 ${ID} <= a@example.com U=a P=local S=100`,
      `2026-03-01 10:30:01 ${ID} Completed`,
    ]);

    expect(events).toEqual([]);
  });
});
