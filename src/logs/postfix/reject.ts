import type { RejectEvent } from "../events.js";
import { positionOf, type LogRecord } from "../record.js";
import { addressAfter, addressEnd, peerBetween } from "./fields.js";

/**
 * Reject lines of `smtpd`, `postscreen` and `cleanup`:
 *
 * - smtpd: `NOQUEUE: reject: RCPT from H[ip]: 550 5.1.1 <…>: …; from=<s> to=<r> proto=ESMTP
 *   helo=<h>` (a queue id in place of NOQUEUE once the message has one)
 * - postscreen: `NOQUEUE: reject: RCPT from [ip]:port: 550 …; from=<s>, to=<r>, proto=…`
 *   (commas between the fields), or `… CONNECT from [ip]:port: too many connections`
 * - cleanup and smtpd milters: `QID: milter-reject: END-OF-MESSAGE from H[ip]: 5.7.1 …;
 *   from=<s> to=<r> …`
 * - smtpd with a before-queue content filter: `QID: proxy-reject: END-OF-MESSAGE: 554 …;
 *   from=<s> to=<r> …` (no client on the line)
 *
 * The actions that reject the client are `reject`, `milter-reject`, `proxy-reject` and
 * `reject_warning`; the last only logs what a reject would have done.
 */
export const REJECT_ACTIONS = ["reject: ", "milter-reject: ", "reject_warning: ", "proxy-reject: "];

/**
 * Reads a reject line whose stage starts at `start` (after `reject: `) into an event, or
 * returns null when the line does not have the `STAGE from CLIENT: reply` shape.
 */
export function readReject(record: LogRecord, start: number): RejectEvent | null {
  const text = record.message;
  const stageEnd = text.indexOf(" ", start);
  if (stageEnd < 0 || !text.startsWith(" from ", stageEnd)) return null;

  const clientStart = stageEnd + 6;
  const bracket = text.indexOf("]", clientStart);
  const responseStart = bracket < 0 ? -1 : text.indexOf(": ", bracket);
  if (responseStart < 0) return null;
  const client = peerBetween(text, clientStart, responseStart);

  const trailer = trailerStart(text, responseStart);
  const sender = trailer < 0 ? null : addressAfter(text, "from=", trailer);
  const recipientFrom = sender === null ? trailer : addressEnd(text, text.indexOf("<", trailer));
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: client?.ip ?? null,
    clientHost: client?.host ?? null,
    stage: text.slice(start, stageEnd),
    response: text.slice(responseStart + 2, trailer < 0 ? text.length : trailer),
    sender,
    recipient: trailer < 0 ? null : addressAfter(text, "to=", recipientFrom),
  };
}

/**
 * Reads a `proxy-reject: END-OF-MESSAGE: 554 5.7.0 …; from=<s> to=<r> …` line from the
 * stage at `start` on, or returns null when the stage has no `: ` after it.
 */
export function readProxyReject(record: LogRecord, start: number): RejectEvent | null {
  const text = record.message;
  const stageEnd = text.indexOf(": ", start);
  if (stageEnd < 0) return null;
  const trailer = trailerStart(text, stageEnd);
  const sender = trailer < 0 ? null : addressAfter(text, "from=", trailer);
  const senderEnd = sender === null ? trailer : addressEnd(text, trailer + 7);
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: null,
    clientHost: null,
    stage: text.slice(start, stageEnd),
    response: text.slice(stageEnd + 2, trailer < 0 ? text.length : trailer),
    sender,
    recipient: trailer < 0 ? null : addressAfter(text, "to=", senderEnd),
  };
}

/** Index of the `; from=<…>` (or `; to=<…>`) trailer after the reply, or -1. */
function trailerStart(text: string, from: number): number {
  const sender = text.lastIndexOf("; from=<");
  if (sender > from) return sender;
  const recipient = text.lastIndexOf("; to=<");
  return recipient > from ? recipient : -1;
}

/**
 * Reads a `header_checks` or `body_checks` reject from cleanup: `reject: header Subject: …
 * from H[ip]; from=<s> to=<r> proto=ESMTP helo=<h>: 5.7.1 message content rejected`, with
 * `from local` for local submissions. `start` is at `header ` or `body `.
 */
export function readContentReject(record: LogRecord, start: number): RejectEvent | null {
  const text = record.message;
  const trailer = text.lastIndexOf("; from=<");
  const origin = trailer < 0 ? -1 : text.lastIndexOf(" from ", trailer);
  if (origin < start) return null;

  const client = peerBetween(text, origin + 6, trailer);
  const reply = text.lastIndexOf(">: ");
  const sender = addressAfter(text, "from=", trailer);
  const senderEnd = addressEnd(text, trailer + 7);
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: client?.ip ?? null,
    clientHost: client?.host ?? null,
    stage: null,
    response: reply > trailer ? text.slice(reply + 3) : text.slice(start, origin),
    sender,
    recipient: senderEnd < 0 ? null : addressAfter(text, "to=", senderEnd),
  };
}
