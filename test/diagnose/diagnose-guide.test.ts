import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTAGE_MIN_FAILURES } from "../../src/analysis/providers.js";
import { OTHER_MIN_DOMAINS } from "../../src/diagnose/few-domains.js";
import { HELD_MIN_LINES } from "../../src/diagnose/held-mail.js";
import {
  BLOCK_LIFTED_DELIVERIES,
  LIFT_RULE_TEXT,
  ONGOING_WINDOW_MS,
  QUIET_LIFT_DELIVERIES,
  QUIET_LIFT_MS,
  RECOVERY_DELIVERIES,
  RECOVERY_MS,
} from "../../src/diagnose/verdict.js";

const DIAGNOSE_GUIDE = readFileSync(
  new URL("../../docs/diagnose.md", import.meta.url),
  "utf8",
).replace(/\s+/g, " ");
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

describe("diagnose guide", () => {
  it("states the lift rule's numbers", () => {
    expect(DIAGNOSE_GUIDE).toContain(
      `accept at least ${BLOCK_LIFTED_DELIVERIES} deliveries from that host over at least ${ONGOING_WINDOW_MS / HOUR_MS} hours`,
    );
    expect(DIAGNOSE_GUIDE).toContain(
      `accepted every attempt from that host, at least ${QUIET_LIFT_DELIVERIES} of them, and the last block reply came at least ${QUIET_LIFT_MS / HOUR_MS} hours before the end of the log`,
    );
    expect(DIAGNOSE_GUIDE).toContain(LIFT_RULE_TEXT);
  });

  it("states the outage rule's numbers", () => {
    expect(DIAGNOSE_GUIDE).toContain(
      `accepted at least ${RECOVERY_DELIVERIES} deliveries over at least ${RECOVERY_MS / MINUTE_MS} minutes`,
    );
    expect(DIAGNOSE_GUIDE).toContain(`at least ${OUTAGE_MIN_FAILURES} attempts in a row`);
    expect(DIAGNOSE_GUIDE).toContain(`at least ${OTHER_MIN_DOMAINS} of their domains`);
  });

  it("states the held-mail rule's number", () => {
    expect(DIAGNOSE_GUIDE).toContain(`it takes at least ${HELD_MIN_LINES} such lines`);
  });
});
