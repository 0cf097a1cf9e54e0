import { describe, expect, test } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1rhA2b-000Abc-1x";

function only(line: string): { event: LogEvent | undefined; outcome: string } {
  const run = runParser(createEximParser, [line]);
  const outcome = Object.entries(run.outcomes).find(([, count]) => count > 0)?.[0] ?? "none";
  expect(run.events.length).toBeLessThanOrEqual(1);
  return { event: run.events[0], outcome };
}

describe("Exim rejects", () => {
  test.each([
    {
      line: "H=(example.org) [198.51.100.9]:40011 F=<promo@example.org> rejected RCPT <nobody@example.com>: No Such User Here",
      expected: {
        clientIp: "198.51.100.9",
        clientHost: null,
        stage: "RCPT",
        sender: "promo@example.org",
        recipient: "nobody@example.com",
        response: "No Such User Here",
      },
    },
    {
      line: 'H=mx.example.org [198.51.100.7]:53343 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<info@example.org> rejected RCPT <a@example.com>: "JunkMail rejected - listed"',
      expected: {
        clientIp: "198.51.100.7",
        clientHost: "mx.example.org",
        stage: "RCPT",
        sender: "info@example.org",
        recipient: "a@example.com",
        response: '"JunkMail rejected - listed"',
      },
    },
    {
      line: "H=(WIN-ABC) [203.0.113.21]:40123 rejected MAIL <a@example.com>: Access denied - Invalid HELO name",
      expected: {
        clientIp: "203.0.113.21",
        stage: "MAIL",
        sender: "a@example.com",
        recipient: null,
        response: "Access denied - Invalid HELO name",
      },
    },
    {
      line: "rejected EHLO from [203.0.113.22]: syntactically invalid argument(s): bad_name",
      expected: {
        clientIp: null,
        stage: "EHLO",
        response: "syntactically invalid argument(s): bad_name",
      },
    },
    {
      line: 'H=test.example.org [198.51.100.8]:18146 temporarily rejected connection in "connect" ACL: "Host is ratelimited"',
      expected: { clientIp: "198.51.100.8", stage: "CONNECT", response: '"Host is ratelimited"' },
    },
    {
      line: 'SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[203.0.113.23] input="GET / HTTP/1.1\\r\\nHost: 192.0.2.1:25\\r\\n"',
      expected: {
        clientIp: "203.0.113.23",
        stage: "CONNECT",
        response: "SMTP protocol synchronization error (input sent without waiting for greeting)",
      },
    },
    {
      line: "H=[203.0.113.24]:62839 dropped by 'connect' ACL: Country is banned",
      expected: { clientIp: "203.0.113.24", stage: "CONNECT", response: "Country is banned" },
    },
    {
      line: `${ID} H=(x) [203.0.113.25] F=<a@example.org> rejected after DATA: This message contains a virus`,
      expected: {
        clientIp: "203.0.113.25",
        stage: "DATA",
        sender: "a@example.org",
        response: "This message contains a virus",
      },
    },
    {
      line: `${ID} a@example.org H=(x) [203.0.113.26] P=smtp rejected by local_scan(): Rejected`,
      expected: { clientIp: "203.0.113.26", stage: "DATA", response: "Rejected" },
    },
  ])("$line", ({ line, expected }) => {
    const { event, outcome } = only(`2024-03-04 09:20:07 ${line}`);
    expect(outcome).toBe("parsed");
    expect(event?.type).toBe("reject");
    expect(event).toMatchObject(expected);
  });
});

describe("Exim reject codes", () => {
  test.each([
    [
      "H=(x) [203.0.113.30] F=<a@example.org> rejected RCPT <b@example.com>: relay not permitted",
      "5xx",
    ],
    ["H=(x) [203.0.113.31] F=<a@example.org> temporarily rejected RCPT <b@example.com>", "4xx"],
    [
      "H=(x) [203.0.113.32] F=<a@example.org> rejected RCPT <b@example.com>: 550 5.7.1 Listed at a DNSBL",
      "550 5.7.1",
    ],
    [
      "H=(x) [203.0.113.33] F=<a@example.org> temporarily rejected RCPT <b@example.com>: 451-Greylisted, try later",
      "451",
    ],
    // A 5xx code in the reason of a temporary reject is not the code sent.
    [
      "H=(x) [203.0.113.34] F=<a@example.org> temporarily rejected RCPT <b@example.com>: 550 looks permanent",
      "4xx",
    ],
    // A callout failure starts with the called host's address, whose first octet is no code.
    [
      "H=(x) [203.0.113.35] F=<a@example.org> rejected RCPT <b@example.net>: 127.0.0.1 [127.0.0.1] : SMTP error from remote mail server after RCPT TO:<b@example.net>: 550 Recipient not liked",
      "5xx",
    ],
    [
      `${ID} b@example.org H=(x) [203.0.113.36] P=smtp temporarily rejected by local_scan(): Temporary local problem`,
      "4xx",
    ],
  ])("%s", (line, replyCode) => {
    const { event } = only(`2024-03-04 09:20:07 ${line}`);
    expect(event?.type).toBe("reject");
    expect(event).toMatchObject({ replyCode });
  });
});

describe("Exim authentication failures", () => {
  test.each([
    [
      "dovecot_login authenticator failed for (User) [203.0.113.10]:50221: 535 Incorrect authentication data (set_id=alice@example.com)",
      "203.0.113.10",
      "alice@example.com",
    ],
    [
      "dovecot_login authenticator failed for host.example.net ([192.0.2.6]) [203.0.113.11]:51451: 535 Incorrect authentication data (set_id=bob)",
      "203.0.113.11",
      "bob",
    ],
    [
      "login authenticator failed for no-port.example.org [203.0.113.12]: 535 Incorrect authentication data",
      "203.0.113.12",
      null,
    ],
  ])("%s", (line, clientIp, username) => {
    const { event } = only(`2024-03-04 09:20:05 ${line}`);
    expect(event).toMatchObject({
      type: "auth-failure",
      clientIp,
      username,
      program: "exim",
      mta: "exim",
    });
  });
});

describe("Exim daemon and session lines", () => {
  test("daemon start with version", () => {
    const { event } = only(
      "2024-03-04 08:00:00 exim 4.96 daemon started: pid=2001, -q30m, listening for SMTP on port 25 (IPv4)",
    );
    expect(event).toMatchObject({
      type: "lifecycle",
      action: "start",
      mta: "exim",
      version: "4.96",
    });
  });

  test("restart on SIGHUP", () => {
    const { event } = only("2024-03-04 08:00:01 pid 2001: SIGHUP received: re-exec daemon");
    expect(event).toMatchObject({ type: "lifecycle", action: "reload", version: null });
  });

  test("host-level SMTP error becomes a session reply", () => {
    const run = runParser(createEximParser, [
      `2024-03-04 09:15:02 ${ID} <= a@example.com U=alice P=local S=1`,
      `2024-03-04 09:15:03 ${ID} H=mx1.example.net [198.51.100.40]: SMTP error from remote mail server after initial connection: 421 4.7.0 Try again later, closing connection.`,
      `2024-03-04 09:15:04 ${ID} SMTP error from remote mail server after MAIL FROM:<a@example.com>: host mx2.example.net [198.51.100.41]: 451 4.3.0 Busy`,
    ]);
    const replies = run.events.filter((event) => event.type === "session-reply");
    const message = run.events[0]?.type === "message" ? run.events[0].message : undefined;

    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatchObject({
      relayHost: "mx1.example.net",
      relayIp: "198.51.100.40",
      response:
        "SMTP error from remote mail server after initial connection: 421 4.7.0 Try again later, closing connection.",
    });
    expect(replies[0]?.message).toBe(message);
    expect(replies[1]).toMatchObject({ relayHost: "mx2.example.net", relayIp: "198.51.100.41" });
  });

  test.each([
    "SMTP connection from (example.org) [198.51.100.9]:40011 lost D=2s",
    "Start queue run: pid=12345",
    "End queue run: pid=12345",
    "no host name found for IP address 203.0.113.186",
    "TLS error on connection from [203.0.113.16]:40200 (SSL_accept): wrong version number",
    "SMTP call from (localhost) [203.0.113.180]:28034 dropped: too many syntax or protocol errors",
    "H=(x) [203.0.113.1] sender verify fail for <a@example.org>: Unrouteable address",
    `${ID} retry time not reached for any host for 'example.net'`,
    `${ID} Connection refused`,
    `${ID} a@example.org: error ignored`,
    `${ID} recipient <b@example.org> added by root`,
    "SNI <mail.example.com>",
  ])("ignored: %s", (line) => {
    const { event, outcome } = only(`2024-03-04 09:20:09 ${line}`);
    expect(outcome).toBe("ignored");
    expect(event).toBeUndefined();
  });

  test("removed by root ends the message without an event", () => {
    const run = runParser(createEximParser, [
      `2024-03-04 09:15:02 ${ID} <= a@example.com U=alice P=local S=1`,
      `2024-03-04 09:16:00 ${ID} removed by root`,
      `2024-03-04 09:17:00 ${ID} => b@example.org R=r T=remote_smtp H=mx.example.org [198.51.100.2]`,
    ]);
    const arrival = run.events.find((event) => event.type === "message");
    const delivery = run.events.find((event) => event.type === "delivery");

    expect(run.events.map((event) => event.type)).toEqual(["message", "delivery"]);
    expect(delivery?.message).not.toBe(arrival?.message);
  });

  test("unknown text is counted as unparsed", () => {
    expect(only(`2024-03-04 09:20:09 something new from Exim`).outcome).toBe("unparsed");
    expect(only(`2024-03-04 09:20:09 ${ID} spf_result pass`).outcome).toBe("unparsed");
  });

  test("through syslog, with Exim's own stamp and pid", () => {
    const run = runParser(
      createEximParser,
      [
        `Mar  4 09:15:02 mx1 exim[1234]: 2024-03-04 09:15:02 [1234] ${ID} <= a@example.com U=alice P=local S=1`,
        `Mar  4 09:15:03 mx1 exim4[1235]: [1235] H=(x) [203.0.113.7] F=<a@example.org> rejected RCPT <b@example.com>: relay not permitted`,
      ],
      { year: 2024 },
    );
    const arrival = run.events.find((event) => event.type === "message");
    const reject = run.events.find((event) => event.type === "reject");

    expect(arrival?.message.host).toBe("mx1");
    expect(reject).toMatchObject({ type: "reject", clientIp: "203.0.113.7", stage: "RCPT" });
  });
});
