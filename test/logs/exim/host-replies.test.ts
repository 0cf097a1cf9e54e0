import { describe, expect, test } from "vitest";
import type { DeliveryEvent, LogEvent, SessionReplyEvent } from "../../../src/logs/events.js";
import { createEximParser } from "../../../src/logs/exim/index.js";
import { runParser } from "./frame.js";

const ID = "1tb1Ab-000073-bx";
const OTHER_ID = "1tc1Ab-000074-cx";
const ARRIVAL = `${ID} <= alice@example.com H=(laptop) [198.51.100.7]:51234 P=esmtpsa A=dovecot_plain:alice@example.com S=4312`;
const HOST = "mx1.example.net [192.0.2.201]";
const DEFERRAL =
  "SMTP error from remote mail server after pipelined end of data: 421-4.7.28 Unusual rate of mail\\n421 4.7.28 Try again later";
const GREETING =
  "SMTP error from remote mail server after initial connection: 421 4.7.0 Try again later";

function sessionReplies(events: LogEvent[]): SessionReplyEvent[] {
  return events.filter((event): event is SessionReplyEvent => event.type === "session-reply");
}

function deliveries(events: LogEvent[]): DeliveryEvent[] {
  return events.filter((event): event is DeliveryEvent => event.type === "delivery");
}

function eventsOf(lines: string[]): LogEvent[] {
  return runParser(createEximParser, lines).events;
}

describe("Exim host line and its address lines", () => {
  test("deferral counts once per address", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:02 ${ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:02 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:02 ${ID} == b@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);
    const deferrals = deliveries(events);

    expect(sessionReplies(events)).toEqual([]);
    expect(deferrals.map((event) => event.recipient)).toEqual(["a@example.net", "b@example.net"]);
    expect(deferrals.map((event) => event.position.line)).toEqual([3, 4]);
    expect(deferrals.every((event) => event.response === DEFERRAL)).toBe(true);
  });

  test("log starting at the host line", () => {
    const events = eventsOf([
      `2026-03-11 02:00:02 ${ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:02 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);

    expect(sessionReplies(events)).toEqual([]);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("bounce lines repeat the host line", () => {
    const rejection = "SMTP error from remote mail server after end of data: 550 5.7.1 Rejected";
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:02 ${ID} H=${HOST}: ${rejection}`,
      `2026-03-11 02:00:02 ${ID} ** a@example.net R=dnslookup T=remote_smtp H=${HOST} : ${rejection}`,
    ]);

    expect(sessionReplies(events)).toEqual([]);
    expect(deliveries(events).map((event) => event.status)).toEqual(["bounced"]);
  });

  test("address lines in the next second", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:02 ${ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:03 ${OTHER_ID} <= bob@example.com U=bob P=local S=900`,
      `2026-03-11 02:00:03 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);

    expect(sessionReplies(events)).toEqual([]);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("greeting refusal, then the next host", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${GREETING}`,
      `2026-03-11 02:00:02 ${ID} => a@example.net R=dnslookup T=remote_smtp H=mx2.example.net [192.0.2.202] C="250 OK"`,
      `2026-03-11 02:00:02 ${ID} Completed`,
    ]);
    const [reply] = sessionReplies(events);

    expect(sessionReplies(events)).toHaveLength(1);
    expect(reply?.position.line).toBe(2);
    expect(reply?.relayIp).toBe("192.0.2.201");
    expect(reply?.response).toBe(GREETING);
    expect(deliveries(events).map((event) => event.status)).toEqual(["sent"]);
  });

  test("next host after the rejection", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${GREETING}`,
      `2026-03-11 02:00:02 ${ID} => a@example.net R=dnslookup T=remote_smtp H=mx2.example.net [192.0.2.202] C="250 OK"`,
      `2026-03-11 02:00:03 ${ID} == b@example.net R=dnslookup T=remote_smtp defer (-46) H=mx2.example.net [192.0.2.202]: ${DEFERRAL}`,
      `2026-03-11 02:00:04 ${ID} Completed`,
    ]);
    const lines = events
      .filter((event) => event.type === "session-reply" || event.type === "delivery")
      .map((event) => `${event.type} ${event.position.line}`);

    expect(lines).toEqual(["session-reply 2", "delivery 3", "delivery 4"]);
  });

  test("greeting refusal at the end of the log", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${GREETING}`,
    ]);

    expect(sessionReplies(events).map((event) => event.position.line)).toEqual([2]);
  });

  test("other reply from the same host", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${GREETING}`,
      `2026-03-11 02:00:01 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);

    expect(sessionReplies(events)).toHaveLength(1);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("same reply from another host", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:01 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=mx2.example.net [192.0.2.202]: ${DEFERRAL}`,
    ]);

    expect(sessionReplies(events)).toHaveLength(1);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("same reply at a later retry", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:01 ${ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:15:01 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);
    const [reply] = sessionReplies(events);

    expect(sessionReplies(events)).toHaveLength(1);
    expect(reply?.position.line).toBe(2);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("host line of another message", () => {
    const events = eventsOf([
      `2026-03-11 02:00:00 ${ARRIVAL}`,
      `2026-03-11 02:00:00 ${OTHER_ID} <= bob@example.com U=bob P=local S=900`,
      `2026-03-11 02:00:01 ${OTHER_ID} H=${HOST}: ${DEFERRAL}`,
      `2026-03-11 02:00:01 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${DEFERRAL}`,
    ]);
    const [reply] = sessionReplies(events);

    expect(reply?.message?.id).toBe(OTHER_ID);
    expect(deliveries(events)).toHaveLength(1);
  });

  test("many waiting replies stay bounded", () => {
    const lines = [`2026-03-11 02:00:00 ${ARRIVAL}`];
    for (let index = 0; index < 150; index += 1) {
      lines.push(`2026-03-11 02:00:00 ${ID} H=${HOST}: ${GREETING}`);
    }
    lines.push(
      `2026-03-11 02:00:00 ${ID} == a@example.net R=dnslookup T=remote_smtp defer (-46) H=${HOST}: ${GREETING}`,
    );
    const replies = sessionReplies(eventsOf(lines));

    expect(replies).toHaveLength(149);
    expect(replies[0]?.position.line).toBe(2);
  });
});
