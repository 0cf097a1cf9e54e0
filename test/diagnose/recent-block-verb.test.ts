import { describe, expect, test } from "vitest";
import type { ProviderVerdict, ReplyEvidence } from "../../src/diagnose/types.js";
import { recentBlockVerb } from "../../src/diagnose/verdict.js";

const LOG_END = Date.parse("2026-03-12T12:00:00Z");

/** Returns a reply at `time`, because only the time matters to `recentBlockVerb`. */
function reply(time: string): ReplyEvidence {
  return { time } as ReplyEvidence;
}

/**
 * Returns a verdict whose latest rejection and deferral came at the given times (null for
 * none).
 */
function verdict(lastRejection: string | null, lastDeferral: string | null): ProviderVerdict {
  const times = [lastRejection, lastDeferral].filter((time) => time !== null).sort();
  const last = times.at(-1) ?? null;
  return {
    firstPermanentBlock: lastRejection === null ? null : reply(lastRejection),
    lastPermanentBlock: lastRejection === null ? null : reply(lastRejection),
    lastTemporaryBlock: lastDeferral === null ? null : reply(lastDeferral),
    lastBlock: last === null ? null : reply(last),
  } as ProviderVerdict;
}

describe("recentBlockVerb", () => {
  test.each([
    ["deferral in the window", verdict("2026-03-11T02:00:00Z", "2026-03-12T11:00:00Z"), "deferred"],
    [
      "both in the window",
      verdict("2026-03-12T11:30:00Z", "2026-03-12T11:00:00Z"),
      "rejected or deferred",
    ],
    [
      "latest reply a deferral",
      verdict("2026-03-11T02:00:00Z", "2026-03-12T08:00:00Z"),
      "deferred",
    ],
    [
      "latest reply a rejection",
      verdict("2026-03-12T08:00:00Z", "2026-03-11T02:00:00Z"),
      "rejected",
    ],
    ["only deferrals, long ago", verdict(null, "2026-03-12T08:00:00Z"), "deferred"],
  ])("%s", (_name, provider, expected) => {
    expect(recentBlockVerb(provider, LOG_END)).toBe(expected);
  });
});
