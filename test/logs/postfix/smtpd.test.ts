import { describe, expect, it } from "vitest";
import { eventsOf, runPostfix } from "./fixture.js";

const HEAD = "Mar  4 09:20:01 mx1";

describe("Postfix rejects", () => {
  it("reads an smtpd reject", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2300]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<promo@example.org> to=<nobody@example.com> proto=ESMTP helo=<example.org>`,
    ]);
    expect(outcomes).toEqual(["parsed"]);
    expect(eventsOf(events, "reject")[0]).toMatchObject({
      clientHost: "unknown",
      clientIp: "203.0.113.9",
      stage: "RCPT",
      response:
        "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
      sender: "promo@example.org",
      recipient: "nobody@example.com",
      position: { file: "fixture.log", line: 1 },
    });
  });

  it("reads a postscreen reject with commas", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/postscreen[880]: NOQUEUE: reject: RCPT from [203.0.113.11]:50123: 550 5.7.1 Service unavailable; client [203.0.113.11] blocked using zen.spamhaus.org; from=<a@example.org>, to=<b@example.com>, proto=ESMTP, helo=<x>`,
    ]);
    expect(eventsOf(events, "reject")[0]).toMatchObject({
      clientHost: null,
      clientIp: "203.0.113.11",
      stage: "RCPT",
      response:
        "550 5.7.1 Service unavailable; client [203.0.113.11] blocked using zen.spamhaus.org",
      sender: "a@example.org",
      recipient: "b@example.com",
    });
  });

  it("reads rejects without a sender or trailer", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtpd[2301]: NOQUEUE: reject: VRFY from unknown[2001:db8::a]: 454 4.7.1 <u@example.org>: Relay access denied; to=<u@example.org> proto=SMTP helo=<me>`,
      `${HEAD} postfix/postscreen[880]: NOQUEUE: reject: CONNECT from [203.0.113.12]:1337: too many connections`,
    ]);
    const [vrfy, connect] = eventsOf(events, "reject");
    expect(vrfy).toMatchObject({
      clientIp: "2001:db8::a",
      stage: "VRFY",
      sender: null,
      recipient: "u@example.org",
      response: "454 4.7.1 <u@example.org>: Relay access denied",
    });
    expect(connect).toMatchObject({
      stage: "CONNECT",
      response: "too many connections",
      sender: null,
      recipient: null,
    });
  });

  it("reads reject_warning, milter-reject and proxy-reject", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/smtpd[2302]: NOQUEUE: reject_warning: RCPT from mail.example.org[198.51.100.26]: 553 5.7.1 <s@example.org>: Sender address rejected: not owned by user u1; from=<s@example.org> to=<r@example.com> proto=ESMTP helo=<example.org>`,
      `${HEAD} postfix/smtpd[2303]: NOQUEUE: milter-reject: RCPT from relay.example.org[198.51.100.44]: 451 4.7.1 Greylisting in action; from=<s@example.org> to=<r@example.com> proto=ESMTP helo=<relay.example.org>`,
      `${HEAD} postfix/smtpd[2304]: 6E1F2A3B4C: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, id=31619-02 - spam; from=<> to=<r@example.com> proto=SMTP helo=<198.51.100.34>`,
    ]);
    expect(eventsOf(events, "reject").map((event) => [event.stage, event.response])).toEqual([
      ["RCPT", "553 5.7.1 <s@example.org>: Sender address rejected: not owned by user u1"],
      ["RCPT", "451 4.7.1 Greylisting in action"],
      ["END-OF-MESSAGE", "554 5.7.0 Reject, id=31619-02 - spam"],
    ]);
    expect(eventsOf(events, "reject")[2]).toMatchObject({ sender: "", recipient: "r@example.com" });
    expect(eventsOf(events, "reject").map((event) => event.warningOnly)).toEqual([
      true,
      undefined,
      undefined,
    ]);
  });

  it("drops a message that cleanup's milter refused", () => {
    const run = runPostfix([
      `${HEAD} postfix/smtpd[2305]: 4104E3D1AB: client=mail.example.org[198.51.100.1]`,
      `${HEAD} postfix/cleanup[2306]: 4104E3D1AB: milter-reject: END-OF-MESSAGE from mail.example.org[198.51.100.1]: 5.7.1 Blocked by SpamAssassin; from=<s@example.org> to=<r@example.com> proto=ESMTP helo=<example.org>`,
    ]);
    expect(eventsOf(run.events, "reject")[0]).toMatchObject({
      stage: "END-OF-MESSAGE",
      clientIp: "198.51.100.1",
      response: "5.7.1 Blocked by SpamAssassin",
    });
    expect(run.parser.openMessages).toBe(0);
  });

  it("reads a header_checks reject", () => {
    const run = runPostfix([
      `${HEAD} postfix/cleanup[2306]: 5D1E2F3A4B: reject: header Subject: Win money now from mail.example.org[198.51.100.2]; from=<s@example.org> to=<r@example.com> proto=ESMTP helo=<example.org>: 5.7.1 message content rejected`,
    ]);
    expect(eventsOf(run.events, "reject")[0]).toMatchObject({
      stage: null,
      clientHost: "mail.example.org",
      clientIp: "198.51.100.2",
      response: "5.7.1 message content rejected",
      sender: "s@example.org",
      recipient: "r@example.com",
    });
    expect(run.parser.openMessages).toBe(0);
  });

  it("ignores actions that accept the mail", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2307]: NOQUEUE: discard: MAIL from h10.example.org[198.51.100.37]: <u@example.org>: Sender address SPAM; from=<u@example.org> proto=ESMTP helo=<example.org>`,
      `${HEAD} postfix/smtpd[2307]: NOQUEUE: filter: RCPT from unknown[198.51.100.38]: <m@example.org>: Sender address triggers FILTER smtp-amavis:[127.0.0.1]:10024; from=<m@example.org> to=<u@example.com> proto=ESMTP helo=<example.org>`,
    ]);
    expect(outcomes).toEqual(["ignored", "ignored"]);
    expect(events).toEqual([]);
  });
});

describe("Postfix SMTP AUTH failures", () => {
  it("reads a SASL failure", () => {
    const { events } = runPostfix([
      `${HEAD} postfix/submission/smtpd[2301]: warning: unknown[203.0.113.10]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
      `${HEAD} postfix/smtpd[2302]: warning: laptop.example.com[192.0.2.2]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice@example.com`,
      `${HEAD} postfix/smtpd[2302]: warning: SASL authentication failure: Password verification failed`,
    ]);
    expect(eventsOf(events, "auth-failure")).toEqual([
      {
        type: "auth-failure",
        time: Date.UTC(2024, 2, 4, 9, 20, 1),
        position: { file: "fixture.log", line: 1 },
        clientIp: "203.0.113.10",
        username: null,
        program: "postfix/submission/smtpd",
        mta: "postfix",
      },
      expect.objectContaining({ clientIp: "192.0.2.2", username: "alice@example.com" }),
    ]);
  });
});

describe("Postfix inbound TLS", () => {
  it("ignores the TLS line of an inbound session, which nothing reads", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2310]: Anonymous TLS connection established from mail.example.org[198.51.100.123]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`,
      `${HEAD} postfix/submission/smtpd[2311]: Verified TLS connection established from mail.example.org[198.51.100.123]: TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)`,
    ]);
    expect(outcomes).toEqual(["ignored", "ignored"]);
    expect(eventsOf(events, "tls")).toEqual([]);
  });
});

describe("Postfix lines without events", () => {
  it("ignores bookkeeping and statistics", () => {
    const { events, outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2300]: connect from unknown[203.0.113.9]`,
      `${HEAD} postfix/smtpd[2300]: disconnect from unknown[203.0.113.9] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4`,
      `${HEAD} postfix/smtpd[2300]: lost connection after AUTH from unknown[203.0.113.10]`,
      `${HEAD} postfix/smtpd[2300]: warning: hostname h1.example.org does not resolve to address 203.0.113.31`,
      `${HEAD} postfix/anvil[2400]: statistics: max connection rate 1/60s for (smtp:203.0.113.9) at Mar  4 09:17:02`,
      `${HEAD} postfix/scache[2401]: statistics: domain lookup hits=0 miss=1 success=0%`,
      `${HEAD} postfix/verify[2402]: cache btree:/var/lib/postfix/verify_cache full cleanup: retained=7 dropped=0 entries`,
      `${HEAD} postfix/tlsproxy[2403]: CONNECT from [203.0.113.45]:51637`,
      `${HEAD} postfix/dnsblog[2404]: addr 203.0.113.1 listed by domain zen.spamhaus.org as 127.0.0.2`,
      `${HEAD} postfix/postscreen[880]: PASS NEW [203.0.113.2]:36051`,
      `${HEAD} postfix/smtp[2405]: connect to mx.example.org[198.51.100.17]:25: Connection timed out`,
      `${HEAD} postfix/qmgr[901]: 4B7E21C0A3: skipped, still being delivered`,
    ]);
    expect(outcomes).toEqual(new Array(12).fill("ignored"));
    expect(events).toEqual([]);
  });

  it("counts Postfix lines it cannot read as unparsed", () => {
    const { outcomes } = runPostfix([
      `${HEAD} postfix/smtpd[2300]: Something nobody logs`,
      `${HEAD} postfix/smtp[2300]: Dec 18 16:15:28 orig_to=<a@example.com>, relay=none`,
    ]);
    expect(outcomes).toEqual(["unparsed", "unparsed"]);
  });
});
