import { describe, expect, it } from "vitest";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
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
