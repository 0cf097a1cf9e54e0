import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../../src/logs/events.js";
import {
  createPostfixParser,
  MAX_OPEN_MESSAGES,
  MAX_PENDING_RECIPIENTS,
  type StoreLimits,
} from "../../../src/logs/postfix/index.js";
import { eventsOf, toRecord } from "./fixture.js";

/** Queue id of the n-th test message: upper-case hex, as Postfix's short ids. */
function queueId(n: number): string {
  return (0xa00000 + n).toString(16).toUpperCase();
}

/** A syslog stamp on 4 March 2024, `second` seconds after 09:00:00. */
function stamp(second: number): string {
  const minutes = Math.floor(second / 60);
  const clock = `${String(9 + Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}`;
  return `Mar  4 ${clock} mx1`;
}

/** The lines of a submission that is queued but never removed. */
function submission(n: number, second: number): string[] {
  const id = queueId(n);
  return [
    `${stamp(second)} postfix/submission/smtpd[2211]: ${id}: client=laptop.example.net[198.51.100.7], sasl_method=PLAIN, sasl_username=user${n}@example.com`,
    `${stamp(second)} postfix/qmgr[901]: ${id}: from=<user${n}@example.com>, size=900, nrcpt=3 (queue active)`,
  ];
}

function deferral(n: number, recipient: string, second: number): string {
  return `${stamp(second)} postfix/smtp[2213]: ${queueId(n)}: to=<${recipient}>, relay=gmail-smtp-in.l.google.com[192.0.2.26]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[192.0.2.26] said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail. a1si1 - gsmtp (in reply to end of DATA command))`;
}

function delivery(n: number, recipient: string, second: number): string {
  return `${stamp(second)} postfix/smtp[2213]: ${queueId(n)}: to=<${recipient}>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK)`;
}

function run(lines: readonly string[], limits: StoreLimits) {
  const events: LogEvent[] = [];
  const parser = createPostfixParser((event) => events.push(event), limits);
  for (const [index, line] of lines.entries()) parser.parse(toRecord(line, index + 1));
  return { events, parser };
}

describe("Postfix memory bound", () => {
  it("caps open messages and counts evictions", () => {
    const lines = Array.from({ length: 30 }, (_, n) => submission(n, n)).flat();
    const { parser } = run(lines, { maxOpenMessages: 10, maxPendingRecipients: 1000 });

    // The cap is enforced before each line, so one message over it may be open after the last.
    expect(parser.openMessages).toBeLessThanOrEqual(11);
    expect(parser.evictedMessages).toBeGreaterThan(0);
    expect(parser.evictedMessages + parser.openMessages).toBe(30);
  });

  it("evicts the least recently active message first", () => {
    const { events, parser } = run(
      [
        ...submission(1, 1),
        ...submission(2, 2),
        ...submission(3, 3),
        deferral(1, "bob@gmail.com", 4),
        ...submission(4, 5),
        delivery(2, "carol@example.net", 6),
        delivery(1, "dave@example.net", 7),
      ],
      { maxOpenMessages: 3, maxPendingRecipients: 1000 },
    );
    const [, second, first] = eventsOf(events, "delivery");

    // Message 2 was the least recently active, so its later line has no earlier state.
    expect(second?.message.id).toBe(queueId(2));
    expect(second?.message.sender).toBeNull();
    expect(second?.message.saslUsername).toBeNull();
    // Message 1 had a line after message 2's last, so it is still correlated.
    expect(first?.message.saslUsername).toBe("user1@example.com");
    // The stub for message 2 took the count over the cap again, and message 3 went then.
    expect(parser.evictedMessages).toBe(2);
  });

  it("caps pending recipients over all messages", () => {
    const lines = [1, 2, 3].flatMap((n) => [
      ...submission(n, n * 10),
      ...["a", "b", "c"].map((user, index) => deferral(n, `${user}${n}@gmail.com`, n * 10 + index)),
    ]);
    const { parser } = run(lines, { maxOpenMessages: 100, maxPendingRecipients: 6 });

    expect(parser.evictedMessages).toBeGreaterThan(0);
    expect(parser.openMessages).toBeLessThan(3);
  });

  it("expires an evicted message without its recipients", () => {
    const { events } = run(
      [
        ...submission(1, 1),
        deferral(1, "bob@gmail.com", 2),
        ...submission(2, 3),
        ...submission(3, 4),
        `${stamp(5)} postfix/qmgr[901]: ${queueId(1)}: from=<user1@example.com>, status=expired, returned to sender`,
      ],
      { maxOpenMessages: 1, maxPendingRecipients: 1000 },
    );
    const expired = eventsOf(events, "delivery").filter((event) => event.status === "expired");

    expect(expired).toHaveLength(1);
    expect(expired[0]?.recipient).toBe("");
  });

  it("forgets a recipient once its delivery ends", () => {
    const { events } = run(
      [
        ...submission(1, 1),
        deferral(1, "bob@gmail.com", 2),
        deferral(1, "carol@gmail.com", 2),
        delivery(1, "bob@gmail.com", 3),
        deferral(1, "bob@gmail.com", 4),
        `${stamp(5)} postfix/qmgr[901]: ${queueId(1)}: from=<user1@example.com>, status=expired, returned to sender`,
      ],
      { maxOpenMessages: 10, maxPendingRecipients: 10 },
    );
    const deliveries = eventsOf(events, "delivery");
    const expired = deliveries.filter((event) => event.status === "expired");

    // The delivered recipient left the pending deferrals. A later line for it repeats an
    // ended delivery, so it makes no event and leaves nothing pending to expire.
    expect(deliveries.map((event) => event.firstAttempt)).toEqual([true, true, false, false]);
    expect(expired.map((event) => event.recipient)).toEqual(["carol@gmail.com"]);
    expect(expired[0]?.response).toContain("421-4.7.28");
  });

  it("has defaults that bound a run", () => {
    const parser = createPostfixParser(() => undefined);

    expect(MAX_OPEN_MESSAGES).toBeGreaterThanOrEqual(10_000);
    expect(MAX_PENDING_RECIPIENTS).toBeGreaterThanOrEqual(10_000);
    expect(parser.evictedMessages).toBe(0);
  });
});
