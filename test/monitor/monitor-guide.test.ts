import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BLOCK_LIFTED_DELIVERIES,
  ONGOING_WINDOW_MS,
  QUIET_LIFT_DELIVERIES,
  QUIET_LIFT_MS,
} from "../../src/diagnose/verdict.js";
import { describePastBlock } from "../../src/store/changes.js";

const MONITOR_GUIDE = readFileSync(
  new URL("../../docs/monitor.md", import.meta.url),
  "utf8",
).replace(/\s+/g, " ");
const HOUR_MS = 60 * 60 * 1000;

describe("monitor guide", () => {
  it("states the lift rule's numbers", () => {
    expect(MONITOR_GUIDE).toContain(
      `accepted ${BLOCK_LIFTED_DELIVERIES} deliveries after its last`,
    );
    expect(MONITOR_GUIDE).toContain(
      `at least ${ONGOING_WINDOW_MS / HOUR_MS} hours of log time later`,
    );
    expect(MONITOR_GUIDE).toContain(
      `every attempt after that reply, at least ${QUIET_LIFT_DELIVERIES}, and the latest log line read is at least ${QUIET_LIFT_MS / HOUR_MS} hours of log time after it`,
    );
  });

  it("quotes the past-block alert", () => {
    const summary = describePastBlock("gmail 192.0.2.1", "blocked", 0, HOUR_MS);
    const opening = summary.slice(0, summary.indexOf(":"));
    expect(opening).toBe("Block already over");
    expect(MONITOR_GUIDE).toContain(`"${opening}: …"`);
  });
});
