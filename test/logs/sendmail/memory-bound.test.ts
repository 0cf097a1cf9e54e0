import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { createSendmailParser, type SendmailParser } from "../../../src/logs/sendmail/index.js";
import { runParser } from "../exim/frame.js";

function queueId(n: number): string {
  return `424EF3Ab00${String(n).padStart(4, "0")}`;
}

function from(n: number, second: number): string {
  return `Mar  4 09:15:${String(second).padStart(2, "0")} mx1 sm-mta[3120]: ${queueId(n)}: from=<user${n}@example.com>, size=900, class=0, nrcpts=1, msgid=<m${n}@example.com>, proto=ESMTPSA, daemon=MTA, relay=laptop.example.com [198.51.100.7]`;
}

function to(n: number, second: number, stat = "Sent (ok)", dsn = "2.0.0"): string {
  return `Mar  4 09:15:${String(second).padStart(2, "0")} mx1 sm-mta[3121]: ${queueId(n)}: to=<bob@example.net>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.30], dsn=${dsn}, stat=${stat}`;
}

function deliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

describe("Sendmail memory bound", () => {
  test("caps open messages and announces the evicted ones", () => {
    let parser: SendmailParser | undefined;
    const { events } = runParser(
      (sink) => (parser = createSendmailParser(sink, 2)),
      [from(1, 1), from(2, 2), from(3, 3), from(4, 4), to(1, 5)],
      { year: 2024 },
    );
    const announced = events.flatMap((event) => (event.type === "message" ? [event.message] : []));

    expect(parser?.evictedMessages).toBeGreaterThan(0);
    expect(parser?.openMessages).toBeLessThanOrEqual(3);
    // Message 1 was evicted before its `to=` line: it was announced then, and the line
    // after it has a stub without the sender.
    expect(announced.map((message) => message.id)).toContain(queueId(1));
    expect(deliveries(events)[0]?.message.sender).toBeNull();
  });

  test("keeps a deferred recipient until its delivery ends", () => {
    const { events } = runParser(
      createSendmailParser,
      [from(1, 1), to(1, 2, "Deferred: Connection timed out", "4.0.0"), to(1, 3), to(1, 4)],
      { year: 2024 },
    );

    // Sendmail writes no line for an address after its delivery; if one came, it would be first.
    expect(deliveries(events).map((event) => event.firstAttempt)).toEqual([true, false, true]);
  });
});
