import { describe, expect, it } from "vitest";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { cleanInput } from "../../src/reply/clean.js";
import { parseReply } from "../../src/reply/parse.js";

// Replies as admins paste them: in lower case, with quoted-printable pieces from a bounce's
// raw source, and with the judged IP outside brackets. The receivers are 192.0.2.200 to
// 192.0.2.210 and the sending servers the rest of 192.0.2.0/24.

describe("provider tokens in lower case", () => {
  it.each([
    ["Yahoo", "421 4.7.0 [TSS04] Messages from 192.0.2.30 temporarily deferred", "TSS04"],
    [
      "Yahoo permanent",
      "553 5.7.2 [TSS09] All messages from 192.0.2.31 will be permanently deferred",
      "TSS09",
    ],
    [
      "Outlook",
      "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent (S3140).",
      "S3140",
    ],
    [
      "Outlook AS",
      "550 5.7.1 Unfortunately, messages from 192.0.2.10 weren't sent (AS3140).",
      "AS3140",
    ],
    ["iCloud", "554 5.7.1 [CS01] Message rejected due to local policy.", "CS01"],
    ["Comcast", "554 comcast 192.0.2.35 Comcast block for spam, see #BL000001", "BL000001"],
    ["Orange", "550 5.7.1 Service refuse. Veuillez essayer plus tard. OFR006_102", "OFR006_102"],
  ])("matches %s as in upper case", (_case, reply, token) => {
    const classifier = createReplyClassifier();
    const upper = classifier.explain(reply);
    const lower = classifier.explain(reply.toLowerCase());
    expect(upper.providerToken).toBe(token);
    expect(lower.providerToken).toBe(token);
    expect(lower.ruleId).toBe(upper.ruleId);
    expect(lower.provider).toBe(upper.provider);
    expect(lower.provider).not.toBeNull();
  });

  it("keeps lower-case tokens in lower case", () => {
    expect(parseReply("554 5.7.1 blocked, see https://www.example.de/?c=RDNS").providerToken).toBe(
      "c=rdns",
    );
  });
});

describe("quoted-printable pieces", () => {
  it("decodes soft line breaks and escapes", () => {
    const reply = parseReply(
      "Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; Client host [192.0.2.76] bl=\n" +
        "ocked using zen.spamhaus.org;=20https://www.spamhaus.org/query/ip/192.0.2.76",
    );
    expect(reply.text).toBe(
      "Service unavailable; Client host [192.0.2.76] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.76",
    );
    expect(reply.judgedIp).toBe("192.0.2.76");
  });

  it("joins a word split over Gmail's lines", () => {
    const explained = createReplyClassifier().explain(
      "550-5.7.26 This mail has been blocked because the sender is unauthenticate=\n" +
        "d.=20\n" +
        "550-5.7.26 Gmail requires all senders to authenticate with either SPF or D=\n" +
        "KIM. - gsmtp",
    );
    expect(explained.text).toBe(
      "This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
    );
    expect(explained.ruleId).toBe("gmail.unauthenticated");
  });

  it("decodes =3D in a URL", () => {
    const reply = parseReply(
      "550 5.7.1 blocked, see https://example.net/check?p=3DBlocked and read the pa=\nge",
    );
    expect(reply.text).toBe("blocked, see https://example.net/check?p=Blocked and read the page");
  });

  it("decodes escaped UTF-8", () => {
    expect(cleanInput("550 Adresse refus=C3=A9e, r=\nessayez")).toBe(
      "550 Adresse refusée, ressayez",
    );
  });

  it("removes a soft line break at the end", () => {
    const reply = parseReply(
      "421 4.7.0 [TSS04] Messages from 192.0.2.77 temporarily deferred; see https://postmaster.example.com/error-codes=\n",
    );
    expect(reply.text).toBe(
      "[TSS04] Messages from 192.0.2.77 temporarily deferred; see https://postmaster.example.com/error-codes",
    );
  });

  it("keeps a short line's equals sign", () => {
    expect(cleanInput("550 listed at bl=\nexample.net")).toBe("550 listed at bl=\nexample.net");
  });

  it("joins an IP split by a soft line break", () => {
    const reply = parseReply(
      "Remote Server returned '550 5.7.606 Access denied, banned sending IP [192.0.2.1=\n" +
        "0]. To request removal from this list please visit https://sender.office.com/ a=\n" +
        "nd follow the directions. (AS16012609)'",
    );
    expect(reply.judgedIp).toBe("192.0.2.10");
    expect(reply.text).toBe(
      "Access denied, banned sending IP [192.0.2.10]. To request removal from this list please visit https://sender.office.com/ and follow the directions. (AS16012609)",
    );
  });

  it("joins a split Diagnostic-Code line", () => {
    const reply = parseReply(
      "Diagnostic-Code: smtp; 550 5.7.1 Service unavailable; Client host [192.0.2.7=\n" +
        "6] blocked using zen.spamhaus.org",
    );
    expect(reply.judgedIp).toBe("192.0.2.76");
    expect(reply.text).toBe(
      "Service unavailable; Client host [192.0.2.76] blocked using zen.spamhaus.org",
    );
  });

  it("keeps a URL parameter without a soft line break", () => {
    expect(cleanInput("550 see https://example.net/?page=20")).toBe(
      "550 see https://example.net/?page=20",
    );
  });

  it("keeps a text with literal equals signs", () => {
    const text = "550 see https://example.net/?p=Blocked&n=20 for bl=\nexample.net";
    expect(cleanInput(text)).toBe(text);
  });
});

describe("judged IP outside brackets", () => {
  it.each([
    [
      "a black list",
      "554 rejected because 192.0.2.53 is in a black list at zen.spamhaus.org",
      "192.0.2.53",
    ],
    ["listed at", "550 5.7.1 Rejected: 192.0.2.55 listed at dnsbl.example.net", "192.0.2.55"],
    [
      "a Sendmail rejection",
      "553 5.3.0 <user2@example.com>... Rejected: 192.0.2.59 listed at bl.spamcop.net",
      "192.0.2.59",
    ],
    ["T-Online's IP=", "554 IP=192.0.2.44 - A problem occurred. (BL)", "192.0.2.44"],
    [
      "a client port",
      "421 Connection from 192.0.2.96:43210 refused, too many connections",
      "192.0.2.96",
    ],
    ["a failed rDNS lookup", "550 rDNS lookup failed for 192.0.2.61", "192.0.2.61"],
    [
      "a SpamCop URL",
      "554 Blocked - see https://www.spamcop.net/bl.shtml?192.0.2.94",
      "192.0.2.94",
    ],
  ])("finds %s", (_case, text, ip) => {
    expect(parseReply(text).judgedIp).toBe(ip);
  });

  it("finds the sender's IP behind a Postfix host", () => {
    const reply = parseReply(
      "host mx.example.net[192.0.2.210] said: 554 5.7.1 Rejected: 192.0.2.55 listed at dnsbl.example.net (in reply to RCPT TO command)",
    );
    expect(reply.remoteIp).toBe("192.0.2.210");
    expect(reply.judgedIp).toBe("192.0.2.55");
  });

  it.each([
    [
      "a Postfix host",
      "host mx.example.net[192.0.2.210] said: 554 5.7.1 Service unavailable; listed at dnsbl.example.net (in reply to RCPT TO command)",
    ],
    [
      "an Exim host",
      "SMTP error from remote mail server after RCPT TO:<user4@example.net>: host mx.example.net [192.0.2.210]: 554 listed at dnsbl.example.net",
    ],
    ["a receiver that calls itself blocked", "421 mx.example.net 192.0.2.210 is busy, try later"],
  ])("takes no IP from %s", (_case, text) => {
    expect(parseReply(text).judgedIp).toBeNull();
  });

  it.each([
    ["550 5.7.1 Client host [2001:db8:0:0:0:0:0:85] blocked", "2001:db8::85"],
    ["550 5.7.1 Client host [2001:DB8::85] blocked", "2001:db8::85"],
    ["550-5.7.25 [2001:0db8:0000::0085] The IP address sending this message", "2001:db8::85"],
  ])("compresses the IPv6 address of %s", (text, ip) => {
    expect(parseReply(text).judgedIp).toBe(ip);
  });
});
