import { describe, expect, test } from "vitest";
import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import { GMAIL_UNSOLICITED, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

/**
 * Writes 30 spam messages from forged senders that the alias ann@example.com forwards to
 * Gmail without SRS. Gmail rejects each, and the server bounces it to `bounceTo(index)`, as
 * Postfix logs a non-delivery notification. A local delivery makes example.com a local domain.
 */
function rejectedForwards(bounceTo: (index: number) => string): string {
  const log = new PostfixLog("mx1.example.com");
  const line = (time: number, program: string, text: string): void => {
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    log.raw(time, `${stamp} mx1.example.com ${program}[2000]: ${text}`);
  };
  line(T0, "postfix/smtpd", "0A1B2C3D40: client=mail.example.org[198.51.100.7]");
  line(
    T0,
    "postfix/qmgr",
    "0A1B2C3D40: from=<news@example.org>, size=2000, nrcpt=1 (queue active)",
  );
  line(
    T0 + 1000,
    "postfix/local",
    "0A1B2C3D40: to=<bob@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)",
  );
  for (let index = 0; index < 30; index++) {
    const time = T0 + HOUR + index * 60_000;
    const id = (0x5000000000 + index).toString(16).toUpperCase();
    const bounceId = (0x6000000000 + index).toString(16).toUpperCase();
    line(time, "postfix/smtpd", `${id}: client=unknown[203.0.113.${index + 10}]`);
    line(
      time,
      "postfix/qmgr",
      `${id}: from=<promo${index}@forged${index}.example.net>, size=4000, nrcpt=1 (queue active)`,
    );
    line(
      time + 1000,
      "postfix/smtp",
      `${id}: to=<ann.private@gmail.com>, orig_to=<ann@example.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=5.7.1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.27] said: ${GMAIL_UNSOLICITED.reply} (in reply to end of DATA command))`,
    );
    line(time + 1000, "postfix/bounce", `${id}: sender non-delivery notification: ${bounceId}`);
    line(time + 1000, "postfix/qmgr", `${bounceId}: from=<>, size=5000, nrcpt=1 (queue active)`);
    line(
      time + 2000,
      "postfix/smtp",
      `${bounceId}: to=<${bounceTo(index)}>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    );
    line(time + 2000, "postfix/qmgr", `${id}: removed`);
    line(time + 3000, "postfix/qmgr", `${bounceId}: removed`);
  }
  return log.text();
}

function forwardingOf(diagnosis: Diagnosis): Finding | undefined {
  return diagnosis.findings.find((finding) => finding.id === "forwarding");
}

describe("forwarding backscatter", () => {
  test("bounces to forged senders", async () => {
    const text = rejectedForwards((index) => `promo${index}@forged${index}.example.net`);
    const found = forwardingOf(await diagnoseText(text));
    const evidence = (found?.evidence ?? {}) as { backscatter?: Record<string, unknown> | null };

    expect(evidence.backscatter?.["outside"]).toBe(30);
    expect(evidence.backscatter?.["bounces"]).toBe(30);
    expect(found?.summary).toContain("The server also sent 30 bounces to outside domains");
    expect(found?.summary).toContain("backscatterer.org");
    expect(found?.fix.join("\n")).toContain("reject spam during the SMTP session");
  });

  test("bounces to own domain are none", async () => {
    const found = forwardingOf(await diagnoseText(rejectedForwards(() => "bob@example.com")));
    const evidence = (found?.evidence ?? {}) as { backscatter?: unknown };

    expect(found).toBeDefined();
    expect(evidence.backscatter).toBeNull();
    expect(found?.summary).not.toContain("backscatter");
    expect(found?.fix.join("\n")).not.toContain("backscatterer.org");
  });
});
