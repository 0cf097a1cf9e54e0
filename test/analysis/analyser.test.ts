import { describe, expect, test } from "vitest";
import { LogAnalyser, type LogFacts } from "../../src/analysis/analyser.js";
import type { LogEvent } from "../../src/logs/events.js";
import { createPostfixParser } from "../../src/logs/postfix/index.js";
import type { LogRecord } from "../../src/logs/record.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

// Events of a small log: two accounts, Gmail deferrals and retries of one recipient.
function logEvents(): LogEvent[] {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `friend${hour}@gmail.com`, outcome: GMAIL_RATE_LIMIT }],
    });
    log.submit({
      time: T0 + hour * HOUR + 60_000,
      account: "bob@example.com",
      clientIp: "198.51.100.11",
      recipients: [
        { address: "partner@example.net", outcome: SENT },
        { address: "partner@example.net", outcome: SENT },
      ],
    });
  }
  const events: LogEvent[] = [];
  const parser = createPostfixParser((event) => events.push(event));
  log
    .text()
    .split("\n")
    .filter((text) => text !== "")
    .forEach((text, index) => parser.parse(recordOf(text, index + 1)));
  return events;
}

// `2024-03-04T00:00:00.000+00:00 mail postfix/smtp[1001]: message` as a record.
function recordOf(text: string, line: number): LogRecord {
  const [stamp = "", host = "", tag = ""] = text.split(" ", 3);
  const message = text.slice(stamp.length + host.length + tag.length + 3);
  const program = tag.slice(0, tag.indexOf("["));
  const time = Date.parse(stamp);
  return { time, host, program, pid: null, message, file: "mail.log", line, syslogHeader: true };
}

function counts(facts: LogFacts) {
  const gmail = facts.providers.get("gmail");
  const alice = facts.origins.accounts.get("alice@example.com");
  const bob = facts.origins.accounts.get("bob@example.com");
  return {
    attempts: gmail?.attempts,
    deferredRecipients: gmail?.deferredRecipients,
    aliceRecipients: alice?.recipients,
    aliceMessages: alice?.messages,
    bobRecipients: bob?.recipients,
    hours: facts.volume.hours.size,
  };
}

describe("LogAnalyser", () => {
  test("keeps message state in the slot", () => {
    const events = logEvents();
    const analyser = new LogAnalyser(createReplyClassifier());
    for (const event of events) analyser.handle(event);
    const delivery = events.find((event) => event.type === "delivery");
    expect(delivery?.message.analysisState).not.toBeNull();
  });

  test("two analysers over shared messages", () => {
    const events = logEvents();
    const first = new LogAnalyser(createReplyClassifier());
    const second = new LogAnalyser(createReplyClassifier());
    for (const event of events) {
      first.handle(event);
      second.handle(event);
    }
    const alone = new LogAnalyser(createReplyClassifier());
    for (const event of logEvents()) alone.handle(event);

    const expected = counts(alone.finish());
    expect(expected.attempts).toBe(3);
    expect(expected.deferredRecipients).toBe(3);
    expect(expected.aliceMessages).toBe(3);
    expect(counts(first.finish())).toEqual(expected);
    expect(counts(second.finish())).toEqual(expected);
  });
});
