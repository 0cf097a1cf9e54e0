import { describe, expect, test } from "vitest";
import { evidenceLines } from "../../src/report/evidence.js";

/** Builds the burst evidence of a `compromised-account` finding judged as `clientSpread`. */
function burst(clientSpread: string): object {
  return {
    kind: "sending-burst",
    clientSpread,
    account: "crm@example.com",
    abuseStart: "2026-03-04T09:01:00Z",
    abuseEnd: "2026-03-04T11:03:00Z",
    abusiveSubmissions: 16,
    abusiveRecipients: 480,
    baselineRecipientsPerHour: 1,
    baselineSource: "other-accounts",
  };
}

function labels(evidence: object): string[] {
  return evidenceLines(evidence).map(([label]) => label);
}

describe("compromised-account evidence labels", () => {
  test.each(["pool", "accepted-spread", "rejected-pool"])("%s reads as a burst", (spread) => {
    const shown = labels(burst(spread));

    expect(shown).toContain("Burst started");
    expect(shown).toContain("Last burst submission");
    expect(shown).toContain("Submissions from new IPs");
    expect(shown.some((label) => label.startsWith("Abus"))).toBe(false);
  });

  test("stolen password reads as abuse", () => {
    const shown = labels(burst("spread"));

    expect(shown).toContain("Abuse started");
    expect(shown).toContain("Last abusive submission");
    expect(shown).toContain("Abusive submissions");
  });

  test("pool keeps the baseline label", () => {
    expect(labels(burst("pool"))).toContain("Typical account's peak");
  });
});
