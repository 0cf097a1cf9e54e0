import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, MessageEvent, TlsEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1rhA2b-000Abc-1x";
const LONG_ID = "1rhA2b-00000000Abc-1x2y";

function parse(lines: string[]): ReturnType<typeof runParser> {
  return runParser(createEximParser, lines);
}

function ofType<T extends LogEvent["type"]>(
  events: LogEvent[],
  type: T,
): Extract<LogEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LogEvent, { type: T }> => event.type === type);
}

describe("Exim arrival lines", () => {
  test("fields of an authenticated submission", () => {
    const { events } = parse([
      `2024-03-04 09:15:02 ${ID} <= alice@example.com H=laptop.example.net (laptop) [198.51.100.7]:51234 I=[192.0.2.10]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_login:alice@example.com S=4312 id=20240304091503.1234@example.com T="Quarterly report" for bob@example.org carol@example.net`,
    ]);
    const [arrival] = ofType(events, "message");
    const message = arrival?.message;

    expect(events).toHaveLength(1);
    expect(arrival?.time).toBe(Date.UTC(2024, 2, 4, 9, 15, 2));
    expect(arrival?.position).toEqual({ file: "test.log", line: 1 });
    expect(message?.mta).toBe("exim");
    expect(message?.id).toBe(ID);
    expect(message?.sender).toBe("alice@example.com");
    expect(message?.clientHost).toBe("laptop.example.net");
    expect(message?.helo).toBe("laptop");
    expect(message?.clientIp).toBe("198.51.100.7");
    expect(message?.service).toBe("esmtpsa");
    expect(message?.saslUsername).toBe("alice@example.com");
    expect(message?.sizeBytes).toBe(4312);
    expect(message?.messageId).toBe("20240304091503.1234@example.com");
    expect(message?.subject).toBe("Quarterly report");
    expect(message?.recipientCount).toBe(2);
    expect(message?.localUser).toBeNull();
    expect(message?.isBounce).toBe(false);
  });

  test.each([
    ["(helo.example.net) [198.51.100.9]:40011", null, "helo.example.net", "198.51.100.9"],
    ["mx.example.net [198.51.100.10]", "mx.example.net", null, "198.51.100.10"],
    ["mx.example.net (helo name) [2001:db8::25]:25", "mx.example.net", "helo name", "2001:db8::25"],
    ["([198.51.100.11]) [198.51.100.11]:57465", null, "[198.51.100.11]", "198.51.100.11"],
  ])("host form H=%s", (host, name, helo, ip) => {
    const { events } = parse([`2024-03-04 09:15:02 ${ID} <= a@example.org H=${host} P=esmtp S=10`]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.clientHost).toBe(name);
    expect(message?.helo).toBe(helo);
    expect(message?.clientIp).toBe(ip);
    expect(message?.service).toBe("esmtp");
  });

  test("23-character message id", () => {
    const { events, outcomes } = parse([
      `2024-03-04 09:15:02 ${LONG_ID} <= a@example.com U=alice P=local S=12`,
      `2024-03-04 09:15:03 ${LONG_ID} => b@example.org R=dnslookup T=remote_smtp H=mx.example.org [198.51.100.20]`,
      `2024-03-04 09:15:03 ${LONG_ID} Completed`,
    ]);
    const delivery = ofType(events, "delivery")[0];

    expect(outcomes).toEqual({ parsed: 3, ignored: 0, unparsed: 0 });
    expect(delivery?.message.id).toBe(LONG_ID);
    expect(delivery?.message.localUser).toBe("alice");
  });

  test("quoted subject with escapes", () => {
    const { events } = parse([
      `2024-03-04 09:15:02 ${ID} <= a@example.com U=alice P=local S=12 T="Re: \\"hi\\" C:\\\\temp for you" for b@example.org`,
    ]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.subject).toBe('Re: "hi" C:\\temp for you');
    expect(message?.recipientCount).toBe(1);
  });

  test("U= names local and loopback users", () => {
    const { events } = parse([
      `2024-03-04 09:15:02 ${ID} <= a@example.org H=(x) [198.51.100.9] U=ident P=smtp S=10`,
      `2024-03-04 09:15:02 1rhA2c-000Abc-1x <= a@example.org U=bob P=local-esmtp S=10`,
      `2024-03-04 09:15:02 1rhA2e-000Abc-1x <= noreply@example.com H=localhost (web1) [127.0.0.1]:30000 U=www-data P=esmtp S=1500`,
      `2024-03-04 09:15:02 1rhA2f-000Abc-1x <= noreply@example.com H=localhost [::1]:30001 U=carol P=esmtp S=1500`,
    ]);
    const [smtp, local, loopback, loopback6] = ofType(events, "message").map(
      (event) => event.message,
    );

    expect(smtp?.localUser).toBeNull();
    expect(local?.localUser).toBe("bob");
    expect(loopback?.localUser).toBe("www-data");
    expect(loopback?.clientIp).toBe("127.0.0.1");
    expect(loopback6?.localUser).toBe("carol");
  });

  test.each([
    ["a cut line", "U="],
    ["an empty value", "U= P=esmtp S=1500"],
    ["empty quotes", 'U="" P=esmtp S=1500'],
  ])("empty ident in %s names no local user", (_case, fields) => {
    const { events } = parse([
      `2024-03-04 09:15:02 ${ID} <= noreply@example.com H=localhost (web1) [127.0.0.1]:30000 ${fields}`,
    ]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.clientIp).toBe("127.0.0.1");
    expect(message?.localUser).toBeNull();
  });

  test("authenticator without id leaves the account unknown", () => {
    const { events } = parse([
      `2024-03-04 09:15:02 ${ID} <= a@example.com H=(x) [198.51.100.9] P=esmtpa A=plain_server S=10`,
    ]);
    expect(ofType(events, "message")[0]?.message.saslUsername).toBeNull();
  });

  test("bounce generated by Exim versus a null sender from outside", () => {
    const { events } = parse([
      `2024-03-04 09:15:02 1rhA2d-000Abc-1x <= <> R=${ID} U=mailnull P=local S=7824 T="Mail delivery failed: returning message to sender" for a@example.com`,
      `2024-03-04 09:15:03 1rhA2e-000Abc-1x <= <> H=mx.example.org [198.51.100.20] P=esmtps S=900`,
    ]);
    const [ours, theirs] = ofType(events, "message").map((event) => event.message);

    expect(ours?.sender).toBe("");
    expect(ours?.isBounce).toBe(true);
    expect(theirs?.sender).toBe("");
    expect(theirs?.isBounce).toBe(false);
  });
});

describe("Exim delivery lines", () => {
  const arrival = `2024-03-04 09:15:02 ${ID} <= alice@example.com H=(laptop) [198.51.100.7] P=esmtpsa A=dovecot_login:alice@example.com S=4312 for x@gmail.com y@gmail.com z@example.net`;

  test("first address, further address and TLS", () => {
    const { events } = parse([
      arrival,
      `2024-03-04 09:15:05 ${ID} => x@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK  1709543705 a1si2 - gsmtp"`,
      `2024-03-04 09:15:05 ${ID} -> y@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK  1709543705 a1si3 - gsmtp"`,
    ]);
    const deliveries = ofType(events, "delivery");
    const tls = ofType(events, "tls");

    expect(deliveries.map((d) => d.recipient)).toEqual(["x@gmail.com", "y@gmail.com"]);
    expect(deliveries.map((d) => d.status)).toEqual(["sent", "sent"]);
    expect(deliveries[0]).toMatchObject({
      transport: "remote_smtp",
      remote: true,
      relayHost: "gmail-smtp-in.l.google.com",
      relayIp: "192.0.2.27",
      dsn: null,
      response: "250 2.0.0 OK  1709543705 a1si2 - gsmtp",
      originalRecipient: null,
      firstAttempt: true,
    } satisfies Partial<DeliveryEvent>);
    expect(deliveries[0]?.message).toBe(ofType(events, "message")[0]?.message);
    expect(tls).toHaveLength(1);
    expect(tls[0]).toMatchObject({
      direction: "outbound",
      peerHost: "gmail-smtp-in.l.google.com",
      peerIp: "192.0.2.27",
      protocol: "TLSv1.3",
    } satisfies Partial<TlsEvent>);
  });

  test("deferral keeps the reply with its literal \\n, then a retry succeeds", () => {
    const reply =
      "SMTP error from remote mail server after pipelined end of data: 421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of\\n421-4.7.28 unsolicited mail originating from your IP address. - gsmtp";
    const { events } = parse([
      arrival,
      `2024-03-04 11:20:40 ${ID} == x@gmail.com R=dnslookup T=remote_smtp defer (-46) H=gmail-smtp-in.l.google.com [192.0.2.27] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes: ${reply}`,
      `2024-03-04 11:50:40 ${ID} => x@gmail.com R=dnslookup T=remote_smtp H=alt1.gmail-smtp-in.l.google.com [192.0.2.28]`,
    ]);
    const [deferral, retry] = ofType(events, "delivery");

    expect(deferral?.status).toBe("deferred");
    expect(deferral?.response).toBe(reply);
    expect(deferral?.relayHost).toBe("gmail-smtp-in.l.google.com");
    expect(deferral?.relayIp).toBe("192.0.2.27");
    expect(deferral?.firstAttempt).toBe(true);
    expect(retry?.status).toBe("sent");
    expect(retry?.firstAttempt).toBe(false);
    expect(retry?.response).toBeNull();
    expect(ofType(events, "tls")).toHaveLength(1);
  });

  test("deferral after RCPT with a port on the host", () => {
    const { events } = parse([
      `2024-03-04 11:20:40 ${ID} == z@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [198.51.100.30]:25: SMTP error from remote mail server after RCPT TO:<z@example.net>: 450 4.2.0 <z@example.net>: Recipient address rejected: Greylisted`,
    ]);
    const deferral = ofType(events, "delivery")[0];

    expect(deferral?.relayIp).toBe("198.51.100.30");
    expect(deferral?.relayPort).toBe(25);
    expect(deferral?.response).toBe(
      "SMTP error from remote mail server after RCPT TO:<z@example.net>: 450 4.2.0 <z@example.net>: Recipient address rejected: Greylisted",
    );
  });

  test("smarthost port on delivery and deferral", () => {
    const host = "H=smtp.relay.example.net [192.0.2.50]:587";
    const { events } = parse([
      arrival,
      `2024-03-04 09:15:05 ${ID} => x@gmail.com R=smarthost T=remote_smtp_smarthost ${host} X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes A=plain C="250 2.0.0 Ok: queued as 4XyZ1"`,
      `2024-03-04 09:15:05 ${ID} == y@gmail.com R=smarthost T=remote_smtp_smarthost defer (-44) ${host}: SMTP error from remote mail server after MAIL FROM:<alice@example.com>: 451 4.7.1 Sending quota exceeded`,
      `2024-03-04 09:15:05 ${ID} => z@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30] C="250 OK"`,
    ]);
    const [sent, deferred, direct] = ofType(events, "delivery");

    expect(sent?.relayHost).toBe("smtp.relay.example.net");
    expect(sent?.relayPort).toBe(587);
    expect(sent?.response).toBe("250 2.0.0 Ok: queued as 4XyZ1");
    expect(deferred?.relayPort).toBe(587);
    expect(deferred?.response).toBe(
      "SMTP error from remote mail server after MAIL FROM:<alice@example.com>: 451 4.7.1 Sending quota exceeded",
    );
    expect(direct?.relayPort).toBeNull();
  });

  test.each([
    [
      `** z@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30] : SMTP error from remote mail server after RCPT TO:<z@example.net>: 550 5.1.1 User unknown`,
      "bounced",
      true,
      "SMTP error from remote mail server after RCPT TO:<z@example.net>: 550 5.1.1 User unknown",
    ],
    [`** nobody@example.com: Unrouteable address`, "bounced", false, "Unrouteable address"],
    [
      `** z@example.net R=dnslookup T=remote_smtp : retry timeout exceeded`,
      "expired",
      true,
      "retry timeout exceeded",
    ],
    [
      `** z@example.net R=r1 T=remote_smtp : all hosts for 'example.net' have been failing for a long time (and retry time not reached)`,
      "bounced",
      true,
      "all hosts for 'example.net' have been failing for a long time (and retry time not reached)",
    ],
    [
      `*> z@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30]`,
      "other",
      true,
      null,
    ],
    [
      `>> z@example.net P=<alice@example.com> R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30] C="250 OK"`,
      "sent",
      true,
      "250 OK",
    ],
  ])("%s", (line, status, remote, response) => {
    const { events } = parse([`2024-03-04 09:15:05 ${ID} ${line}`]);
    const delivery = ofType(events, "delivery")[0];

    expect(delivery?.recipient).toBe(line.split(" ")[1]?.replace(/:$/, ""));
    expect(delivery?.status).toBe(status);
    expect(delivery?.remote).toBe(remote);
    expect(delivery?.response).toBe(response);
  });

  test.each([
    [`** z@example.net R=dnslookup T=remote_smtp : retry timeout exceeded`, "expired", true],
    [
      `** z@example.net R=r1 T=remote_smtp : all hosts for 'example.net' have been failing for a long time (and retry time not reached)`,
      "bounced",
      false,
    ],
    [`** z@example.net: retry timeout exceeded`, "expired", true],
    [
      `** z@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30]: SMTP error from remote mail server after RCPT TO:<z@example.net>: 451 4.7.1 Try again later: retry timeout exceeded`,
      "expired",
      false,
    ],
    [
      `** z@example.net R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.30] : SMTP error from remote mail server after RCPT TO:<z@example.net>: 550 5.1.1 User unknown`,
      "bounced",
      false,
    ],
  ])("give-up without a new attempt: %s", (line, status, noAttempt) => {
    const { events } = parse([`2024-03-04 09:15:05 ${ID} ${line}`]);
    const delivery = ofType(events, "delivery")[0];

    expect(delivery?.status).toBe(status);
    expect(delivery?.queueExpiry === true).toBe(noAttempt);
  });

  test("older form names the host in the error text", () => {
    const { events } = parse([
      `2020-02-22 07:09:24 ${ID} ** user@example.org R=dnslookup T=remote_smtp: SMTP error from remote mail server after end of data: host mx.example.org [198.51.100.51]: 554 delivery error`,
    ]);
    const delivery = ofType(events, "delivery")[0];

    expect(delivery?.relayHost).toBe("mx.example.org");
    expect(delivery?.relayIp).toBe("198.51.100.51");
    expect(delivery?.transport).toBe("remote_smtp");
  });

  test("retry time not reached is no attempt", () => {
    const { events, outcomes } = parse([
      `2024-03-04 09:15:05 ${ID} == z@example.net routing defer (-52): retry time not reached`,
    ]);
    expect(events).toEqual([]);
    expect(outcomes.parsed).toBe(1);
  });

  test("local delivery with the original address", () => {
    const { events } = parse([
      `2024-03-04 09:15:05 ${ID} => peggy <peggy@example.com> R=virtual_user T=virtual_userdelivery`,
      `2024-03-04 09:15:05 ${ID} => carol <carol@example.com> R=lmtp T=dovecot_lmtp H=localhost [127.0.0.1] C="250 2.0.0 Saved"`,
    ]);
    const [mailbox, lmtp] = ofType(events, "delivery");

    expect(mailbox).toMatchObject({
      recipient: "peggy",
      originalRecipient: "peggy@example.com",
      remote: false,
      status: "sent",
    });
    expect(lmtp).toMatchObject({
      recipient: "carol",
      transport: "dovecot_lmtp",
      remote: false,
      relayIp: "127.0.0.1",
    });
  });

  test("message state ends at Completed", () => {
    const { events } = parse([
      arrival,
      `2024-03-04 09:15:05 ${ID} => x@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27]`,
      `2024-03-04 09:15:06 ${ID} Completed`,
      `2024-03-04 09:20:00 ${ID} => x@gmail.com R=dnslookup T=remote_smtp H=gmail-smtp-in.l.google.com [192.0.2.27]`,
    ]);
    const [before, after] = ofType(events, "delivery");

    expect(after?.message).not.toBe(before?.message);
    expect(after?.message.sender).toBeNull();
    expect(after?.firstAttempt).toBe(true);
  });

  test("same id on two syslog hosts", () => {
    const run = runParser(
      createEximParser,
      [
        `Mar  4 09:15:02 mx1 exim[1]: ${ID} <= a@example.com U=alice P=local S=1`,
        `Mar  4 09:15:02 mx2 exim[1]: ${ID} <= b@example.com U=bob P=local S=1`,
        `Mar  4 09:15:03 mx2 exim[2]: ${ID} => c@example.org R=r T=remote_smtp H=mx.example.org [198.51.100.2]`,
      ],
      { year: 2024 },
    );
    const delivery = ofType(run.events, "delivery")[0];

    expect(delivery?.message.sender).toBe("b@example.com");
    expect(delivery?.message.host).toBe("mx2");
  });

  test("idle ids are evicted after 7 days of log time", () => {
    const { events } = parse([
      arrival,
      `2024-03-06 09:15:05 1rhZZZ-000Abc-1x <= a@example.org U=bob P=local S=1`,
      `2024-03-11 09:15:01 ${ID} == x@gmail.com R=dnslookup T=remote_smtp defer (-18): Connection refused`,
      `2024-03-20 09:15:03 1rhZZZ-000Abc-1x == x@gmail.com R=dnslookup T=remote_smtp defer (-18): Connection refused`,
    ]);
    const [kept, evicted] = ofType(events, "delivery");
    const [first, second] = ofType(events, "message").map((event: MessageEvent) => event.message);

    expect(kept?.message).toBe(first);
    expect(evicted?.message).not.toBe(second);
    expect(evicted?.message.firstTime).toBe(Date.UTC(2024, 2, 20, 9, 15, 3));
  });
});
