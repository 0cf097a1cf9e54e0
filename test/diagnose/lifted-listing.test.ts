import { beforeAll, describe, expect, test } from "vitest";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, type Outcome, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

const MINUTE = 60_000;

const GMAIL_IP_DEFERRAL: Outcome = {
  status: "deferred",
  dsn: "4.7.28",
  reply:
    "421-4.7.28 [192.0.2.10 15] Gmail has detected an unusual rate of unsolicited mail originating 421-4.7.28 from your IP address. To protect our users from spam, mail sent from your IP 421-4.7.28 address has been temporarily rate limited. 421 4.7.28 https://support.google.com/mail/?p=UnsolicitedRateLimitError a1si2 - gsmtp",
};

const GMAIL_IP_BLOCK: Outcome = {
  status: "bounced",
  dsn: "5.7.28",
  reply:
    "550-5.7.28 [192.0.2.10 1] Gmail has detected an unusual rate of unsolicited mail originating 550-5.7.28 from your IP address. To protect our users from spam, mail sent from your IP 550-5.7.28 address has been blocked. 550 5.7.28 https://support.google.com/mail/?p=UnsolicitedIPError b2si3 - gsmtp",
};

/** Sends one message to `address` with `outcome` at `time`. */
function send(log: PostfixLog, time: number, address: string, outcome: Outcome): void {
  log.submit({
    time,
    account: "alice@example.com",
    clientIp: "198.51.100.10",
    recipients: [{ address, outcome }],
  });
}

/**
 * Builds a day in which Gmail defers mail from 09:00, rejects it from 10:00 and defers it again
 * from 11:00 to 11:55, all for the IP's reputation. Gmail then accepts six messages, one an
 * hour from 13:00, and the log ends at 04:00 the next day. Mail to example.net is delivered
 * every hour.
 */
function liftedIpBlockLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour <= 28; hour++)
    send(log, T0 + hour * HOUR, `user${hour}@example.net`, SENT);
  const phases = [GMAIL_IP_DEFERRAL, GMAIL_IP_BLOCK, GMAIL_IP_DEFERRAL];
  phases.forEach((outcome, phase) => {
    for (let step = 0; step < 12; step++) {
      const time = T0 + (9 + phase) * HOUR + step * 5 * MINUTE + 30_000;
      send(log, time, `reader${phase}-${step}@gmail.com`, outcome);
    }
  });
  for (let hour = 13; hour <= 18; hour++)
    send(log, T0 + hour * HOUR + 30_000, `friend${hour}@gmail.com`, SENT);
  return log.text();
}

describe("lifted IP block of Gmail", () => {
  let diagnosis: Diagnosis;

  beforeAll(async () => {
    diagnosis = await diagnoseText(liftedIpBlockLog());
  });

  test("fixture lifts the block", () => {
    expect(diagnosis.verdict.status).toBe("ok");
    expect(diagnosis.providers.gmail?.pastBlock).not.toBeNull();
  });

  test("blocklists item does not fail", () => {
    const item = diagnosis.readiness.items.find((entry) => entry.id === "blocklists");

    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("Gmail accepts mail again since its last block reply at");
    expect(item?.detail).not.toContain("Gmail lists the IP on its own block list");
  });

  test("finding fix offers no removal form", () => {
    const listed = diagnosis.findings.find((entry) => entry.id === "ip-blocklisted");
    const fixes = listed?.fix.join("\n") ?? "";

    expect(listed).toBeDefined();
    expect(fixes).toContain("Find and stop what got the IP listed");
    expect(fixes).not.toContain("gmail_bulk_sender_escalation");
  });
});
