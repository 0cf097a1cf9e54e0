import { describe, expect, test } from "vitest";
import type { Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import {
  GMAIL_UNSOLICITED,
  HOUR,
  PostfixLog,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";

/** Gmail's rejection for the DMARC policy of the From domain. */
const DMARC_REJECT =
  "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC 550-5.7.26 policy. Please contact the administrator of example.org domain if this 550-5.7.26 was a legitimate mail. To learn about the DMARC initiative, go to 550 5.7.26  https://support.google.com/mail/?p=DmarcRejection d2si5 - gsmtp";

/** Gmail's rejection for failed SPF of the envelope sender domain. */
const SPF_REJECT =
  "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail 550-5.7.26 requires all senders to authenticate with either SPF or DKIM. 550-5.7.26 Authentication results: DKIM = did not pass SPF [example.org] with ip: 550-5.7.26 [192.0.2.25] = did not pass 550 5.7.26 e3si6 - gsmtp";

/** Gmail's deferral of a message whose content or links look like spam. */
const GMAIL_SUSPICIOUS: Outcome = {
  status: "deferred",
  dsn: "4.7.0",
  reply:
    "421-4.7.0 [203.0.113.10      12] This message is suspicious due to the nature of the 421-4.7.0 content or the links within. To best protect our users from spam, the 421-4.7.0 message has been blocked. For more information, go to 421 4.7.0  https://support.google.com/mail/?p=UnsolicitedMessageError f4si7 - gsmtp",
};

/**
 * Writes a Postfix log of mail from news@example.org that arrived for alice@example.com and
 * was forwarded to Gmail, which answered each message with the next of `outcomes`. A local
 * delivery makes example.com a local domain.
 */
function forwardedLog(outcomes: readonly Outcome[]): string {
  const log = new PostfixLog("mx1.example.com");
  let serial = 0;
  const line = (time: number, program: string, text: string): void => {
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    log.raw(time, `${stamp} mx1.example.com ${program}[${1000 + serial}]: ${text}`);
  };
  const receive = (time: number, id: string, delivery: string): void => {
    line(time, "postfix/smtpd", `${id}: client=mail.example.org[198.51.100.7]`);
    line(time, "postfix/cleanup", `${id}: message-id=<${id}@example.org>`);
    line(time, "postfix/qmgr", `${id}: from=<news@example.org>, size=2000, nrcpt=1 (queue active)`);
    line(
      time + 1000,
      delivery.includes("relay=local") ? "postfix/local" : "postfix/smtp",
      delivery,
    );
    line(time + 2000, "postfix/qmgr", `${id}: removed`);
  };

  receive(
    T0,
    "0A1B2C3D40",
    "0A1B2C3D40: to=<bob@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)",
  );
  for (const { status, dsn, reply } of outcomes) {
    serial += 1;
    const id = (0x5000000000 + serial).toString(16).toUpperCase();
    receive(
      T0 + serial * 60_000,
      id,
      `${id}: to=<alice.private@gmail.com>, orig_to=<alice@example.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=${dsn}, status=${status} (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${reply} (in reply to end of DATA command))`,
    );
  }
  return log.text();
}

async function findingOf(
  outcomes: readonly Outcome[],
  id: Finding["id"],
): Promise<Finding | undefined> {
  const diagnosis = await diagnoseText(forwardedLog(outcomes), { now: T0 + 48 * HOUR });
  return diagnosis.findings.find((finding) => finding.id === id);
}

/** Returns `count` bounces with the Gmail reply `reply` and DSN 5.7.26. */
function bounces(reply: string, count: number): Outcome[] {
  return Array.from({ length: count }, () => ({ status: "bounced", dsn: "5.7.26", reply }));
}

function authenticationOf(reply: string): Promise<Finding | undefined> {
  return findingOf(bounces(reply, 12), "authentication");
}

describe("authentication of forwarded mail", () => {
  test("DMARC rejection: inbound check first", async () => {
    const finding = await authenticationOf(DMARC_REJECT);
    expect(finding?.evidence).toMatchObject({ onlyForwardedMail: true });
    expect(finding?.fix[0]).toMatch(/^Check DMARC on inbound mail/);
    expect(finding?.fix[0]).toContain("OpenDMARC");
  });

  test("DMARC rejection: no SRS step", async () => {
    const finding = await authenticationOf(DMARC_REJECT);
    const offers = (finding?.fix ?? []).filter((step) => /\bwith SRS\b|\bpostsrsd\b/.test(step));
    expect(offers).toEqual([]);
    expect(finding?.fix.some((step) => step.includes("ARC"))).toBe(true);
  });

  test("SPF rejection keeps SRS", async () => {
    const finding = await authenticationOf(SPF_REJECT);
    expect(finding?.evidence).toMatchObject({ onlyForwardedMail: true });
    const srs = (finding?.fix ?? []).filter((step) => step.includes("with SRS"));
    expect(srs).toHaveLength(1);
    expect(srs[0]).toContain("postsrsd");
    expect(finding?.fix.join("\n")).not.toContain("Check DMARC on inbound mail");
  });

  test("readiness leaves own records unchecked", async () => {
    const diagnosis = await diagnoseText(forwardedLog(bounces(DMARC_REJECT, 12)), {
      now: T0 + 48 * HOUR,
    });
    const item = diagnosis.readiness.items.find((entry) => entry.id === "spf-dkim-dmarc");
    expect(item?.status).toBe("not-checked");
    expect(item?.detail).toContain("only forwarded mail of other domains");
  });
});

describe("spam-content of forwarded mail", () => {
  const outcomes = [
    ...Array.from({ length: 8 }, () => GMAIL_UNSOLICITED),
    ...Array.from({ length: 6 }, () => GMAIL_SUSPICIOUS),
  ];

  test("first step names the aliases", async () => {
    const finding = await findingOf(outcomes, "spam-content");
    expect(finding?.fix[0]).toContain("alice@example.com → alice.private@gmail.com");
    expect(finding?.fix[0]).toContain("forwarding finding");
    expect(finding?.fix.join("\n")).not.toContain("sender, account or script");
    expect(finding?.evidence).toMatchObject({ forwardedReplies: 14 });
  });

  test("counts rejections and deferrals apart", async () => {
    const finding = await findingOf(outcomes, "spam-content");
    expect(finding?.title).toBe("Gmail rejects messages as spam");
    expect(finding?.summary).toMatch(/^8 rejections and 6 deferrals judged the mail itself/);
  });
});
