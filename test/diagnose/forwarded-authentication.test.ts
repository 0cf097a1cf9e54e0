import { describe, expect, test } from "vitest";
import type { Finding } from "../../src/diagnose/types.js";
import { diagnoseText } from "../helpers/diagnose-text.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

/** Gmail's rejection for the DMARC policy of the From domain. */
const DMARC_REJECT =
  "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC 550-5.7.26 policy. Please contact the administrator of example.org domain if this 550-5.7.26 was a legitimate mail. To learn about the DMARC initiative, go to 550 5.7.26  https://support.google.com/mail/?p=DmarcRejection d2si5 - gsmtp";

/** Gmail's rejection for failed SPF of the envelope sender domain. */
const SPF_REJECT =
  "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail 550-5.7.26 requires all senders to authenticate with either SPF or DKIM. 550-5.7.26 Authentication results: DKIM = did not pass SPF [example.org] with ip: 550-5.7.26 [192.0.2.25] = did not pass 550 5.7.26 e3si6 - gsmtp";

/**
 * Writes a Postfix log of mail from news@example.org that arrived for alice@example.com and
 * was forwarded to Gmail, which rejected every message with `reply`. A local delivery makes
 * example.com a local domain.
 */
function forwardedLog(reply: string, dsn: string, count: number): string {
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
  for (let index = 0; index < count; index++) {
    serial += 1;
    const id = (0x5000000000 + serial).toString(16).toUpperCase();
    receive(
      T0 + serial * 60_000,
      id,
      `${id}: to=<alice.private@gmail.com>, orig_to=<alice@example.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=${dsn}, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${reply} (in reply to end of DATA command))`,
    );
  }
  return log.text();
}

async function authenticationOf(reply: string, dsn: string): Promise<Finding | undefined> {
  const diagnosis = await diagnoseText(forwardedLog(reply, dsn, 12), { now: T0 + 48 * HOUR });
  return diagnosis.findings.find((finding) => finding.id === "authentication");
}

describe("authentication of forwarded mail", () => {
  test("DMARC rejection: inbound check first", async () => {
    const finding = await authenticationOf(DMARC_REJECT, "5.7.26");
    expect(finding?.evidence).toMatchObject({ onlyForwardedMail: true });
    expect(finding?.fix[0]).toMatch(/^Check DMARC on inbound mail/);
    expect(finding?.fix[0]).toContain("OpenDMARC");
  });

  test("DMARC rejection: no SRS step", async () => {
    const finding = await authenticationOf(DMARC_REJECT, "5.7.26");
    const offers = (finding?.fix ?? []).filter((step) => /\bwith SRS\b|\bpostsrsd\b/.test(step));
    expect(offers).toEqual([]);
    expect(finding?.fix.some((step) => step.includes("ARC"))).toBe(true);
  });

  test("SPF rejection keeps SRS", async () => {
    const finding = await authenticationOf(SPF_REJECT, "5.7.26");
    expect(finding?.evidence).toMatchObject({ onlyForwardedMail: true });
    const srs = (finding?.fix ?? []).filter((step) => step.includes("with SRS"));
    expect(srs).toHaveLength(1);
    expect(srs[0]).toContain("postsrsd");
    expect(finding?.fix.join("\n")).not.toContain("Check DMARC on inbound mail");
  });
});
