import { describe, expect, test } from "vitest";
import { LogAnalyser, type LogFacts } from "../../src/analysis/analyser.js";
import type { BounceResult } from "../../src/bounce/types.js";
import type { LogEvent } from "../../src/logs/events.js";
import { createPostfixParser } from "../../src/logs/postfix/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { HOUR, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";

const DAY = 24 * HOUR;
// The log below runs from T0 to about T0 + 3 hours.
const LOG_END = T0 + 3 * HOUR;

// Events of a small Postfix log: one message an hour for four hours from T0.
function logEvents(): LogEvent[] {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "news@example.com",
      clientIp: "198.51.100.10",
      recipients: [{ address: `reader${hour}@example.net`, outcome: SENT }],
    });
  }
  const events: LogEvent[] = [];
  const parser = createPostfixParser((event) => events.push(event));
  const lines = log.text().split("\n");
  lines.forEach((text, index) => {
    if (text === "") return;
    // `2024-03-04T00:00:00.000+00:00 mail postfix/smtp[1001]: message`
    const [stamp = "", host = "", tag = ""] = text.split(" ", 3);
    parser.parse({
      time: Date.parse(stamp),
      host,
      program: tag.slice(0, tag.indexOf("[")),
      pid: null,
      message: text.slice(stamp.length + host.length + tag.length + 3),
      file: "mail.log",
      line: index + 1,
      syslogHeader: true,
    });
  });
  return events;
}

// One recipient result as the bounce readers return it, dated by its message's Date.
function result(kind: BounceResult["kind"], time: number | null, fields: Partial<BounceResult>) {
  const base: BounceResult = {
    file: `${kind}.eml`,
    messageDate: time === null ? null : new Date(time).toISOString(),
    kind,
    format: kind === "dsn" ? "rfc3464" : kind,
    recipient: "reader@example.net",
    originalSender: "news@example.com",
    action: null,
    status: null,
    replyCode: null,
    diagnosticText: "",
    remoteMta: null,
    time: null,
    category: "unknown",
    ruleId: "unknown",
    provider: null,
    providerToken: null,
    permanent: true,
    hardBounce: false,
    reason: "undefined",
    feedbackType: null,
    queueId: null,
  };
  return { ...base, ...fields };
}

function complaint(time: number | null): BounceResult {
  return result("feedback", time, { feedbackType: "abuse", reason: "feedback" });
}

const STATUS_OF_ACTION = { failed: "5.1.1", delayed: "4.4.1", delivered: "2.0.0" } as const;

function dsn(time: number, action: keyof typeof STATUS_OF_ACTION): BounceResult {
  return result("dsn", time, {
    action,
    status: STATUS_OF_ACTION[action],
    permanent: action === "failed",
    remoteMta: "mx.example.net",
  });
}

function analyse(bounces: readonly BounceResult[], withLog = true): LogFacts {
  const analyser = new LogAnalyser(createReplyClassifier());
  if (withLog) for (const event of logEvents()) analyser.handle(event);
  for (const bounce of bounces) analyser.addBounce(bounce);
  return analyser.finish();
}

describe("complaints outside the log", () => {
  test("complaint years before is left out", () => {
    const facts = analyse([complaint(Date.UTC(2019, 4, 1))]);
    expect(facts.bounceInput.complaints).toBe(1);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(1);
    expect(facts.complaints.count).toBe(0);
    expect(facts.complaints.firstTime).toBeNull();
  });

  test("complaint days after the log counts", () => {
    const facts = analyse([complaint(LOG_END + 2 * DAY)]);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(0);
    expect(facts.complaints.count).toBe(1);
    expect(facts.complaints.firstTime).toBe(LOG_END + 2 * DAY);
  });

  test("window edges", () => {
    const facts = analyse([
      complaint(T0 - DAY + 60_000),
      complaint(T0 - DAY - 60_000),
      complaint(LOG_END + 7 * DAY - 60_000),
      complaint(LOG_END + 7 * DAY + 60_000),
    ]);
    expect(facts.bounceInput.complaints).toBe(4);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(2);
    expect(facts.complaints.count).toBe(2);
  });

  test("undated complaint counts", () => {
    const facts = analyse([complaint(null)]);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(0);
    expect(facts.complaints.count).toBe(1);
  });

  test("no window without a log", () => {
    const facts = analyse([complaint(Date.UTC(2019, 4, 1))], false);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(0);
    expect(facts.complaints.count).toBe(1);
  });

  test("earlier bounces do not widen the window", () => {
    // A failure six days after the log is inside the window. Had it widened the window, the
    // complaint and the failure ten days after the log would be inside too.
    const facts = analyse([
      dsn(LOG_END + 6 * DAY, "failed"),
      complaint(LOG_END + 10 * DAY),
      dsn(LOG_END + 10 * DAY, "failed"),
    ]);
    expect(facts.bounceInput.failed).toBe(2);
    expect(facts.bounceInput.outsideLog).toBe(1);
    expect(facts.bounceInput.complaintsOutsideLog).toBe(1);
    expect(facts.complaints.count).toBe(0);
  });
});

describe("bounces outside the log", () => {
  test("left-out count is failed and delayed", () => {
    const old = Date.UTC(2019, 4, 1);
    const facts = analyse([
      dsn(old, "failed"),
      dsn(old, "delayed"),
      dsn(old, "delivered"),
      dsn(old, "delivered"),
    ]);
    const input = facts.bounceInput;
    expect(input.results).toBe(4);
    expect(input.failed).toBe(1);
    expect(input.delayed).toBe(1);
    expect(input.outsideLog).toBe(2);
    expect(input.outsideLog).toBeLessThanOrEqual(input.failed + input.delayed);
  });
});
