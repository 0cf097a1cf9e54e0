import type { DeliveryEvent, DeliveryStatus, LocalHandoff, WithoutAttemptKind } from "../events.js";
import { isDamagedAddress, positionOf, type ParseOutcome } from "../record.js";
import { findOrCreate, reportFilterCopy, type PostfixContext, type QueuedLine } from "./context.js";
import {
  addressBetween,
  addressEnd,
  detach,
  detachOrNull,
  isLoopback,
  peerBetween,
  type Peer,
} from "./fields.js";
import { COPY_HOLD_MS, eventMessage, type MessageState, type PendingAttempt } from "./store.js";

/**
 * Delivery status lines of the delivery agents (`smtp`, `lmtp`, `local`, `virtual`, `pipe`,
 * `error`, `retry`, `discard`):
 * `QID: to=<rcpt>, [orig_to=<alias>,] relay=…, [conn_use=N,] delay=…, delays=…, [tls=…,]
 * dsn=X.Y.Z, status=WORD (text)`. Fields are read in order by position; unknown fields
 * are skipped, so new Postfix versions that add one still parse.
 */

/** The fields of one delivery line that the events carry. */
interface DeliveryFields {
  recipient: string;
  originalRecipient: string | null;
  relay: Peer | null;
  /** Port after the relay's address (`:587`), or null. */
  relayPort: number | null;
  /** True for `relay=none`: no server was reached, but the reason text may name one. */
  relayNone: boolean;
  dsn: string | null;
  status: DeliveryStatus;
  response: string | null;
}

/**
 * Parses a `to=` line and emits its `delivery` event. Returns `unparsed` for a truncated line,
 * a recipient with a control character (see `isDamagedAddress`) or an unknown status word.
 * Returns `ignored`, with no event, for a sent, bounced or deferred line of a remote recipient
 * whose delivery to the open message already ended (see `MessageStore.isFinished`).
 */
export function handleDelivery(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const fields = readDelivery(line.record.message, line.start);
  if (fields === null) return "unparsed";

  const state = findOrCreate(context, line);
  const reason = fields.relayNone ? fields.response : null;
  const relay = reason === null ? fields.relay : peerInText(reason);
  const transport = line.program.service;
  const relayIp = relay?.ip ?? null;
  const withoutAttempt =
    transport === "retry" || transport === "error"
      ? withoutAttemptOf(fields)
      : isMailLoop(fields)
        ? "mta"
        : null;
  // An smtp hop to a loopback content filter (amavis, a milter proxy) does not leave. A
  // suspended deferral was meant for another server, so its queue expiry counts as remote.
  const remote =
    (transport === "smtp" && !isLoopback(relayIp)) ||
    (withoutAttempt === "suspended" && !isLocalPeer(relay));
  // Only messages with an ended remote delivery pay for the check. Local deliveries are not
  // checked, because a .forward file can deliver one recipient twice (to a command and to
  // the mailbox) under one queue id.
  // NOTE: a repeat that comes after the message's `removed` line is not found, because the
  // store forgot the message. Its line starts a stub message of unknown origin (see
  // `findOrCreate`) and counts as a delivery again.
  if (remote && state.finished !== null && isAttempt(fields.status)) {
    if (context.store.isFinished(state, finishedKey(fields))) {
      context.store.countRepeatedDelivery();
      return "ignored";
    }
  }
  const handoff = remote ? null : handoffOf(transport, relayIp, fields.response);
  const attempt: DeliveryEvent = {
    type: "delivery",
    time: line.record.time,
    position: positionOf(line.record),
    message: eventMessage(state),
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status: fields.status,
    transport,
    remote,
    relayHost: relay?.host ?? null,
    relayIp,
    relayPort: reason === null ? fields.relayPort : portInText(reason),
    outgoingSource: line.program.syslogName,
    handoff,
    dsn: fields.dsn,
    response: fields.response,
    firstAttempt: !context.store.isPending(state, fields.recipient),
    delaySeconds: fields.status === "deferred" ? delayOf(line.record.message, line.start) : null,
  };
  // Only the rare lines without an attempt pay for a copy, because a spread in the literal
  // above would build every delivery event on V8's slower path.
  const event = withoutAttempt === null ? attempt : { ...attempt, withoutAttempt };
  rememberAttempt(context, state, event, event.firstAttempt);
  if (handoff === null && mayBeUnlinkedCopy(state, line.record.time)) {
    context.store.hold(line.record.host, line.key, state, event);
  } else {
    context.sink(event);
  }
  if (handoff === "filter" && fields.status === "sent") linkCopy(context, line, event);
  if (remote && (fields.status === "sent" || fields.status === "bounced")) {
    context.store.finish(state, finishedKey(fields));
  }
  return "parsed";
}

function isAttempt(status: DeliveryStatus): boolean {
  return status === "sent" || status === "bounced" || status === "deferred";
}

/**
 * Returns the key of a recipient's delivery for `MessageStore.isFinished`: the address, with
 * `orig_to` after a line feed when the line has one, because two aliases may expand to one
 * address.
 */
function finishedKey(fields: DeliveryFields): string {
  const original = fields.originalRecipient;
  return original === null ? fields.recipient : `${fields.recipient}\n${original}`;
}

/**
 * Returns the seconds of `delay=` (`delay=122209`, `delay=0.52`) in the fields from `start` on,
 * or null when the line has no such field or its value is no number. Only deferrals call it, so
 * the other delivery lines do not pay for the search.
 */
function delayOf(text: string, start: number): number | null {
  const field = text.indexOf(", delay=", start);
  if (field < 0) return null;
  const valueStart = field + 8;
  const end = text.indexOf(",", valueStart);
  if (end === valueStart) return null;
  const seconds = Number(text.slice(valueStart, end < 0 ? text.length : end));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/**
 * True when a delivery may belong to a content filter's copy whose filter hop is not logged
 * yet: a loopback client queued the message, no hop linked it, and its first line is at most
 * `COPY_HOLD_MS` old. Such a delivery waits for the hop (see `MessageStore.hold`).
 */
function mayBeUnlinkedCopy(state: MessageState, time: number): boolean {
  return (
    state.parent === null &&
    state.origin === "smtpd" &&
    time <= state.message.firstTime + COPY_HOLD_MS &&
    isLoopback(state.message.clientIp)
  );
}

const FORWARDED_AS = "forwarded as ";
const QUEUED_AS = "queued as ";

/**
 * Returns how a delivery that stayed on this host passed the mail on, or null when it went to
 * a mailbox. An lmtp hop to a loopback address is a filter only when the reply names a queued
 * copy, because Dovecot and Cyrus also take LMTP on 127.0.0.1 and store the mail themselves.
 */
function handoffOf(
  transport: string,
  relayIp: string | null,
  response: string | null,
): LocalHandoff | null {
  switch (transport) {
    case "smtp":
      return isLoopback(relayIp) ? "filter" : null;
    case "lmtp":
      return isLoopback(relayIp) && queuedCopyId(response) !== null ? "filter" : null;
    case "local":
      return response?.startsWith(FORWARDED_AS) === true ? "forward" : null;
    case "discard":
      return "discard";
    default:
      return null;
  }
}

/**
 * Returns the queue id at the end of a Postfix smtpd reply, `250 2.0.0 Ok: queued as
 * 2B3C4D5E6F`, or null without one. A second instance replies this way, and amavis passes on
 * the reply of its re-injection port after `250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): `.
 */
function queuedCopyId(response: string | null): string | null {
  if (response === null) return null;
  const at = response.lastIndexOf(QUEUED_AS);
  if (at < 0) return null;
  const id = response.slice(at + QUEUED_AS.length);
  return id.length > 0 && !id.includes(" ") ? id : null;
}

/**
 * Marks the copy that a filter hop's reply names as a continuation of the hop's message, so
 * that the copy's deliveries carry that message. A reply without a valid queue id (amavis
 * discarded the mail, or the filter is no Postfix) links nothing. A copy that is already
 * open or held, and announced, gets its `filter-copy` event here, after the hop's delivery
 * event.
 */
function linkCopy(context: PostfixContext, line: QueuedLine, event: DeliveryEvent): void {
  const id = queuedCopyId(event.response);
  if (id === null) return;
  const queueIds = context.queueIds;
  if (queueIds.read(`${id}: `) !== id.length) return;
  const { record, program } = line;
  const position = event.position;
  const copy = context.store.link(
    record.host,
    program.instance,
    queueIds.key,
    event.message,
    record.time,
    position,
  );
  if (copy === null) return;
  if (copy.announced) reportFilterCopy(context, record, copy);
  // Deliveries of the copy that were logged before this hop carry its message now.
  for (const held of context.store.takeHeld(copy)) {
    context.sink({ ...held, message: event.message });
  }
}

/**
 * Keeps a deferral as the recipient's pending attempt, for later `firstAttempt` values and
 * for expiry, and ends it at a final status. Only pending recipients are kept, so a message
 * whose recipients were all delivered holds no per-recipient state.
 * A repeated final line of a remote recipient never comes here (see `handleDelivery`).
 * NOTE: a second final line for a local recipient that was already delivered would count as
 * a first attempt again.
 */
function rememberAttempt(
  context: PostfixContext,
  state: MessageState,
  event: DeliveryEvent,
  first: boolean,
): void {
  const store = context.store;
  if (event.status === "deferred") {
    const recipient = first ? detach(event.recipient) : event.recipient;
    store.defer(state, recipient, pendingAttempt(state.pending?.firstValue(), event));
  } else if (event.status !== "other" && !first) {
    // An address-verification result (`other`) does not end a pending delivery.
    store.settle(state, event.recipient);
  }
}

/**
 * Returns the deferral as a pending attempt with detached strings. Recipients that one
 * delivery attempt deferred together share the reply, so when it equals `shared`, one of the
 * message's pending attempts, that one is returned instead of a copy. The Sendmail parser
 * keeps its deferrals this way too.
 */
export function pendingAttempt(
  shared: PendingAttempt | undefined,
  event: DeliveryEvent,
): PendingAttempt {
  if (shared !== undefined && isSameAttempt(shared, event)) return shared;
  return {
    originalRecipient: detachOrNull(event.originalRecipient),
    transport: event.transport,
    remote: event.remote,
    relayHost: detachOrNull(event.relayHost),
    relayIp: detachOrNull(event.relayIp),
    dsn: detachOrNull(event.dsn),
    response: detachOrNull(event.response),
  };
}

function isSameAttempt(attempt: PendingAttempt, event: DeliveryEvent): boolean {
  return (
    attempt.response === event.response &&
    attempt.dsn === event.dsn &&
    attempt.relayIp === event.relayIp &&
    attempt.relayHost === event.relayHost &&
    attempt.originalRecipient === event.originalRecipient &&
    attempt.transport === event.transport &&
    attempt.remote === event.remote
  );
}

// The status words Postfix writes (3.x `src/global/bounce.c`, `defer.c`, `sent.c`,
// `verify.c`), by their DeliveryStatus. `deliverable`, `undeliverable` and
// `undeliverable-but-not-cached` come from address verification (`sendmail -bv`, the
// `verify` service), so they are no delivery. `SOFTBOUNCE` replaces `bounced` under
// `soft_bounce = yes`, which keeps the message queued as a deferral does.
const STATUS_WORDS: readonly (readonly [string, DeliveryStatus])[] = [
  ["sent", "sent"],
  ["deferred", "deferred"],
  ["bounced", "bounced"],
  ["expired", "expired"],
  ["deliverable", "other"],
  ["undeliverable", "other"],
  ["undeliverable-but-not-cached", "other"],
  ["SOFTBOUNCE", "deferred"],
];

/**
 * Returns the status whose word runs from `index` to `end`, without slicing the word, or
 * null for a word Postfix does not write (a damaged line).
 */
function statusBetween(text: string, index: number, end: number): DeliveryStatus | null {
  for (let i = 0; i < STATUS_WORDS.length; i++) {
    const entry = STATUS_WORDS[i] as readonly [string, DeliveryStatus];
    const word = entry[0];
    if (end - index === word.length && text.startsWith(word, index)) return entry[1];
  }
  return null;
}

/**
 * Reads the fields of a delivery line from `start` (at `to=`); null when truncated or when
 * its status word is unknown.
 */
function readDelivery(text: string, start: number): DeliveryFields | null {
  const recipientEnd = addressEnd(text, start + 3);
  if (recipientEnd < 0) return null;
  const recipient = addressBetween(text, start + 3, recipientEnd);
  if (isDamagedAddress(recipient)) return null;
  const fields: DeliveryFields = {
    recipient,
    originalRecipient: null,
    relay: null,
    relayPort: null,
    relayNone: false,
    dsn: null,
    status: "other",
    response: null,
  };

  let index = recipientEnd;
  while (text.charCodeAt(index) === 44 && text.charCodeAt(index + 1) === 32) {
    index += 2;
    // The first letter of the key picks the one key to compare, so the fields that are
    // skipped (`delay=`, `delays=`, `conn_use=`, `tls=`) cost one search for their end.
    const first = text.charCodeAt(index);
    if (first === 115 && text.startsWith("status=", index)) {
      return readStatus(text, index + 7, fields);
    }
    index = readField(text, index, first, fields);
    if (index < 0) return null;
  }
  return null;
}

/**
 * Reads one `key=value` field at `index`, whose first character is `first`, into
 * `fields`; returns the index after it.
 */
function readField(text: string, index: number, first: number, fields: DeliveryFields): number {
  if (first === 111 && text.startsWith("orig_to=", index)) {
    const end = addressEnd(text, index + 8);
    if (end >= 0) fields.originalRecipient = addressBetween(text, index + 8, end);
    return end;
  }
  const end = text.indexOf(", ", index);
  if (end < 0) return -1;
  if (first === 114 && text.startsWith("relay=", index)) {
    fields.relay = peerBetween(text, index + 6, end);
    fields.relayPort = portBefore(text, end);
    fields.relayNone = end === index + 10 && text.startsWith("none", index + 6);
  } else if (first === 100 && text.startsWith("dsn=", index)) {
    fields.dsn = text.slice(index + 4, end);
  }
  return end;
}

/** Reads `WORD (text)` after `status=`, where the text runs to the last `)` of the line. */
function readStatus(text: string, index: number, fields: DeliveryFields): DeliveryFields | null {
  let end = text.indexOf(" ", index);
  if (end < 0) end = text.length;
  const status = statusBetween(text, index, end);
  if (status === null) return null;
  fields.status = status;

  if (text.charCodeAt(end + 1) === 40) {
    // The `)` nearly always ends the line, so the runtime call of `lastIndexOf` is rarely made.
    const close = text.charCodeAt(text.length - 1) === 41 ? text.length - 1 : text.lastIndexOf(")");
    fields.response = text.slice(end + 2, close > end ? close : text.length);
  }
  return fields;
}

const SUSPENDED = "delivery temporarily suspended: ";

/**
 * Tells why a line of the `retry` or `error` service involved no attempt. The queue manager
 * hands these services the recipients of a destination that it marked dead after a failure,
 * with `delivery temporarily suspended: <that failure>` as the reason. The `retry` service
 * (Postfix 2.4 and later) runs the `error` program, so the log may name either. Any other
 * reason is the MTA's own. A bounce is a deliberate refusal (`policy`): a relocated user
 * (`user has moved to …`), an `error:` entry in `transport_maps` or an unknown address in a
 * lookup table. A deferral, such as a `retry:` entry, and a missing transport are `mta`.
 */
function withoutAttemptOf(fields: DeliveryFields): WithoutAttemptKind {
  const response = fields.response;
  if (fields.status === "deferred" && response?.startsWith(SUSPENDED) === true) return "suspended";
  if (fields.status !== "bounced" || response === null) return "mta";
  return BROKEN_TRANSPORT.test(response) ? "mta" : "policy";
}

// Postfix's reasons when the transport that `transport_maps` or `master.cf` names is missing
// or broken. They are normally deferrals, but a bounce with them is no policy either.
const BROKEN_TRANSPORT = /^(?:unknown mail transport error|mail transport unavailable)/i;

/**
 * True for the bounce that the `smtp` client writes, without connecting, when the MX of the
 * recipient domain is this host: `relay=none, …, status=bounced (mail for example.net loops
 * back to myself)`.
 */
function isMailLoop(fields: DeliveryFields): boolean {
  const response = fields.response;
  if (!fields.relayNone || fields.status !== "bounced" || response === null) return false;
  return response.startsWith("mail for ") && response.endsWith(" loops back to myself");
}

/**
 * True when the server named in a reason text is on this host: a loopback address, such as a
 * content filter's, or a UNIX-domain socket (`mail.example.com[private/dovecot-lmtp]`), whose
 * path `peerBetween` reads as no IP.
 */
function isLocalPeer(peer: Peer | null): boolean {
  if (peer === null) return false;
  return peer.ip === null ? peer.host !== null : isLoopback(peer.ip);
}

const PEER_PREFIXES = ["connect to ", "lost connection with ", "conversation with ", "host "];

/**
 * Returns the server named at the start of a Postfix reason text, as in `connect to
 * H[ip]:25: Connection timed out` after `relay=none`, or null.
 */
export function peerInText(text: string): Peer | null {
  const peerStart = peerStartInText(text);
  if (peerStart < 0) return null;
  const space = text.indexOf(" ", peerStart);
  return peerBetween(text, peerStart, space < 0 ? text.length : space);
}

/**
 * Returns the port of the server that `peerInText` reads (`587` of `connect to
 * smtp.example.net[192.0.2.25]:587: Connection refused`), or null when the text names none.
 */
function portInText(text: string): number | null {
  const peerStart = peerStartInText(text);
  if (peerStart < 0) return null;
  let end = text.indexOf(" ", peerStart);
  if (end < 0) end = text.length;
  if (text.charCodeAt(end - 1) === 58) end -= 1;
  return portBefore(text, end);
}

/** Returns the index where `peerInText`'s server starts, or -1 when the text names none. */
function peerStartInText(text: string): number {
  const start = text.startsWith(SUSPENDED) ? SUSPENDED.length : 0;
  for (const prefix of PEER_PREFIXES) {
    if (text.startsWith(prefix, start)) return start + prefix.length;
  }
  return -1;
}

/** Returns the port of `host[ip]:port` that ends at `end`, or null when there is none. */
function portBefore(text: string, end: number): number | null {
  let start = end;
  while (start > 0) {
    const code = text.charCodeAt(start - 1);
    if (code < 48 || code > 57) break;
    start -= 1;
  }
  if (start === end || end - start > 5 || !text.startsWith("]:", start - 2)) return null;
  return Number(text.slice(start, end));
}
