import { describe, expect, it } from "vitest";
import { parseReply } from "../../src/reply/parse.js";

// The receivers' MX hosts are 192.0.2.0/24 and the sending server is 203.0.113.5 throughout.

describe("judged IP of an MTA's own connection errors", () => {
  it.each([
    ["Postfix refused", "connect to mx.example.net[192.0.2.7]:25: Connection refused"],
    ["Postfix no route", "connect to mx.example.org[192.0.2.9]:25: No route to host"],
    ["Postfix timeout", "connect to mx.example.net[192.0.2.7]:25: Connection timed out"],
    ["Postfix IPv6", "connect to mx.example.net[2001:db8::7]:25: Network is unreachable"],
    [
      "Postfix lost connection",
      "lost connection with mx.example.net[192.0.2.7] while receiving the initial server greeting",
    ],
    [
      "Postfix conversation timeout",
      "conversation with mx.example.net[192.0.2.7] timed out while sending message body",
    ],
    [
      "Postfix suspended delivery",
      "delivery temporarily suspended: connect to mx.example.net[192.0.2.7]:25: Connection refused",
    ],
    ["Postfix DSN", "x-postfix; connect to mx.example.net[192.0.2.7]:25: Connection timed out"],
    ["Exim H= field", "H=mx.example.net [192.0.2.7]: Connection refused"],
    ["Exim host without name", "H=192.0.2.7 [192.0.2.7]: Connection timed out"],
    [
      "Exim remote host closed",
      "Remote host mx.example.net [192.0.2.7] closed connection in response to initial connection",
    ],
    ["Exim bounce host line", "host mx.example.net [192.0.2.7]: Connection refused"],
    ["Sendmail refused", "Deferred: Connection refused by [192.0.2.7]"],
    ["Sendmail timeout", "Deferred: Connection timed out with [192.0.2.7]"],
    [
      "Gmail bounce socket error",
      "The recipient server did not accept our requests to connect. [(0) mx.example.net. [192.0.2.7]:25: socket error]",
    ],
  ])("%s names no judged IP", (_case, text) => {
    const reply = parseReply(text);
    expect(reply.replyCode).toBeNull();
    expect(reply.judgedIp).toBeNull();
  });
});

describe("judged IP next to a remote host's address", () => {
  it("skips the host an Exim bounce names twice", () => {
    const reply = parseReply(
      "550 SMTP error from remote mail server after RCPT TO:<user1@example.net>: host mx.example.net " +
        "[192.0.2.7]: 550 5.1.1 unknown user. The following address(es) failed: SMTP error from " +
        "remote mail server after RCPT TO:<user1@example.net>: host mx.example.net [192.0.2.7]: unknown user",
    );
    expect(reply.remoteIp).toBe("192.0.2.7");
    expect(reply.judgedIp).toBeNull();
  });

  it("skips the remote host of a qmail bounce", () => {
    const reply = parseReply(
      "550 Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote " +
        "host 192.0.2.7 said: 550 unknown user",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.judgedIp).toBeNull();
  });

  it("skips a host name glued to its address", () => {
    const reply = parseReply(
      "550 Delivery failed for the following reason: Server mx.example.net[192.0.2.7] failed with: " +
        "550 no such user",
    );
    expect(reply.replyCode).toBe(550);
    expect(reply.judgedIp).toBeNull();
  });

  it("skips the address of the host that replied", () => {
    const reply = parseReply(
      "host mx.example.net[2001:db8::7] said: 554 5.7.1 Client host [2001:DB8:0::7] blocked",
    );
    expect(reply.remoteIp).toBe("2001:db8::7");
    expect(reply.judgedIp).toBeNull();
  });
});

describe("judged IP in the receiver's words", () => {
  it.each([
    [
      "Exim reverse DNS",
      "** user1@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.7]: SMTP error from " +
        "remote mail server after MAIL FROM:<user2@example.com>: 550 5.7.1 Connections not accepted " +
        "from servers without a valid sender domain. Fix reverse DNS for 203.0.113.5",
    ],
    [
      "Exim bounce reverse DNS",
      "SMTP error from remote mail server after initial connection: host mx.example.net [192.0.2.7]: " +
        "554 5.7.1 [C14] Missing reverse DNS for 203.0.113.5",
    ],
    [
      "Postfix smtpd client restriction",
      "host mx.example.net[192.0.2.7] said: 450 4.7.1 <mail.example.com[203.0.113.5]>: Client host " +
        "rejected: cannot find your hostname (in reply to RCPT TO command)",
    ],
    [
      "Postfix smtpd blocklist",
      "host mx.example.net[192.0.2.7] said: 554 5.7.1 Service unavailable; Client host [203.0.113.5] " +
        "blocked using zen.example.org (in reply to RCPT TO command)",
    ],
    [
      "reply that mentions a timeout",
      "host mx.example.net[192.0.2.7] said: 421 4.7.0 Connection timed out for [203.0.113.5], try " +
        "again later (in reply to end of DATA command)",
    ],
    ["listed IP", "550 5.7.1 IP 203.0.113.5 is listed on our blocklist"],
  ])("%s", (_case, text) => {
    expect(parseReply(text).judgedIp).toBe("203.0.113.5");
  });
});

describe("judged IP in an IPv6 address literal", () => {
  it.each([
    ["compressed", "554 5.7.1 Client host [IPv6:2001:db8::85] blocked", "2001:db8::85"],
    [
      "full form",
      "554 5.7.1 Client host [IPv6:2001:0db8:0000:0000:0000:0000:0000:0085] blocked",
      "2001:db8::85",
    ],
    ["lower-case tag", "554 5.7.1 client host [ipv6:2001:db8::85] blocked", "2001:db8::85"],
    [
      "behind a Postfix host",
      "host mx.example.net[192.0.2.7] said: 554 5.7.1 Service unavailable; Client host " +
        "[IPv6:2001:db8::85] blocked using zen.example.org (in reply to RCPT TO command)",
      "2001:db8::85",
    ],
  ])("%s", (_case, text, ip) => {
    expect(parseReply(text).judgedIp).toBe(ip);
  });

  it("skips the literal of the connected host", () => {
    const reply = parseReply(
      "lost connection with mx.example.net[IPv6:2001:db8::7] while sending RCPT TO",
    );
    expect(reply.judgedIp).toBeNull();
  });
});

describe("judged IP in Gmail's PTR deferral", () => {
  it("reads the sender IP address sentence", () => {
    const reply = parseReply(
      "451-4.7.23 The sender IP address for this email is 203.0.113.5 and it has no PTR " +
        "record. 451 4.7.23 https://support.google.com/mail/?p=IPv4PTRMissing - gsmtp",
    );
    expect(reply.judgedIp).toBe("203.0.113.5");
  });
});
