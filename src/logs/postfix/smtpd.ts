import type { AuthFailureEvent, RejectEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome } from "../record.js";
import { queueIdOf, type PostfixContext, type QueuedLine } from "./context.js";
import { detachOrNull, hasPrefixAt, peerBetween, prefixAt } from "./fields.js";
import { isIgnoredQueued, isIgnoredUnqueued } from "./noise.js";
import { handleHold } from "./hold.js";
import { QUEUE_SPACE_REPLY, QUEUE_SPACE_WARNING, sinkQueueSpace } from "./queue-space.js";
import { readProxyReject, readReject, REJECT_ACTIONS } from "./reject.js";
import { handleTls } from "./session.js";

/** Parses the lines of `smtpd` and `postscreen` that start with a queue id. */
export function handleQueuedSmtpd(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const text = line.record.message;
  if (text.startsWith("client=", line.start)) return handleClient(context, line);

  const rejected = handleReject(context, line.record, line.start);
  if (rejected !== null) {
    // A reject at DATA or END-OF-MESSAGE rejects the whole message, so no queue file stays.
    const enforced = !text.startsWith("reject_warning: ", line.start);
    if (enforced && (rejected.stage === "DATA" || rejected.stage === "END-OF-MESSAGE")) {
      context.store.drop(line.record.host, line.program.instance, line.key);
    }
    return "parsed";
  }
  return handleHold(context, line) ?? (isIgnoredQueued(text, line.start) ? "ignored" : "unparsed");
}

/**
 * Starts of the `smtpd` lines that `handleUnqueuedSmtpd` ignores whatever follows: the
 * connection bookkeeping that every SMTP session writes, and the TLS line of an inbound
 * session. A busy server writes more of them than of any other kind.
 */
export const QUIET_SMTPD_PREFIXES: readonly string[] = [
  "connect from ",
  "disconnect from ",
  "lost connection after ",
  "Anonymous TLS connection established from ",
  "Trusted TLS connection established from ",
  "Untrusted TLS connection established from ",
  "Verified TLS connection established from ",
];

/** Parses the lines of `smtpd` without a queue id. */
export function handleUnqueuedSmtpd(context: PostfixContext, record: LogRecord): ParseOutcome {
  const text = record.message;
  // The first letter picks the one prefix to test, because every SMTP session writes a
  // `connect from` and a `disconnect from` line and most write a TLS line.
  const first = text.charCodeAt(0);
  if (first === 99 || first === 100) {
    // c, d
    if (hasPrefixAt(text, "connect from ", 0) || hasPrefixAt(text, "disconnect from ", 0)) {
      return "ignored";
    }
  } else if (first === 78 && hasPrefixAt(text, "NOQUEUE: ", 0)) {
    return handleNoQueue(context, record);
  } else if (first === 112 && text.startsWith("proxy-reject: ")) {
    if (handleReject(context, record, 0) !== null) return "parsed";
  } else if (first === 119 && text.startsWith("warning: ")) {
    if (handleSaslFailure(context, record)) return "parsed";
    if (text.startsWith(QUEUE_SPACE_WARNING)) {
      sinkQueueSpace(context, record, "warning");
      return "parsed";
    }
  } else {
    const outcome = handleTls(context, record, 0);
    if (outcome !== null) return outcome;
  }
  return isIgnoredUnqueued(text) ? "ignored" : "unparsed";
}

/**
 * Parses the lines of `postscreen` without a queue id: its `NOQUEUE: reject:` lines give
 * events, and its connection tests (`CONNECT`, `PASS NEW`, `DNSBL rank`, `HANGUP`, …), which
 * start with an upper-case word, are ignored.
 */
export function handleUnqueuedPostscreen(context: PostfixContext, record: LogRecord): ParseOutcome {
  const text = record.message;
  if (text.startsWith("NOQUEUE: ")) return handleNoQueue(context, record);
  const first = text.charCodeAt(0);
  const isTestResult = first >= 65 && first <= 90;
  return isTestResult || text.startsWith("cache ") || isIgnoredUnqueued(text)
    ? "ignored"
    : "unparsed";
}

/**
 * Parses `NOQUEUE: reject: …` and the other actions of a client that never got a queue id.
 * A reject that does not have the usual shape is `unparsed`; other actions (`filter:`,
 * `warn:`, `hold:`) are ignored.
 */
function handleNoQueue(context: PostfixContext, record: LogRecord): ParseOutcome {
  if (handleReject(context, record, 9) !== null) return "parsed";
  return prefixAt(record.message, REJECT_ACTIONS, 9) === null ? "ignored" : "unparsed";
}

/** Reads `QID: client=H[ip], sasl_method=PLAIN, sasl_username=alice@example.com`. */
function handleClient(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const { record, start } = line;
  const text = record.message;
  const existing = context.store.findInQueue(
    record.host,
    line.program.instance,
    line.key,
    record.time,
  );
  // smtpd names a queue id first, so an id that already has an origin was reused.
  const state =
    existing === undefined || existing.origin !== "unknown"
      ? context.store.create(record, line.program.instance, line.key, queueIdOf(line), "smtpd")
      : existing;
  state.origin = "smtpd";

  const message = state.message;
  const peerEnd = text.indexOf(", ", start);
  const peer = peerBetween(text, start + 7, peerEnd < 0 ? text.length : peerEnd);
  message.clientHost = detachOrNull(peer?.host ?? null);
  message.clientIp = detachOrNull(peer?.ip ?? null);
  message.service = line.program.label;
  if (peerEnd >= 0) message.saslUsername = detachOrNull(valueOf(text, "sasl_username=", peerEnd));
  return "parsed";
}

/** Returns the value of `key` up to the next `, ` or the end, or null when absent. */
function valueOf(text: string, key: string, from: number): string | null {
  const at = text.indexOf(key, from);
  if (at < 0) return null;
  const end = text.indexOf(", ", at);
  return text.slice(at + key.length, end < 0 ? text.length : end);
}

/**
 * Returns the name in `…, sasl_username=alice@example.com`, which newer Postfix versions
 * append to the failure (with `(unavailable)` when the client sent none), or null.
 */
function saslUsernameOf(text: string, from: number): string | null {
  const name = valueOf(text, "sasl_username=", from);
  return name === null || name === "(unavailable)" || name === "" ? null : name;
}

/** Emits a `reject` event for a reject action at `start`, or returns null for other text. */
export function handleReject(
  context: PostfixContext,
  record: LogRecord,
  start: number,
): RejectEvent | null {
  const text = record.message;
  const action = prefixAt(text, REJECT_ACTIONS, start);
  if (action === null) return null;
  const stageStart = start + action.length;
  let event =
    action === "proxy-reject: "
      ? readProxyReject(record, stageStart)
      : readReject(record, stageStart);
  if (event !== null && action === "reject_warning: ") event = { ...event, warningOnly: true };
  if (event !== null) {
    context.sink(event);
    if (event.response.startsWith(QUEUE_SPACE_REPLY)) {
      sinkQueueSpace(context, record, "reject", false, null, event.clientIp);
    }
  }
  return event;
}

/** Reads `warning: H[ip]: SASL LOGIN authentication failed: …`; false for other warnings. */
function handleSaslFailure(context: PostfixContext, record: LogRecord): boolean {
  const text = record.message;
  const sasl = text.indexOf(": SASL ", 9);
  if (sasl < 0 || !text.includes(" authentication failed", sasl)) return false;

  const peer = peerBetween(text, 9, sasl);
  const event: AuthFailureEvent = {
    type: "auth-failure",
    time: record.time,
    position: positionOf(record),
    clientIp: peer?.ip ?? null,
    username: saslUsernameOf(text, sasl),
    program: record.program,
    mta: "postfix",
  };
  context.sink(event);
  return true;
}
