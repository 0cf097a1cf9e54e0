import { describe, expect, test } from "vitest";
import { LogAnalyser, type LogFacts } from "../../src/analysis/analyser.js";
import { RECIPIENT_DOMAIN_CAPACITY } from "../../src/analysis/recipient-domains.js";
import { createPostfixParser } from "../../src/logs/postfix/index.js";
import type { LogRecord } from "../../src/logs/record.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import {
  GREYLISTED,
  NO_SUCH_USER,
  retriedMessage,
  YAHOO_DEFERRAL,
} from "../helpers/domain-fixture.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

/** Parses a fixture log and returns the analysis facts. */
function analyse(log: PostfixLog): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  const parser = createPostfixParser((event) => analyser.handle(event));
  log
    .text()
    .split("\n")
    .filter((text) => text !== "")
    .forEach((text, index) => parser.parse(recordOf(text, index + 1)));
  parser.finish();
  return analyser.finish();
}

// `2024-03-04T00:00:00.000+00:00 mail postfix/smtp[1001]: message` as a record.
function recordOf(text: string, line: number): LogRecord {
  const [stamp = "", host = "", tag = ""] = text.split(" ", 3);
  const message = text.slice(stamp.length + host.length + tag.length + 3);
  const program = tag.slice(0, tag.indexOf("["));
  const time = Date.parse(stamp);
  return { time, host, program, pid: null, message, file: "mail.log", line, syslogHeader: true };
}

function domainRow(facts: LogFacts, domain: string) {
  return facts.recipientDomains
    .top(RECIPIENT_DOMAIN_CAPACITY)
    .find((entry) => entry.key === domain);
}

function submit(log: PostfixLog, time: number, addresses: string[], outcome = SENT): string {
  return log.submit({
    time,
    account: "alice@example.com",
    clientIp: "198.51.100.10",
    recipients: addresses.map((address) => ({ address, outcome })),
  });
}

describe("recipient domain table", () => {
  test("counts each domain's results", () => {
    const log = new PostfixLog();
    retriedMessage(log, "4A1B2C3D4E", T0, [
      { address: "one@example.net", outcomes: [SENT] },
      { address: "two@example.net", outcomes: [GREYLISTED, GREYLISTED, SENT] },
      { address: "three@example.org", outcomes: [NO_SUCH_USER] },
    ]);

    const facts = analyse(log);
    const net = domainRow(facts, "example.net");
    const org = domainRow(facts, "example.org");

    expect(facts.recipientDomains.isExact).toBe(true);
    expect(net?.overcount).toBe(0);
    expect(net?.value.provider).toBe("other");
    expect(net?.value.attempts).toBe(4);
    expect(net?.value.sent).toBe(2);
    expect(net?.value.deferred).toBe(2);
    expect(net?.value.deferredRecipients).toBe(1);
    expect(net?.value.bounced).toBe(0);
    expect(net?.value.codes).toEqual(new Map([["450 4.2.0", 2]]));
    expect(org?.value.attempts).toBe(1);
    expect(org?.value.bounced).toBe(1);
    expect(org?.value.codes).toEqual(new Map([["550 5.1.1", 1]]));
  });

  test("folds upper-case domains together", () => {
    const log = new PostfixLog();
    submit(log, T0, ["one@Example.NET", "two@example.net", "three@EXAMPLE.net"]);

    const facts = analyse(log);

    expect(facts.recipientDomains.top(10).map((entry) => entry.key)).toEqual(["example.net"]);
    expect(domainRow(facts, "example.net")?.value.sent).toBe(3);
  });

  test("stays bounded past its capacity", () => {
    const log = new PostfixLog();
    for (let i = 0; i < 20; i++) submit(log, T0 + i * 1000, [`early${i}@early.example.com`]);
    const spray = RECIPIENT_DOMAIN_CAPACITY + 1500;
    for (let i = 0; i < spray; i++) submit(log, T0 + HOUR + i * 10, [`user@d${i}.example.org`]);
    for (let i = 0; i < 30; i++)
      submit(log, T0 + 3 * HOUR + i * 1000, [`late${i}@late.example.com`]);

    const facts = analyse(log);
    const all = facts.recipientDomains.top(spray);
    const early = domainRow(facts, "early.example.com");
    const late = domainRow(facts, "late.example.com");

    expect(facts.recipientDomains.isExact).toBe(false);
    expect(all).toHaveLength(RECIPIENT_DOMAIN_CAPACITY);
    expect(early?.overcount).toBe(0);
    expect(early?.value.attempts).toBe(20);
    expect(early?.value.sent).toBe(20);
    // The late domain replaced a domain with one result, so its counts are exact from its
    // first attempt on, and at most one earlier result is uncounted.
    expect(late?.overcount).toBe(1);
    expect(late?.value.attempts).toBe(30);
    expect(all.slice(0, 2).map((entry) => entry.key)).toEqual([
      "late.example.com",
      "early.example.com",
    ]);
  });
});

describe("deferred messages", () => {
  test("count once per row and once in all", () => {
    const log = new PostfixLog();
    log.submit({
      time: T0,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [
        { address: "one@gmail.com", outcome: GMAIL_RATE_LIMIT },
        { address: "two@yahoo.com", outcome: YAHOO_DEFERRAL },
      ],
    });
    submit(log, T0 + HOUR, ["three@gmail.com", "four@gmail.com"], GMAIL_RATE_LIMIT);
    submit(log, T0 + 2 * HOUR, ["five@gmail.com"]);

    const facts = analyse(log);
    const gmail = facts.providers.get("gmail");
    const yahoo = facts.providers.get("yahoo");

    expect(gmail?.deferred).toBe(3);
    expect(gmail?.deferredRecipients).toBe(3);
    expect(gmail?.deferredMessages).toBe(2);
    expect(yahoo?.deferredMessages).toBe(1);
    expect(facts.deferredMessages).toBe(2);
  });

  test("retries add no message", () => {
    const log = new PostfixLog();
    retriedMessage(log, "4A1B2C3D4E", T0, [
      { address: "one@example.net", outcomes: [GREYLISTED, GREYLISTED] },
      { address: "two@example.net", outcomes: [GREYLISTED, GREYLISTED] },
    ]);

    const facts = analyse(log);
    const other = facts.providers.get("other");

    expect(other?.deferred).toBe(4);
    expect(other?.deferredRecipients).toBe(2);
    expect(other?.deferredMessages).toBe(1);
    expect(facts.deferredMessages).toBe(1);
  });
});
