import { describe, expect, test } from "vitest";
import { LogAnalyser } from "../../src/analysis/analyser.js";
import type { ProviderFacts } from "../../src/analysis/providers.js";
import { newLoggedMessage, type DeliveryEvent } from "../../src/logs/events.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 4, 8, 0, 0);
const REPLIES = {
  sent: "250 2.0.0 OK 1709 - gsmtp",
  bounced:
    "550-5.7.1 [203.0.113.5      12] Gmail has detected that this message is likely unsolicited mail. 550 5.7.1 b2si3 - gsmtp",
  deferred:
    "421-4.7.28 [203.0.113.5      15] Gmail has detected an unusual rate of unsolicited mail originating from your IP address. 421 4.7.28 a1si2 - gsmtp",
} as const;

let nextId = 0;

/** Builds a Postfix delivery attempt to Gmail `minute` after T0. */
function attempt(minute: number, status: keyof typeof REPLIES): DeliveryEvent {
  const time = T0 + minute * MINUTE;
  const position = { file: "mail.log", line: nextId + 1 };
  nextId += 1;
  return {
    type: "delivery",
    time,
    position,
    message: newLoggedMessage("postfix", "mail", `A${nextId}`, time, position),
    recipient: `user${nextId}@gmail.com`,
    originalRecipient: null,
    status,
    transport: "smtp",
    remote: true,
    relayHost: "gmail-smtp-in.l.google.com",
    relayIp: "192.0.2.27",
    dsn: null,
    response: REPLIES[status],
    firstAttempt: true,
  };
}

/** Returns Gmail's facts after the events, in the given order. */
function gmailFacts(events: readonly DeliveryEvent[]): ProviderFacts | undefined {
  const analyser = new LogAnalyser(createReplyClassifier());
  for (const event of events) analyser.handle(event);
  return analyser.finish().providers.get("gmail");
}

describe("attempts after the latest accepted delivery", () => {
  test("accepted delivery starts the count again", () => {
    const facts = gmailFacts([
      attempt(0, "bounced"),
      attempt(1, "deferred"),
      attempt(2, "sent"),
      attempt(3, "bounced"),
      attempt(4, "deferred"),
      attempt(5, "bounced"),
    ]);

    expect(facts?.attemptsSinceSent).toBe(3);
    expect(facts?.bouncedSinceSent).toBe(2);
    expect(facts?.lastAttemptSinceSent).toBe(T0 + 5 * MINUTE);
  });

  test("all attempts count without an accepted one", () => {
    const facts = gmailFacts([attempt(0, "deferred"), attempt(1, "deferred")]);

    expect(facts?.attemptsSinceSent).toBe(2);
    expect(facts?.bouncedSinceSent).toBe(0);
    expect(facts?.lastSent).toBeNull();
  });

  test("last accepted delivery leaves nothing", () => {
    const facts = gmailFacts([attempt(0, "bounced"), attempt(1, "sent")]);

    expect(facts?.attemptsSinceSent).toBe(0);
    expect(facts?.bouncedSinceSent).toBe(0);
    expect(facts?.lastAttemptSinceSent).toBeNull();
  });

  test("attempt older than the accepted one is left out", () => {
    const facts = gmailFacts([attempt(10, "sent"), attempt(5, "bounced"), attempt(12, "bounced")]);

    expect(facts?.attemptsSinceSent).toBe(1);
    expect(facts?.lastAttemptSinceSent).toBe(T0 + 12 * MINUTE);
  });

  test("older accepted delivery keeps the count", () => {
    const facts = gmailFacts([attempt(10, "sent"), attempt(12, "bounced"), attempt(5, "sent")]);

    expect(facts?.attemptsSinceSent).toBe(1);
    expect(facts?.lastSent).toBe(T0 + 10 * MINUTE);
  });
});
