import { describe, expect, test } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

// Lines as Exim writes them with `log_selector = +dnssec`: ` DS` between the host name and
// the address on delivery lines, and before `H=` on arrival and reject lines.

const ID = "1tb1Ab-000073-bx";
const ARRIVAL = `2026-03-11 02:00:00 ${ID} <= alice@example.com H=(laptop) [198.51.100.7] P=esmtpsa S=4312`;

function ofType<T extends LogEvent["type"]>(
  events: LogEvent[],
  type: T,
): Extract<LogEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LogEvent, { type: T }> => event.type === type);
}

function parse(lines: string[]): ReturnType<typeof runParser> {
  return runParser(createEximParser, lines);
}

describe("Exim DS mark on delivery lines", () => {
  test.each([
    ["mx.example.net DS [192.0.2.10]:25", "mx.example.net", "192.0.2.10", 25],
    ["mx.example.net DS [192.0.2.10]", "mx.example.net", "192.0.2.10", null],
    ["mx6.example.net DS [2001:db8::25]:25", "mx6.example.net", "2001:db8::25", 25],
    ["mx6.example.net DS [2001:db8::25]", "mx6.example.net", "2001:db8::25", null],
  ])("sent with H=%s", (host, name, ip, port) => {
    const { events, outcomes } = parse([
      ARRIVAL,
      `2026-03-11 02:00:05 ${ID} => bob@example.net R=dnslookup T=remote_smtp H=${host} I=[192.0.2.1] X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes C="250 2.0.0 OK"`,
    ]);
    const delivery = ofType(events, "delivery")[0];

    expect(outcomes.unparsed).toBe(0);
    expect(delivery?.status).toBe("sent");
    expect(delivery?.relayHost).toBe(name);
    expect(delivery?.relayIp).toBe(ip);
    expect(delivery?.relayPort).toBe(port);
    expect(delivery?.response).toBe("250 2.0.0 OK");
    expect(ofType(events, "tls")[0]?.protocol).toBe("TLSv1.3");
  });

  test("bounce with port and reply", () => {
    const reply =
      "SMTP error from remote mail server after RCPT TO:<bob@example.net>: 550 5.1.1 <bob@example.net>: Recipient address rejected";
    const { events } = parse([
      ARRIVAL,
      `2026-03-11 02:00:05 ${ID} ** bob@example.net R=dnslookup T=remote_smtp H=mx.example.net DS [192.0.2.10]:25: ${reply}`,
    ]);
    const bounce = ofType(events, "delivery")[0];

    expect(bounce?.status).toBe("bounced");
    expect(bounce?.relayHost).toBe("mx.example.net");
    expect(bounce?.relayIp).toBe("192.0.2.10");
    expect(bounce?.relayPort).toBe(25);
    expect(bounce?.response).toBe(reply);
  });

  test("deferral with IPv6 address and reply", () => {
    const reply = "SMTP error from remote mail server after end of data: 451 4.7.1 Try again later";
    const { events } = parse([
      ARRIVAL,
      `2026-03-11 02:00:05 ${ID} == bob@example.net R=dnslookup T=remote_smtp defer (-46) H=mx6.example.net DS [2001:db8::25]: ${reply}`,
    ]);
    const deferral = ofType(events, "delivery")[0];

    expect(deferral?.status).toBe("deferred");
    expect(deferral?.relayHost).toBe("mx6.example.net");
    expect(deferral?.relayIp).toBe("2001:db8::25");
    expect(deferral?.relayPort).toBeNull();
    expect(deferral?.response).toBe(reply);
  });

  test("reply containing DS keeps the host", () => {
    const reply =
      "SMTP error from remote mail server after RCPT TO:<bob@example.net>: 550 5.7.1 DS [192.0.2.99] is listed";
    const { events } = parse([
      ARRIVAL,
      `2026-03-11 02:00:05 ${ID} ** bob@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.10]: ${reply}`,
    ]);
    const bounce = ofType(events, "delivery")[0];

    expect(bounce?.relayHost).toBe("mx.example.net");
    expect(bounce?.relayIp).toBe("192.0.2.10");
    expect(bounce?.response).toBe(reply);
  });

  test("host named DS stays a host", () => {
    const { events } = parse([
      ARRIVAL,
      `2026-03-11 02:00:05 ${ID} => ds@example.net R=dnslookup T=remote_smtp H=DS [192.0.2.11]:25`,
    ]);
    const delivery = ofType(events, "delivery")[0];

    expect(delivery?.recipient).toBe("ds@example.net");
    expect(delivery?.relayHost).toBe("DS");
    expect(delivery?.relayIp).toBe("192.0.2.11");
    expect(delivery?.relayPort).toBe(25);
  });
});

describe("Exim DS mark on arrival lines", () => {
  test.each([
    ["DS H=mail.example.net (helo.example.net) [192.0.2.20]:41000", "mail.example.net"],
    ["H=mail.example.net DS [192.0.2.20]:41000", "mail.example.net"],
  ])("arrival with %s", (host, name) => {
    const { events } = parse([
      `2026-03-11 02:00:00 ${ID} <= alice@example.org ${host} P=esmtps S=900 for bob@example.com`,
    ]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.sender).toBe("alice@example.org");
    expect(message?.clientHost).toBe(name);
    expect(message?.clientIp).toBe("192.0.2.20");
    expect(message?.service).toBe("esmtps");
    expect(message?.recipientCount).toBe(1);
  });

  test("IPv6 client after DS", () => {
    const { events } = parse([
      `2026-03-11 02:00:00 ${ID} <= alice@example.org DS H=mail6.example.net [2001:db8::20]:41000 P=esmtp S=900`,
    ]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.clientHost).toBe("mail6.example.net");
    expect(message?.clientIp).toBe("2001:db8::20");
  });

  test("HELO containing DS stays whole", () => {
    const { events } = parse([
      `2026-03-11 02:00:00 ${ID} <= alice@example.org H=mail.example.net (x DS [y]) [192.0.2.21] P=esmtp S=900`,
    ]);
    const message = ofType(events, "message")[0]?.message;

    expect(message?.clientHost).toBe("mail.example.net");
    expect(message?.helo).toBe("x DS [y]");
    expect(message?.clientIp).toBe("192.0.2.21");
  });
});

describe("Exim DS mark on reject lines", () => {
  // Exim writes ` DS` and then `H=…` with no space between them, so the stamp is followed by
  // two spaces, or the message id by two spaces on a reject after DATA.
  test.each([
    "2026-03-11 02:00:00  DSH=",
    "2026-03-11 02:00:00 [4711]  DSH=",
    `2026-03-11 02:00:00 ${ID}  DSH=`,
  ])("reject after %s", (prefix) => {
    const { events, outcomes } = parse([
      `${prefix}mail.example.net [192.0.2.22]:41000 F=<alice@example.org> rejected RCPT <nobody@example.com>: Unknown user`,
    ]);
    const reject = ofType(events, "reject")[0];

    expect(outcomes).toEqual({ parsed: 1, ignored: 0, unparsed: 0 });
    expect(reject?.clientHost).toBe("mail.example.net");
    expect(reject?.clientIp).toBe("192.0.2.22");
    expect(reject?.stage).toBe("RCPT");
    expect(reject?.sender).toBe("alice@example.org");
    expect(reject?.recipient).toBe("nobody@example.com");
    expect(reject?.response).toBe("Unknown user");
  });

  test("IPv6 client dropped by ACL", () => {
    const { events } = parse([
      `2026-03-11 02:00:00  DSH=mail6.example.net [2001:db8::22]:41000 dropped by 'connect' ACL: Too many connections`,
    ]);
    const reject = ofType(events, "reject")[0];

    expect(reject?.clientHost).toBe("mail6.example.net");
    expect(reject?.clientIp).toBe("2001:db8::22");
    expect(reject?.stage).toBe("CONNECT");
    expect(reject?.response).toBe("Too many connections");
  });

  test("s6-log line with two spaces stays s6-log", () => {
    const { outcomes } = parse(["2026-03-11 02:00:00  DSHOW starting up"]);

    expect(outcomes).toEqual({ parsed: 0, ignored: 0, unparsed: 0 });
  });
});
