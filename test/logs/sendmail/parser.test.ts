import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, LoggedMessage } from "../../../src/logs/events.js";
import { createSendmailParser } from "../../../src/logs/sendmail/index.js";
import { runParser } from "../exim/frame.js";

function parse(lines: string[]): ReturnType<typeof runParser> {
  return runParser(createSendmailParser, lines, { year: 2024 });
}

function deliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

function messages(events: LogEvent[]): LoggedMessage[] {
  return events.flatMap((event) => (event.type === "message" ? [event.message] : []));
}

const FROM = `Mar  4 09:15:03 mx1 sm-mta[3120]: 424EF3Ab003120: from=<alice@example.com>, size=4312, class=0, nrcpts=3, msgid=<20240304091503.1234@example.com>, bodytype=8BITMIME, proto=ESMTPSA, daemon=MTA-MSA, relay=laptop.example.com [198.51.100.7]`;
const AUTH = `Mar  4 09:15:03 mx1 sm-mta[3120]: 424EF3Ab003120: AUTH=server, relay=laptop.example.com [198.51.100.7], authid=alice, mech=LOGIN, bits=0`;

describe("Sendmail messages and deliveries", () => {
  test("from= and AUTH= fill the message before its event", () => {
    const { events } = parse([
      FROM,
      AUTH,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@gmail.com>,<eve@gmail.com>,carol@example.net, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=4.7.28, stat=Deferred: 421-4.7.28 [203.0.113.5      15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail`,
    ]);
    const [message] = messages(events);

    expect(events.map((event) => event.type)).toEqual([
      "login",
      "message",
      "delivery",
      "delivery",
      "delivery",
    ]);
    expect(events[0]).toMatchObject({
      username: "alice",
      clientIp: "198.51.100.7",
      protocol: "smtp",
    });
    expect(message).toMatchObject({
      mta: "sendmail",
      host: "mx1",
      id: "424EF3Ab003120",
      sender: "alice@example.com",
      sizeBytes: 4312,
      recipientCount: 3,
      messageId: "20240304091503.1234@example.com",
      service: "esmtpsa",
      clientHost: "laptop.example.com",
      clientIp: "198.51.100.7",
      saslUsername: "alice",
      localUser: null,
    });
    expect(events[1]?.position.line).toBe(3);
  });

  test("error mailer bounce is policy", () => {
    const { events } = parse([
      FROM,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<old@example.net>, delay=00:00:00, mailer=*error*, pri=30000, dsn=5.1.1, stat=User unknown`,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@example.net>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=mx.example.net. [192.0.2.27], dsn=5.1.1, stat=User unknown`,
    ]);
    const [policy, remote] = deliveries(events);

    expect(policy?.status).toBe("bounced");
    expect(policy?.remote).toBe(false);
    expect(policy?.withoutAttempt).toBe("policy");
    expect(remote?.status).toBe("bounced");
    expect(remote?.withoutAttempt).toBeUndefined();
  });

  test("multi-recipient to= gives one delivery per address", () => {
    const { events } = parse([
      FROM,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@gmail.com>,<eve@gmail.com>,carol@example.net, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=151312, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=4.7.28, stat=Deferred: 421-4.7.28 try later`,
    ]);
    const found = deliveries(events);

    expect(found.map((d) => d.recipient)).toEqual([
      "bob@gmail.com",
      "eve@gmail.com",
      "carol@example.net",
    ]);
    for (const delivery of found) {
      expect(delivery).toMatchObject({
        status: "deferred",
        transport: "esmtp",
        remote: true,
        relayHost: "gmail-smtp-in.l.google.com",
        relayIp: "192.0.2.27",
        dsn: "4.7.28",
        response: "Deferred: 421-4.7.28 try later",
        firstAttempt: true,
      });
    }
  });

  test.each([
    ["dsn=2.0.0, stat=Sent (OK 1709546532 b2si3 - gsmtp)", "sent"],
    ["dsn=4.0.0, stat=Deferred: Connection refused by mx.example.net.", "deferred"],
    ["dsn=5.1.1, stat=User unknown", "bounced"],
    ["dsn=5.0.0,stat=Service unavailable", "bounced"],
    ["stat=Sent", "sent"],
    ["stat=Deferred", "deferred"],
    ["stat=Host unknown (Name server: example.invalid: host not found)", "bounced"],
  ])("status from %s", (tail, status) => {
    const { events } = parse([
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<x@example.net>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.30], ${tail}`,
    ]);
    const [delivery] = deliveries(events);

    expect(delivery?.status).toBe(status);
    expect(delivery?.response).toBe(tail.slice(tail.indexOf("stat=") + 5));
  });

  test("queued is no attempt, and retries are not first attempts", () => {
    const { events } = parse([
      FROM,
      `Mar  4 09:15:04 mx1 sm-mta[3120]: 424EF3Ab003120: to=<x@example.net>, delay=00:00:01, mailer=esmtp, pri=1, stat=queued`,
      `Mar  4 09:20:04 mx1 sm-mta[3130]: 424EF3Ab003120: to=<x@example.net>, delay=00:05:01, xdelay=00:00:01, mailer=esmtp, pri=2, relay=mx.example.net. [198.51.100.30], dsn=4.0.0, stat=Deferred: Connection timed out`,
      `Mar  4 09:50:04 mx1 sm-mta[3140]: 424EF3Ab003120: to=<x@example.net>, delay=00:35:01, xdelay=00:00:01, mailer=esmtp, pri=3, relay=mx.example.net. [198.51.100.30], dsn=2.0.0, stat=Sent (ok)`,
    ]);
    const found = deliveries(events);

    expect(found.map((d) => d.status)).toEqual(["deferred", "sent"]);
    expect(found.map((d) => d.firstAttempt)).toEqual([true, false]);
    expect(messages(events)).toHaveLength(1);
  });

  test("local and program mailers are not remote", () => {
    const { events } = parse([
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<bob@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=30, dsn=2.0.0, stat=Sent`,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to="|/usr/bin/procmail", ctladdr=<bob@example.com> (1001/1001), delay=00:00:00, mailer=prog, pri=30, dsn=2.0.0, stat=Sent`,
    ]);
    const found = deliveries(events);

    expect(found.map((d) => d.remote)).toEqual([false, false]);
    expect(found[1]?.recipient).toBe('"|/usr/bin/procmail"');
  });

  test("ctladdr names the local user only for local submissions", () => {
    const { events } = parse([
      `Mar  4 09:15:03 mx1 sm-mta[3120]: 424EF3Ab003120: from=<a@example.org>, size=10, class=0, nrcpts=1, proto=ESMTP, daemon=MTA, relay=mx.example.org [198.51.100.9]`,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to="|/usr/bin/procmail", ctladdr=<bob@example.com> (1001/1001), delay=00:00:00, mailer=prog, pri=30, dsn=2.0.0, stat=Sent`,
    ]);
    const [message] = messages(events);

    expect(message?.localUser).toBeNull();
    expect(message?.uid).toBeNull();
  });

  test("DSN: creates a bounce with a new queue id", () => {
    const { events } = parse([
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: to=<nobody@example.net>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.30], dsn=5.1.1, stat=User unknown`,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ab003120: 424EF3Ac003122: DSN: User unknown`,
      `Mar  4 09:15:05 mx1 sm-mta[3122]: 424EF3Ac003122: from=<>, size=2000, class=0, nrcpts=1, msgid=<b@mx1.example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]`,
      `Mar  4 09:15:06 mx1 sm-mta[3123]: 424EF3Ac003122: to=<alice@example.com>, delay=00:00:01, mailer=local, pri=1, dsn=2.0.0, stat=Sent`,
    ]);
    const bounce = messages(events).find((message) => message.id === "424EF3Ac003122");

    expect(bounce?.isBounce).toBe(true);
    expect(bounce?.sender).toBe("");
  });

  test("same queue id on two syslog hosts", () => {
    const { events } = parse([
      FROM,
      FROM.replace("mx1", "mx2").replace("alice@", "bob@"),
      `Mar  4 09:15:05 mx2 sm-mta[3122]: 424EF3Ab003120: to=<x@example.net>, delay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.30], dsn=2.0.0, stat=Sent (ok)`,
    ]);
    const [delivery] = deliveries(events);

    expect(delivery?.message.sender).toBe("bob@example.com");
    expect(delivery?.message.host).toBe("mx2");
  });

  test("message without to= is reported at the end", () => {
    const { events } = parse([FROM, AUTH]);
    const [message] = messages(events);

    expect(events.map((event) => event.type)).toEqual(["login", "message"]);
    expect(message?.saslUsername).toBe("alice");
    expect(events[1]?.position.line).toBe(1);
  });
});

describe("Sendmail local submissions", () => {
  const MSP_FROM = `Mar  4 10:02:11 mx1 sendmail[4410]: 424F2BqT004410: from=shopuser, size=2301, class=0, nrcpts=2, msgid=<a1b2c3@shop.example.com>, relay=shopuser@localhost`;
  const MTA_FROM = `Mar  4 10:02:11 mx1 sm-mta[4411]: 424F2Bqx004411: from=<shopuser@shop.example.com>, size=2550, class=0, nrcpts=2, msgid=<a1b2c3@shop.example.com>, proto=ESMTP, daemon=MTA, relay=localhost [127.0.0.1]`;
  const MSP_TO = `Mar  4 10:02:11 mx1 sendmail[4410]: 424F2BqT004410: to=x1@gmail.com,x2@gmail.com, ctladdr=shopuser (1004/1004), delay=00:00:00, xdelay=00:00:00, mailer=relay, pri=62301, relay=[127.0.0.1] [127.0.0.1], dsn=2.0.0, stat=Sent (424F2Bqx004411 Message accepted for delivery)`;
  const MTA_TO = `Mar  4 10:02:12 mx1 sm-mta[4412]: 424F2Bqx004411: to=<x1@gmail.com>,<x2@gmail.com>, ctladdr=<shopuser@shop.example.com> (1004/1004), delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=122301, relay=gmail-smtp-in.l.google.com. [192.0.2.27], dsn=2.0.0, stat=Sent (OK  1709546532 b2si3 - gsmtp)`;

  test("submission and daemon copies count once", () => {
    const { events } = parse([MSP_FROM, MTA_FROM, MSP_TO, MTA_TO]);
    const [message] = messages(events);
    // The linked hand-off is reported as a hop to the local MTA, not as a delivery.
    const found = deliveries(events).filter((d) => d.handoff !== "filter");

    expect(messages(events)).toHaveLength(1);
    expect(message).toMatchObject({
      id: "424F2Bqx004411",
      localUser: "shopuser",
      uid: 1004,
      clientIp: "127.0.0.1",
    });
    expect(found.map((d) => d.recipient)).toEqual(["x1@gmail.com", "x2@gmail.com"]);
    expect(found.every((d) => d.remote && d.message === message)).toBe(true);
  });

  test("submission copy alone reports its hand-off", () => {
    const { events } = parse([MSP_FROM, MSP_TO]);
    const [message] = messages(events);
    const [handoff] = deliveries(events);

    expect(messages(events)).toHaveLength(1);
    expect(message).toMatchObject({
      id: "424F2BqT004410",
      localUser: "shopuser",
      uid: 1004,
      service: "local",
    });
    expect(deliveries(events)).toHaveLength(2);
    expect(handoff).toMatchObject({
      status: "sent",
      remote: false,
      handoff: "filter",
      submissionHandoff: true,
    });
  });

  test("hand-off before daemon copy counts once", () => {
    const { events } = parse([MSP_FROM, MSP_TO, MTA_FROM, MTA_TO]);
    const [message] = messages(events);
    const found = deliveries(events);
    const hops = found.filter((delivery) => delivery.handoff === "filter");
    const remote = found.filter((delivery) => delivery.remote);

    expect(messages(events)).toHaveLength(1);
    expect(message).toMatchObject({ id: "424F2Bqx004411", localUser: "shopuser", uid: 1004 });
    expect(remote.map((delivery) => delivery.recipient)).toEqual(["x1@gmail.com", "x2@gmail.com"]);
    expect(remote.every((delivery) => delivery.message === message)).toBe(true);
    // The hand-off still counts as a hop to the local MTA, but not as a delivery of the origin.
    expect(hops).toHaveLength(2);
    expect(hops.some((delivery) => delivery.submissionHandoff === true)).toBe(false);
  });

  test("both orders give the same events", () => {
    const summary = (lines: string[]): string[] =>
      parse(lines).events.map((event) =>
        event.type === "delivery"
          ? `${event.message.id} ${event.recipient} ${event.handoff ?? "-"} ${event.submissionHandoff === true}`
          : `${event.type} ${event.type === "message" ? event.message.id : ""}`,
      );
    const daemonFirst = summary([MSP_FROM, MTA_FROM, MSP_TO, MTA_TO]);
    const handoffFirst = summary([MSP_FROM, MSP_TO, MTA_FROM, MTA_TO]);

    expect([...handoffFirst].sort()).toEqual([...daemonFirst].sort());
  });

  test("daemon copy never logged keeps hand-off", () => {
    // The daemon's lines are missing, so the submission copy is reported once the wait ends.
    const later = `Mar  4 10:20:00 mx1 sendmail[4500]: 424F2CaA004500: from=root, size=30, class=0, nrcpts=1, msgid=<z9@mx1.example.com>, relay=root@localhost`;
    const { events } = parse([MSP_FROM, MSP_TO, later]);
    const [message] = messages(events);
    const [handoff] = deliveries(events);

    expect(message?.id).toBe("424F2BqT004410");
    expect(events.findIndex((event) => event.type === "message")).toBeLessThan(
      events.findIndex((event) => event.type === "delivery"),
    );
    expect(deliveries(events)).toHaveLength(2);
    expect(handoff).toMatchObject({ handoff: "filter", submissionHandoff: true });
  });

  test("submission through a smarthost is delivered by the submission copy", () => {
    const { events } = parse([
      MSP_FROM,
      `Mar  4 10:02:11 mx1 sendmail[4410]: 424F2BqT004410: to=x1@gmail.com, ctladdr=shopuser (1004/1004), delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=62301, relay=smarthost.example.net. [198.51.100.60], dsn=2.0.0, stat=Sent (queued)`,
    ]);
    const [delivery] = deliveries(events);

    expect(delivery?.remote).toBe(true);
    expect(delivery?.message.localUser).toBe("shopuser");
  });
});

describe("Sendmail session lines", () => {
  test.each([
    {
      line: "424EF3Ab003120: ruleset=check_rcpt, arg1=<nobody@example.com>, relay=host.example.org [198.51.100.96] (may be forged), reject=550 5.1.1 <nobody@example.com>... User unknown",
      expected: {
        type: "reject",
        stage: "RCPT",
        clientIp: "198.51.100.96",
        clientHost: "host.example.org",
        recipient: "nobody@example.com",
        sender: null,
        response: "550 5.1.1 <nobody@example.com>... User unknown",
      },
    },
    {
      line: "424EF3Ab003120: ruleset=check_mail, arg1=<spam@example.org>, relay=[203.0.113.9], reject=553 5.1.8 <spam@example.org>... Domain of sender address spam@example.org does not exist",
      expected: {
        type: "reject",
        stage: "MAIL",
        clientIp: "203.0.113.9",
        clientHost: null,
        sender: "spam@example.org",
        recipient: null,
      },
    },
    {
      line: "ruleset=check_relay, arg1=[203.0.113.10], arg2=203.0.113.10, relay=[203.0.113.10], reject=421 4.3.2 Connection rate limit exceeded.",
      expected: {
        type: "reject",
        stage: "CONNECT",
        clientIp: "203.0.113.10",
        response: "421 4.3.2 Connection rate limit exceeded.",
      },
    },
    {
      line: "424EF3Ab003120: rejecting commands from example.org [203.0.113.11] due to pre-greeting traffic after 6 seconds",
      expected: {
        type: "reject",
        stage: "CONNECT",
        clientIp: "203.0.113.11",
        clientHost: "example.org",
      },
    },
    {
      line: "424G1Ab0004101: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=alice@example.com, relay=host.example.com [192.0.2.3] (may be forged)",
      expected: {
        type: "auth-failure",
        clientIp: "192.0.2.3",
        username: "alice@example.com",
        program: "sm-mta",
        mta: "sendmail",
      },
    },
    {
      line: "424G1Ab1004102: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user=bob, relay=[192.0.2.100], relay=[192.0.2.4] (may be forged)",
      expected: { type: "auth-failure", clientIp: "192.0.2.4", username: "bob" },
    },
    {
      line: "NOQUEUE: ruleset=check_relay, arg1=[203.0.113.12], arg2=203.0.113.12, relay=[203.0.113.12], reject=550 5.7.1 Access denied",
      expected: {
        type: "reject",
        stage: "CONNECT",
        clientIp: "203.0.113.12",
        response: "550 5.7.1 Access denied",
      },
    },
    {
      line: "starting daemon (8.15.2): SMTP+queueing@00:15:00",
      expected: { type: "lifecycle", action: "start", mta: "sendmail", version: "8.15.2" },
    },
    {
      line: "424EF3Ab003120: STARTTLS=client, relay=gmail-smtp-in.l.google.com., version=TLSv1.3, verify=OK, cipher=TLS_AES_256_GCM_SHA384, bits=256/256",
      expected: {
        type: "tls",
        direction: "outbound",
        peerHost: "gmail-smtp-in.l.google.com",
        protocol: "TLSv1.3",
      },
    },
  ])("$line", ({ line, expected }) => {
    const { events, outcomes } = parse([`Feb 23 07:57:28 mx1 sm-mta[6519]: ${line}`]);

    expect(outcomes).toEqual({ parsed: 1, ignored: 0, unparsed: 0 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject(expected);
  });

  test.each([
    "424G2Cd0004103: some-host.example.org [192.0.2.194] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
    "424G2Cd1004104: lost input channel from mail.example.org [198.51.100.117] to MTA-v4 after rcpt",
    "424G2Cd2004105: [198.51.100.92]: possible SMTP attack: command=AUTH, count=5",
    "424G2Cd3004106: <nobody@example.com>... No such user here",
    "424G2Cd4004107: Milter: no active filter",
    "alias database /etc/aliases rebuilt by root",
    "424G2Cd5004108: AUTH=client, relay=smarthost.example.net., authid=relayuser, mech=PLAIN, bits=0",
    "NOQUEUE: connect from [203.0.113.13]",
  ])("ignored: %s", (line) => {
    const { events, outcomes } = parse([`Feb 23 07:57:28 mx1 sm-mta[6519]: ${line}`]);

    expect(outcomes.ignored).toBe(1);
    expect(events).toEqual([]);
  });

  test("other programs are not Sendmail's", () => {
    const { outcomes } = parse([
      "Mar  4 09:15:03 mx1 postfix/sendmail[1]: fatal: usage",
      "Mar  4 09:15:03 mx1 sm-notify[2]: Version 2.6.2 starting",
    ]);
    expect(outcomes).toEqual({ parsed: 0, ignored: 0, unparsed: 0 });
  });
});
