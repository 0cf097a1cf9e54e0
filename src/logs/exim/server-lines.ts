import type { AuthFailureEvent, EventSink, LifecycleEvent, RejectEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome } from "../record.js";
import { FieldReader } from "./field-reader.js";
import { isPanicText, panicEvent } from "./panic.js";
import { spoolSpaceEvent } from "./spool-space.js";

/**
 * Lines that Exim writes without a message id, about SMTP sessions and the daemon: rejects,
 * authentication failures, daemon starts and restarts, panics, and a spool short of space.
 * `cwd=` lines are handled by the caller tracker, and connection chatter is ignored.
 */

// Connection chatter and housekeeping that carries nothing delist uses. Rejects and
// authentication failures in these sessions are logged on lines of their own.
const IGNORED_PREFIXES = [
  "SMTP connection ",
  "SMTP call from",
  "SMTP command timeout",
  "SMTP data timeout",
  "SMTP protocol error",
  "SMTP syntax error",
  "Start queue run",
  "End queue run",
  "Start '",
  "End '",
  "no host name found",
  "no IP address found",
  "no MAIL in SMTP connection",
  "TLS error on connection",
  "unexpected disconnection",
  "Warning:",
  // `SNI <mail.example.com>`: the TLS server name that the next arrival's client asked for
  // (`SNI=` on its `<=` line).
  // NOTE: seen only in Exim's test-suite log 2031, so it may be that test's own log output.
  "SNI <",
];

/** Parses a line without message id, starting at `start`, and sends what it finds to `sink`. */
export function parseServerLine(
  record: LogRecord,
  reader: FieldReader,
  sink: EventSink,
): ParseOutcome {
  const text = record.message;
  // Connection chatter is the bulk of these lines, so it is ruled out before any search.
  if (IGNORED_FIRST_CHARACTERS.has(text.charCodeAt(0))) {
    for (const prefix of IGNORED_PREFIXES) {
      if (text.startsWith(prefix)) return "ignored";
    }
  }

  // A panic text can quote anything, such as the word `rejected`, so it is checked first.
  if (isPanicText(text, 0)) {
    sink(panicEvent(record, 0));
    return "parsed";
  }
  const spoolSpace = spoolSpaceEvent(record);
  if (spoolSpace !== null) {
    sink(spoolSpace);
    return "parsed";
  }
  const rejected = rejectedAt(text, 0);
  if (rejected >= 0) {
    sink(rejectEvent(record, reader, 0, rejected));
    return "parsed";
  }
  // `H=[192.0.2.1]:62839 dropped by 'connect' ACL: reason` (a `drop` verb in an ACL), or
  // `DSH=…` for a client whose host name was DNSSEC-validated.
  const startsWithHost = text.startsWith("H=") || text.startsWith("DSH=");
  const dropped = startsWithHost ? text.indexOf(" dropped by '") : -1;
  if (dropped > 0) {
    sink(rejectEvent(record, reader, 0, dropped + 1, DROPPED_BY.length));
    return "parsed";
  }
  const authFailure = text.indexOf(" authenticator failed ");
  if (authFailure > 0) {
    sink(authFailureEvent(record, authFailure));
    return "parsed";
  }
  const lifecycle = lifecycleEvent(record);
  if (lifecycle !== null) {
    sink(lifecycle);
    return "parsed";
  }
  // `H=… Warning: …` and `H=… sender verify fail for <…>` precede the reject line, if any.
  if (text.startsWith("H=") && (text.includes(" Warning: ") || text.includes(" verify "))) {
    return "ignored";
  }
  return "unparsed";
}

const IGNORED_FIRST_CHARACTERS = new Set(IGNORED_PREFIXES.map((prefix) => prefix.charCodeAt(0)));

const REJECTED = "rejected ";
const DROPPED_BY = "dropped by ";

/** Returns the index of the word `rejected` in `text` after `start`, or -1. */
export function rejectedAt(text: string, start: number): number {
  if (text.startsWith(REJECTED, start)) return start;
  const index = text.indexOf(" rejected ", start);
  return index < 0 ? -1 : index + 1;
}

/**
 * Builds a reject event from `H=… F=<sender> rejected RCPT <rcpt>: reason`, `rejected MAIL
 * <sender>: …`, `rejected EHLO from …`, `temporarily rejected connection in "connect" ACL: …`,
 * `rejected after DATA: …`, `rejected by local_scan(): …`, and Exim's `SMTP protocol
 * synchronization error (…): rejected connection from H=[ip] input="…"`.
 */
export function rejectEvent(
  record: LogRecord,
  reader: FieldReader,
  start: number,
  rejected: number,
  verbLength = REJECTED.length,
): RejectEvent {
  const text = record.message;
  const wordStart = rejected + verbLength;
  const wordEnd = endOfWord(text, wordStart);
  const word = text.slice(wordStart, wordEnd);
  const stage = stageOf(word, text, wordEnd);

  const hostField = text.indexOf("H=", start);
  const hasHost = hostField >= 0 && (hostField < rejected || stage === "CONNECT");
  if (hasHost) {
    reader.reset(text, hostField, false);
    reader.next();
    reader.readHost();
  }

  const senderField = text.indexOf("F=<", start);
  let sender =
    senderField >= 0 && senderField < rejected ? angleAddressAt(text, senderField + 2) : null;
  let recipient: string | null = null;
  if (word === "RCPT") recipient = angleAddressAt(text, wordEnd + 1);
  if (word === "MAIL" && sender === null) sender = angleAddressAt(text, wordEnd + 1);

  const response = rejectReason(text, start, rejected, wordEnd);
  return {
    type: "reject",
    time: record.time,
    position: positionOf(record),
    clientIp: hasHost ? reader.hostIp : null,
    clientHost: hasHost ? reader.hostName : null,
    stage,
    response,
    replyCode: replyCodeOf(response, text.startsWith(TEMPORARILY, rejected - TEMPORARILY.length)),
    sender,
    recipient,
  };
}

const TEMPORARILY = "temporarily ";

// An ACL `message` may start with its own reply code (`550 5.7.1 …`), which Exim sends in place
// of its default. A code must be followed by a space, a hyphen or the end, so that the reason
// `127.0.0.1 [127.0.0.1] : …` of a callout gives none.
// NOTE: that the logged reason keeps such a code is not confirmed from a real log. Without one,
// an Exim reject counts as `5xx` or `4xx`.
const LEADING_CODE = /^([45])\d\d(?: [45]\.\d{1,3}\.\d{1,3})?(?=[ -]|$)/;

/**
 * Returns the reply code of a reject: the code that starts its reason, when that code is of
 * the reject's class, else `4xx` for `temporarily rejected` and `5xx` for a reject.
 */
export function replyCodeOf(reason: string, temporary: boolean): string {
  const match = LEADING_CODE.exec(reason);
  const leadingClass = temporary ? "4" : "5";
  if (match?.[1] === leadingClass) return match[0];
  return temporary ? "4xx" : "5xx";
}

function stageOf(word: string, text: string, wordEnd: number): string | null {
  switch (word) {
    case "RCPT":
    case "MAIL":
    case "EHLO":
    case "HELO":
    case "VRFY":
    case "EXPN":
    case "ETRN":
    case "XCLIENT":
      return word;
    case "connection":
    case "'connect'":
      return "CONNECT";
    case "'helo'":
      return "HELO";
    case "'mail'":
      return "MAIL";
    case "'rcpt'":
      return "RCPT";
    case "'data'":
      return "DATA";
    case "after": {
      // `rejected after DATA: …`, also `after DATA` in older logs without the colon.
      const next = text.slice(wordEnd + 1, endOfWord(text, wordEnd + 1));
      return next === "" ? null : next;
    }
    case "by":
      // `rejected by local_scan()` or `rejected by non-SMTP ACL`: the message was complete.
      return "DATA";
    default:
      return null;
  }
}

// The reason follows the first `: ` after the stage, as in `rejected RCPT <x>: No Such User`.
// The synchronization error names its reason before `rejected`, and the client's input that
// follows may contain anything.
function rejectReason(text: string, start: number, rejected: number, wordEnd: number): string {
  if (text.startsWith("SMTP protocol synchronization error", start)) {
    return text.slice(start, rejected).replace(/:\s*$/, "");
  }
  const colon = text.indexOf(": ", wordEnd);
  return colon >= 0 ? text.slice(colon + 2) : text.slice(rejected);
}

// Returns the address in `<…>` when one opens at `index`.
function angleAddressAt(text: string, index: number): string | null {
  if (text.charCodeAt(index) !== 60) return null;
  const close = text.indexOf(">", index);
  return close < 0 ? null : text.slice(index + 1, close);
}

function endOfWord(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 32 || code === 58) break;
    index += 1;
  }
  return index;
}

/**
 * Builds an authentication failure from `dovecot_login authenticator failed for (helo)
 * [ip]:port: 535 Incorrect authentication data (set_id=alice@example.com)`. The client is the
 * first `[address]` after a space, because a HELO argument such as `([192.0.2.1])` may hold
 * an address too.
 */
export function authFailureEvent(record: LogRecord, failedAt: number): AuthFailureEvent {
  const text = record.message;
  let clientIp: string | null = null;
  const open = text.indexOf(" [", failedAt);
  const close = open < 0 ? -1 : text.indexOf("]", open);
  if (close > 0) clientIp = text.slice(open + 2, close);

  let username: string | null = null;
  const setId = text.lastIndexOf("(set_id=");
  const end = text.lastIndexOf(")");
  if (setId >= 0 && end > setId) username = text.slice(setId + 8, end);

  return {
    type: "auth-failure",
    time: record.time,
    position: positionOf(record),
    clientIp,
    username,
    program: record.program,
    mta: "exim",
  };
}

// `exim 4.96 daemon started: pid=27421, -q15m, …` and `pid 27421: SIGHUP received: re-exec daemon`.
function lifecycleEvent(record: LogRecord): LifecycleEvent | null {
  const text = record.message;
  let action: LifecycleEvent["action"];
  let version: string | null = null;
  if (text.startsWith("exim ") && text.includes(" daemon started")) {
    action = "start";
    version = text.slice(5, text.indexOf(" ", 5));
  } else if (text.startsWith("pid ") && text.includes(": SIGHUP received")) {
    action = "reload";
  } else {
    return null;
  }
  return {
    type: "lifecycle",
    time: record.time,
    position: positionOf(record),
    host: record.host,
    program: record.program,
    action,
    mta: "exim",
    version,
  };
}
