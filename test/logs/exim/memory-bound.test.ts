import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent } from "../../../src/logs/events.js";
import { createEximParser, type EximParser } from "../../../src/logs/exim/index.js";
import { MAX_OPEN_MESSAGES, MessageTable } from "../../../src/logs/exim/message-table.js";
import { runParser } from "./frame.js";

/** Returns the 16-character Exim id of the n-th test message. */
function messageId(n: number): string {
  return `1rhA2b-${String(n).padStart(6, "0")}-1x`;
}

function arrival(n: number, second: number): string {
  return `2024-03-04 09:15:${String(second).padStart(2, "0")} ${messageId(n)} <= user${n}@example.com H=(laptop) [198.51.100.7] P=esmtpsa A=plain:user${n}@example.com S=900`;
}

function sent(n: number, recipient: string, second: number): string {
  return `2024-03-04 09:15:${String(second).padStart(2, "0")} ${messageId(n)} => ${recipient} R=dnslookup T=remote_smtp H=mx.example.net [198.51.100.25]`;
}

function deferred(n: number, recipient: string, second: number): string {
  return `2024-03-04 09:15:${String(second).padStart(2, "0")} ${messageId(n)} == ${recipient} R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.27]: SMTP error from remote mail server after end of data: 421-4.7.28 Try later`;
}

function deliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

describe("Exim memory bound", () => {
  test("caps open messages and evicts the least recently active", () => {
    let parser: EximParser | undefined;
    const { events } = runParser(
      (sink) => (parser = createEximParser(sink, 3)),
      [
        arrival(1, 1),
        arrival(2, 2),
        arrival(3, 3),
        deferred(1, "bob@gmail.com", 4),
        arrival(4, 5),
        sent(2, "carol@example.net", 6),
        sent(1, "bob@gmail.com", 7),
      ],
    );
    const [, second, first] = deliveries(events);

    expect(second?.message.sender).toBeNull();
    expect(first?.message.sender).toBe("user1@example.com");
    expect(first?.firstAttempt).toBe(false);
    expect(parser?.evictedMessages).toBe(2);
    expect(parser?.openMessages).toBeLessThanOrEqual(4);
  });

  test("forgets a recipient once its delivery ends", () => {
    const { events } = runParser(createEximParser, [
      arrival(1, 1),
      deferred(1, "bob@gmail.com", 2),
      sent(1, "bob@gmail.com", 3),
      sent(1, "bob@gmail.com", 4),
    ]);

    // Exim writes no line for an address after its delivery; if one came, it would be first.
    expect(deliveries(events).map((event) => event.firstAttempt)).toEqual([true, false, true]);
  });
});

describe("MessageTable", () => {
  test("evicts down to the cap before the next line", () => {
    const evicted: number[] = [];
    const table = new MessageTable<{ lastSeen: number; n: number }>(
      (entry) => evicted.push(entry.n),
      10,
    );
    for (let n = 0; n < 11; n++) table.set(`id${n}`, { lastSeen: 1000 + n, n });
    table.advance(2000);

    expect(table.size).toBe(8);
    expect(table.evicted).toBe(3);
    expect(evicted.sort((a, b) => a - b)).toEqual([0, 1, 2]);
  });

  test("has a default cap", () => {
    expect(MAX_OPEN_MESSAGES).toBeGreaterThanOrEqual(10_000);
  });
});
