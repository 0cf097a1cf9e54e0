import { describe, expect, it } from "vitest";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { isAuthenticatedProtocol } from "../../src/analysis/origins.js";
import { diagnoseText } from "../helpers/diagnose-text.js";

async function sendingDomains(log: PostfixLog): Promise<readonly string[]> {
  const diagnosis = await diagnoseText(log.text(), { now: T0 + 48 * HOUR });
  return diagnosis.server.sendingDomains;
}

// A message relayed for an outside sender: received without SMTP AUTH, sent on to Gmail.
function relay(log: PostfixLog, time: number, id: string, sender: string): void {
  log.raw(
    time,
    `${stamp(time)} mail postfix/smtpd[2001]: ${id}: client=mx.example.net[198.51.100.7]`,
  );
  log.raw(time, `${stamp(time)} mail postfix/cleanup[2002]: ${id}: message-id=<${id}@example.net>`);
  log.raw(
    time,
    `${stamp(time)} mail postfix/qmgr[2003]: ${id}: from=<${sender}>, size=2000, nrcpt=1 (queue active)`,
  );
  log.raw(
    time + 1000,
    `${stamp(time + 1000)} mail postfix/smtp[2004]: ${id}: to=<someone@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
  );
}

function stamp(time: number): string {
  return new Date(time).toISOString().replace("Z", "+00:00");
}

describe("server.sendingDomains", () => {
  it("names the domains of the server's own users, not of relayed senders", async () => {
    const log = new PostfixLog();
    for (let index = 0; index < 3; index++) {
      relay(log, T0 + index * 60_000, `5A0000000${index}`, `partner${index}@example.net`);
    }
    log.submit({
      time: T0 + HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.20",
      recipients: [{ address: "bob@gmail.com" }],
    });
    expect(await sendingDomains(log)).toEqual(["example.com"]);
  });

  it("falls back to every outbound sender's domain when no user is known", async () => {
    const log = new PostfixLog();
    relay(log, T0, "5B00000001", "news@example.net");
    expect(await sendingDomains(log)).toEqual(["example.net"]);
  });
});

/**
 * Builds a Sendmail log of two messages from `sender`, received with protocol `proto` and
 * delivered to Gmail. No `AUTH=server` line names an account.
 */
function sendmailLog(sender: string, proto: string): string {
  return [
    `Mar 10 08:00:00 mx1 sm-mta[4001]: 62A8000001: from=<${sender}>, size=4312, class=0, nrcpts=1, msgid=<62A8000001@example.com>, bodytype=8BITMIME, proto=${proto}, daemon=MTA-MSA, relay=laptop.example.com [198.51.100.7]`,
    `Mar 10 08:00:02 mx1 sm-mta[9001]: 62A8000001: to=<u1@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.201], dsn=2.0.0, stat=Sent (OK 1710058800 x1si2 - gsmtp)`,
    `Mar 10 08:15:00 mx1 sm-mta[4002]: 62A8000002: from=<${sender}>, size=4312, class=0, nrcpts=1, msgid=<62A8000002@example.com>, bodytype=8BITMIME, proto=${proto}, daemon=MTA-MSA, relay=laptop.example.com [198.51.100.7]`,
    `Mar 10 08:15:02 mx1 sm-mta[9002]: 62A8000002: to=<u2@gmail.com>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.201], dsn=2.0.0, stat=Sent (OK 1710059700 x1si3 - gsmtp)`,
    "",
  ].join("\n");
}

async function authenticationCheckDetail(text: string): Promise<string | undefined> {
  const diagnosis = await diagnoseText(text, { year: 2026 });
  return diagnosis.readiness.items.find((item) => item.id === "spf-dkim-dmarc")?.detail;
}

describe("domains of authenticated submissions", () => {
  it("ESMTPSA without account names domain", async () => {
    const detail = await authenticationCheckDetail(sendmailLog("dave@example.com", "ESMTPSA"));
    expect(detail).toContain("`delist check example.com`");
    expect(detail).not.toContain("DOMAIN");
  });

  // Without SMTP AUTH the laptop is a relay client, whose senders name the domain when no
  // account or local program does.
  it("ESMTP relay client names domain", async () => {
    const detail = await authenticationCheckDetail(sendmailLog("dave@example.net", "ESMTP"));
    expect(detail).toContain("`delist check example.net`");
    expect(detail).not.toContain("DOMAIN");
  });
});

describe("isAuthenticatedProtocol", () => {
  it.each(["ESMTPA", "ESMTPSA", "esmtpsa", "LMTPA", "UTF8SMTPA", "utf8esmtpsa"])(
    "%s is one",
    (service) => {
      expect(isAuthenticatedProtocol(service)).toBe(true);
    },
  );

  it.each(["ESMTP", "ESMTPS", "smtpd", "submission/smtpd", "local", "local-esmtp", null])(
    "%s is none",
    (service) => {
      expect(isAuthenticatedProtocol(service)).toBe(false);
    },
  );
});
