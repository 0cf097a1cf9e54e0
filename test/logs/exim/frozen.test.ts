import { describe, expect, test } from "vitest";
import { FrozenAnalyser } from "../../../src/analysis/frozen.js";
import type { FrozenEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1tAAAE-000005-AA";

function frozenEvents(lines: string[], maxOpenMessages?: number): FrozenEvent[] {
  const factory = (sink: Parameters<typeof createEximParser>[0]) =>
    createEximParser(sink, maxOpenMessages);
  return runParser(factory, lines).events.filter(
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

  test.each(["Completed", "removed by root", "Unfrozen by errmsg timer"])(
    "%s ends a frozen message after eviction",
    (end) => {
      // Twenty frozen messages against a table of five open messages: most are evicted before
      // their last line.
      const ids = Array.from(
        { length: 20 },
        (_, index) => `1tF${String(index).padStart(3, "0")}-000001-AA`,
      );
      const events = frozenEvents(
        [
          ...ids.map((id) => `2026-03-01 10:00:00 ${id} Frozen (delivery error message)`),
          ...ids.map((id) => `2026-03-01 11:00:00 ${id} ${end}`),
        ],
        5,
      );
      const analyser = new FrozenAnalyser();
      for (const event of events) analyser.add(event);

      expect(analyser.messages.size).toBe(20);
      expect(analyser.stillFrozen.size).toBe(0);
      expect(analyser.stillFrozenCapped).toBe(false);
    },
  );

  test("end without eviction of unfrozen message makes no event", () => {
    const events = frozenEvents(
      [
        `2026-03-01 10:30:00 ${ID} <= a@example.com U=a P=local S=100`,
        `2026-03-01 10:30:01 1tAAAF-000006-AA Completed`,
      ],
      5,
    );

    expect(events).toEqual([]);
  });
});
