import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { HOUR, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

const OPEN_RESOLVER: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org; " +
    "Error: open resolver; https://check.spamhaus.org/returnc/pub/192.0.2.210",
};

const LISTED: Outcome = {
  status: "bounced",
  dsn: "5.7.1",
  reply:
    "554 5.7.1 Service unavailable; Client host [203.0.113.10] blocked using zen.spamhaus.org; " +
    "https://www.spamhaus.org/query/ip/203.0.113.10",
};

/** Builds a day of accepted mail, then three rejections with `outcome` from a small receiver. */
function logWith(outcome: Outcome): string {
  const log = new PostfixLog();
  log.submitHourly();
  for (let i = 0; i < 3; i++) {
    log.submit({
      time: T0 + 23 * HOUR + i * 60_000,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `user${i}@example.net`, outcome }],
    });
  }
  return log.text();
}

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { now: T0 + 48 * HOUR });
}

describe("refused DNSBL query at the receiver", () => {
  test("raises no ip-blocklisted finding", async () => {
    const diagnosis = await diagnose(logWith(OPEN_RESOLVER));
    const ids = diagnosis.findings.map((finding) => finding.id);
    expect(ids).not.toContain("ip-blocklisted");
  });

  test("still raises ip-blocklisted for a listing", async () => {
    const diagnosis = await diagnose(logWith(LISTED));
    const ids = diagnosis.findings.map((finding) => finding.id);
    expect(ids).toContain("ip-blocklisted");
  });
});
