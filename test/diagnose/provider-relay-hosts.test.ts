import { describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

// Exchange Online's DNSSEC-signed MX and Google's Workspace SMTP relay. Only those providers
// run such hosts, so their replies count under the provider and not under other receivers.
const EXO_MX = "example-net.o-v1.mx.microsoft";
const EXO_BAN =
  "550 5.7.606 Access denied, banned sending IP [192.0.2.10]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)";
const GOOGLE_RELAY = "smtp-relay.gmail.com";
const GOOGLE_LIMIT =
  "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852 a1si123 - gsmtp";

/** Adds one bounced delivery through `relay`, as Postfix's smtp client logs it. */
function bounce(log: PostfixLog, time: number, index: number, relay: string, reply: string) {
  const id = (0xa0000 + index).toString(16).toUpperCase().padStart(10, "0");
  const stamp = (at: number) => new Date(at).toISOString().replace("Z", "+00:00");
  log.raw(
    time,
    `${stamp(time)} mail postfix/qmgr[2000]: ${id}: from=<alice@example.com>, size=2000, nrcpt=1 (queue active)`,
  );
  log.raw(
    time + 1000,
    `${stamp(time + 1000)} mail postfix/smtp[2001]: ${id}: to=<user${index}@example.net>, relay=${relay}[192.0.2.202]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.0.0, status=bounced (host ${relay}[192.0.2.202] said: ${reply} (in reply to end of DATA command))`,
  );
  log.raw(time + 2000, `${stamp(time + 2000)} mail postfix/qmgr[2000]: ${id}: removed`);
}

function logThrough(relay: string, reply: string): string {
  const log = new PostfixLog();
  log.submitHourly();
  for (let i = 0; i < 3; i++) bounce(log, T0 + 23 * HOUR + i * 60_000, i, relay, reply);
  return log.text();
}

function diagnose(text: string): Promise<Diagnosis> {
  return diagnoseText(text, { now: T0 + 48 * HOUR });
}

describe("diagnose through provider hosts", () => {
  test("gives Exchange Online's DNSSEC MX its row", async () => {
    const diagnosis = await diagnose(logThrough(EXO_MX, EXO_BAN));
    const row = diagnosis.providers["exchange-online"];
    expect(row?.status).toBe("blocked");
    expect(row?.bounced).toBe(3);
    expect(row?.firstBlock?.ruleId).toBe("exchange-online.banned-ip");
    expect(diagnosis.providers.other).toBeUndefined();
  });

  test("finds the Exchange Online ban", async () => {
    const diagnosis = await diagnose(logThrough(EXO_MX, EXO_BAN));
    expect(diagnosis.verdict.status).toBe("blocked");
    expect(diagnosis.findings.map((finding) => finding.id)).toContain("ip-blocklisted");
  });

  test("keeps the ban's rule behind an unknown relay", async () => {
    const diagnosis = await diagnose(logThrough("mx.example.net", EXO_BAN));
    const row = diagnosis.providers.other;
    // One receiving domain is too few to make the row blocked, but the reply keeps its rule.
    expect(row?.status).toBe("ok");
    expect(row?.fewDomains[0]?.status).toBe("blocked");
    expect(row?.firstBlock?.ruleId).toBe("exchange-online.banned-ip");
    expect(diagnosis.findings.map((finding) => finding.id)).toContain("ip-blocklisted");
  });

  test("gives Google's relay its row", async () => {
    const diagnosis = await diagnose(logThrough(GOOGLE_RELAY, GOOGLE_LIMIT));
    const row = diagnosis.providers["google-workspace"];
    expect(row?.bounced).toBe(3);
    expect(diagnosis.providers.other).toBeUndefined();
  });
});
