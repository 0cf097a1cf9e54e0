import { describe, expect, test } from "vitest";
import { LogAnalyser } from "../../src/analysis/analyser.js";
import type { HostBlockState } from "../../src/analysis/providers.js";
import {
  newLoggedMessage,
  type DeliveryEvent,
  type LogEvent,
  type SessionReplyEvent,
} from "../../src/logs/events.js";
import { createReplyClassifier } from "../../src/reply/classify.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 2, 4, 8, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com";
const ACCEPTED = "250 2.0.0 OK 1709 - gsmtp";
const REJECTED =
  "SMTP error from remote mail server after end of data: 550-5.7.1 [203.0.113.5      12] Our system has detected that this message is\\n550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\\n550-5.7.1 this message has been blocked. For more information, go to\\n550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError d1si1 - gsmtp";

let nextId = 0;

/** Builds a delivery to Gmail from `host`, which left from `source`, `minute` after T0. */
function delivery(
  host: string,
  source: string | null | undefined,
  minute: number,
  accepted: boolean,
): DeliveryEvent {
  const time = T0 + minute * MINUTE;
  const position = { file: "mail.log", line: minute + 1 };
  nextId += 1;
  const message = newLoggedMessage("exim", host, `1rA${nextId}`, time, position);
  return {
    type: "delivery",
    time,
    position,
    message,
    recipient: `user${nextId}@gmail.com`,
    originalRecipient: null,
    status: accepted ? "sent" : "bounced",
    transport: "remote_smtp",
    remote: true,
    relayHost: GMAIL_MX,
    relayIp: "192.0.2.27",
    ...(source === undefined ? {} : { outgoingSource: source }),
    dsn: null,
    response: accepted ? ACCEPTED : REJECTED,
    firstAttempt: true,
  };
}

/**
 * Builds a Postfix delivery to Gmail over IPv6 from the instance `postfix`, whose rejection
 * names the sending IPv6 address as judged.
 */
function ipv6Delivery(minute: number, accepted: boolean): DeliveryEvent {
  return {
    ...delivery("mx1", "postfix", minute, accepted),
    relayIp: "2001:db8:4860::1b",
    response: accepted ? ACCEPTED : REJECTED.replace("203.0.113.5", "2001:db8::5"),
  };
}

/** Builds a block reply to a whole SMTP session on `host`, which names no source. */
function sessionReply(host: string, minute: number): SessionReplyEvent {
  const time = T0 + minute * MINUTE;
  const position = { file: "mail.log", line: minute + 1 };
  nextId += 1;
  return {
    type: "session-reply",
    time,
    position,
    message: newLoggedMessage("exim", host, `1rA${nextId}`, time, position),
    relayHost: GMAIL_MX,
    relayIp: "192.0.2.27",
    response: REJECTED,
  };
}

/** Builds `count` accepted deliveries from `host` and `source`, one a minute from `minute`. */
function accepted(host: string, source: string | null, minute: number, count: number) {
  return Array.from({ length: count }, (_, index) => delivery(host, source, minute + index, true));
}

/** Returns Gmail's block states after the events, keyed as `blockedHosts` keys them. */
function blockStates(events: readonly LogEvent[]): Map<string, HostBlockState> {
  const analyser = new LogAnalyser(createReplyClassifier());
  for (const event of events) analyser.handle(event);
  const gmail = analyser.finish().providers.get("gmail");
  return gmail?.blockedHosts ?? new Map();
}

describe("block states per outgoing source", () => {
  test("other source lifts nothing", () => {
    const states = blockStates([
      delivery("mx1", "203.0.113.5", 0, false),
      ...accepted("mx1", "203.0.113.6", 10, 3),
    ]);

    expect([...states.keys()]).toEqual(["mx1 203.0.113.5"]);
    expect(states.get("mx1 203.0.113.5")?.sentAfter).toBe(0);
    expect(states.get("mx1 203.0.113.5")?.lastSent).toBeNull();
  });

  test("same source counts", () => {
    const states = blockStates([
      delivery("mx1", "203.0.113.5", 0, false),
      ...accepted("mx1", "203.0.113.5", 10, 3),
    ]);

    expect(states.get("mx1 203.0.113.5")?.sentAfter).toBe(3);
    expect(states.get("mx1 203.0.113.5")?.lastSent).toBe(T0 + 12 * MINUTE);
  });

  test("same source on other host lifts nothing", () => {
    const states = blockStates([
      delivery("mx1", "postfix", 0, false),
      ...accepted("mx2", "postfix", 10, 3),
    ]);

    expect([...states.keys()]).toEqual(["mx1 postfix ipv4"]);
    expect(states.get("mx1 postfix ipv4")?.sentAfter).toBe(0);
  });

  test("delivery without source lifts no named block", () => {
    const states = blockStates([
      delivery("mx1", "203.0.113.5", 0, false),
      ...accepted("mx1", null, 10, 2),
      delivery("mx1", undefined, 12, true),
    ]);

    expect(states.get("mx1 203.0.113.5")?.sentAfter).toBe(0);
  });

  test("block without source counts every source", () => {
    const states = blockStates([
      delivery("mx1", null, 0, false),
      ...accepted("mx1", "203.0.113.6", 10, 2),
      ...accepted("mx1", null, 12, 1),
    ]);

    expect([...states.keys()]).toEqual(["mx1 ipv4"]);
    expect(states.get("mx1 ipv4")?.sentAfter).toBe(3);
  });

  test("session reply restarts named blocks", () => {
    const states = blockStates([
      delivery("mx1", "203.0.113.5", 0, false),
      ...accepted("mx1", "203.0.113.5", 1, 2),
      sessionReply("mx1", 5),
      ...accepted("mx1", "203.0.113.6", 10, 4),
    ]);

    expect(states.get("mx1 203.0.113.5")?.lastBlockTime).toBe(T0 + 5 * MINUTE);
    expect(states.get("mx1 203.0.113.5")?.sentAfter).toBe(0);
    expect(states.get("mx1 ipv4")?.lastBlockTime).toBe(T0 + 5 * MINUTE);
    expect(states.get("mx1 ipv4")?.sentAfter).toBe(4);
  });

  test("named block leaves others as they are", () => {
    const states = blockStates([
      delivery("mx1", "203.0.113.5", 0, false),
      ...accepted("mx1", "203.0.113.5", 1, 2),
      delivery("mx1", "203.0.113.6", 5, false),
    ]);

    expect(states.get("mx1 203.0.113.5")?.lastBlockTime).toBe(T0);
    expect(states.get("mx1 203.0.113.5")?.sentAfter).toBe(2);
    expect(states.get("mx1 203.0.113.6")?.lastBlockTime).toBe(T0 + 5 * MINUTE);
    expect(states.get("mx1 203.0.113.6")?.sentAfter).toBe(0);
  });

  test("IPv4 deliveries lift no IPv6 block", () => {
    const states = blockStates([ipv6Delivery(0, false), ...accepted("mx1", "postfix", 10, 3)]);

    expect([...states.keys()]).toEqual(["mx1 postfix ipv6"]);
    expect(states.get("mx1 postfix ipv6")?.sentAfter).toBe(0);
    expect(states.get("mx1 postfix ipv6")?.lastSent).toBeNull();
  });

  test("IPv6 deliveries lift an IPv6 block", () => {
    const states = blockStates([ipv6Delivery(0, false), ipv6Delivery(10, true)]);

    expect(states.get("mx1 postfix ipv6")?.sentAfter).toBe(1);
    expect(states.get("mx1 postfix ipv6")?.lastSent).toBe(T0 + 10 * MINUTE);
  });

  test("IPv4 block leaves IPv6 block", () => {
    const states = blockStates([
      ipv6Delivery(0, false),
      ipv6Delivery(1, true),
      delivery("mx1", "postfix", 5, false),
    ]);

    expect(states.get("mx1 postfix ipv6")?.lastBlockTime).toBe(T0);
    expect(states.get("mx1 postfix ipv6")?.sentAfter).toBe(1);
    expect(states.get("mx1 postfix ipv4")?.lastBlockTime).toBe(T0 + 5 * MINUTE);
  });

  test("IP source gets no family", () => {
    const block = { ...delivery("mx1", "2001:db8::5", 0, false), relayIp: "2001:db8:4860::1b" };
    const states = blockStates([block, ...accepted("mx1", "2001:db8::5", 10, 2)]);

    expect([...states.keys()]).toEqual(["mx1 2001:db8::5"]);
    expect(states.get("mx1 2001:db8::5")?.sentAfter).toBe(2);
  });
});
