import type { DeliveryEvent, DeliveryStatus } from "../events.js";
import type { ParseOutcome } from "../record.js";
import { positionOf, type PostfixContext, type QueuedLine } from "./context.js";
import {
  addressBetween,
  addressEnd,
  detach,
  detachOrNull,
  isLoopback,
  peerBetween,
  type Peer,
} from "./fields.js";
import type { MessageState } from "./store.js";

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
  /** True for `relay=none`: no server was reached, but the reason text may name one. */
  relayNone: boolean;
  dsn: string | null;
  status: DeliveryStatus;
  response: string | null;
}

/** Parses a `to=` line and emits its `delivery` event; `unparsed` when it is truncated. */
export function handleDelivery(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const fields = readDelivery(line.record.message, line.start);
  if (fields === null) return "unparsed";

  const state = context.store.findOrCreate(line.record, line.id);
  const relay =
    fields.relayNone && fields.response !== null ? peerInText(fields.response) : fields.relay;
  const transport = line.program.service;
  const event: DeliveryEvent = {
    type: "delivery",
    time: line.record.time,
    position: positionOf(line.record),
    message: state.message,
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status: fields.status,
    transport,
    // An smtp hop to a loopback content filter (amavis, a milter proxy) does not leave.
    remote: transport === "smtp" && !isLoopback(relay?.ip ?? null),
    relayHost: relay?.host ?? null,
    relayIp: relay?.ip ?? null,
    dsn: fields.dsn,
    response: fields.response,
    firstAttempt: state.recipients?.has(fields.recipient) !== true,
  };
  rememberAttempt(state, event);
  context.sink(event);
  return "parsed";
}

/**
 * Remembers the attempt for later `firstAttempt` values and for expiry. Most messages are
 * delivered and removed within seconds, so their recipient keys stay slices of the log
 * text. The first deferral makes the message long-lived, and from then on its keys are
 * detached copies that keep no chunk of the log in memory.
 */
function rememberAttempt(state: MessageState, event: DeliveryEvent): void {
  let recipients = state.recipients ?? new Map<string, DeliveryEvent | null>();
  if (event.status === "deferred" && !state.longLived) {
    recipients = detachKeys(recipients);
    state.longLived = true;
  }
  state.recipients = recipients;

  const known = recipients.has(event.recipient);
  const recipient = known || !state.longLived ? event.recipient : detach(event.recipient);
  if (event.status === "deferred") {
    recipients.set(recipient, pendingCopy(event, recipient));
  } else if (event.status !== "other" || !known) {
    // An address-verification result (`other`) does not end a pending delivery.
    recipients.set(recipient, null);
  }
}

function detachKeys<T>(map: Map<string, T>): Map<string, T> {
  const copy = new Map<string, T>();
  for (const [key, value] of map) copy.set(detach(key), value);
  return copy;
}

/** A copy of a deferral that keeps no log chunk alive while the recipient is pending. */
function pendingCopy(event: DeliveryEvent, recipient: string): DeliveryEvent {
  return {
    ...event,
    recipient,
    originalRecipient: detachOrNull(event.originalRecipient),
    relayHost: detachOrNull(event.relayHost),
    relayIp: detachOrNull(event.relayIp),
    response: detachOrNull(event.response),
    position: { file: event.position.file, line: event.position.line },
  };
}

// Status words with their own DeliveryStatus. Others, such as `deliverable` and
// `undeliverable` from address verification, become `other`.
const STATUS_WORDS: readonly DeliveryStatus[] = ["sent", "deferred", "bounced", "expired"];

/** Returns the status whose word runs from `index` to `end`, without slicing the word. */
function statusBetween(text: string, index: number, end: number): DeliveryStatus {
  for (const word of STATUS_WORDS) {
    if (end - index === word.length && text.startsWith(word, index)) return word;
  }
  return "other";
}

/** Reads the fields of a delivery line from `start` (at `to=`); null when truncated. */
function readDelivery(text: string, start: number): DeliveryFields | null {
  const recipientEnd = addressEnd(text, start + 3);
  if (recipientEnd < 0) return null;
  const fields: DeliveryFields = {
    recipient: addressBetween(text, start + 3, recipientEnd),
    originalRecipient: null,
    relay: null,
    relayNone: false,
    dsn: null,
    status: "other",
    response: null,
  };

  let index = recipientEnd;
  while (text.charCodeAt(index) === 44 && text.charCodeAt(index + 1) === 32) {
    index += 2;
    if (text.startsWith("status=", index)) return readStatus(text, index + 7, fields);
    index = readField(text, index, fields);
    if (index < 0) return null;
  }
  return null;
}

/** Reads one `key=value` field at `index` into `fields`; returns the index after it. */
function readField(text: string, index: number, fields: DeliveryFields): number {
  if (text.startsWith("orig_to=", index)) {
    const end = addressEnd(text, index + 8);
    if (end >= 0) fields.originalRecipient = addressBetween(text, index + 8, end);
    return end;
  }
  const end = text.indexOf(", ", index);
  if (end < 0) return -1;
  if (text.startsWith("relay=", index)) {
    fields.relay = peerBetween(text, index + 6, end);
    fields.relayNone = end === index + 10 && text.startsWith("none", index + 6);
  } else if (text.startsWith("dsn=", index)) fields.dsn = text.slice(index + 4, end);
  return end;
}

/** Reads `WORD (text)` after `status=`, where the text runs to the last `)` of the line. */
function readStatus(text: string, index: number, fields: DeliveryFields): DeliveryFields | null {
  let end = text.indexOf(" ", index);
  if (end < 0) end = text.length;
  if (end === index) return null;
  fields.status = statusBetween(text, index, end);

  if (text.charCodeAt(end + 1) === 40) {
    const close = text.lastIndexOf(")");
    fields.response = text.slice(end + 2, close > end ? close : text.length);
  }
  return fields;
}

const SUSPENDED = "delivery temporarily suspended: ";
const PEER_PREFIXES = ["connect to ", "lost connection with ", "conversation with ", "host "];

/**
 * Returns the server named at the start of a Postfix reason text, as in `connect to
 * H[ip]:25: Connection timed out` after `relay=none`, or null.
 */
export function peerInText(text: string): Peer | null {
  const start = text.startsWith(SUSPENDED) ? SUSPENDED.length : 0;
  for (const prefix of PEER_PREFIXES) {
    if (!text.startsWith(prefix, start)) continue;
    const peerStart = start + prefix.length;
    const space = text.indexOf(" ", peerStart);
    return peerBetween(text, peerStart, space < 0 ? text.length : space);
  }
  return null;
}
