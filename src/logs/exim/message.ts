/**
 * The correlation state of one Exim message id, and the events built from it.
 */

import {
  newLoggedMessage,
  type DeliveryEvent,
  type DeliveryStatus,
  type LinePosition,
  type LoggedMessage,
  type TlsEvent,
} from "../events.js";
import { detach } from "../postfix/fields.js";
import type { LogRecord } from "../record.js";
import { isGiveUpWithoutAttempt, isRetryTimeNotReached, type DeliveryFields } from "./delivery.js";
import { isLoopbackIp } from "./loopback.js";
import { AUTH_REQUIRED, type FailedHost } from "./failed-host.js";
import type { TableEntry } from "./message-table.js";

/** The state of one message id. */
export interface MessageState extends TableEntry {
  readonly message: LoggedMessage;
  /**
   * Recipients whose latest attempt was deferred (detached copies), so that their retries
   * are no first attempts, each with whether that attempt was remote; null while none is.
   */
  deferred: Map<string, boolean> | null;
  /** The host of the latest failed connection or login without an address, or null. */
  failedHost: FailedHost | null;
  /** True after a line that froze the message, until one that thaws or ends it. */
  frozen: boolean;
}

/** Builds the `delivery` event of one recipient and notes the attempt in `state`. */
export function deliveryEvent(
  record: LogRecord,
  position: LinePosition,
  state: MessageState,
  fields: DeliveryFields,
  status: DeliveryStatus,
): DeliveryEvent | null {
  // Exim 4 writes its own give-up line (`** a@example.com: retry timeout exceeded`) without a
  // router or transport, so it is remote when the deferrals before it were. So is a skipped
  // retry (`routing defer (-52): retry time not reached`).
  const giveUp = status === "expired" && isGiveUpWithoutAttempt(fields.errorText);
  const skipped = status === "deferred" && isRetryTimeNotReached(fields.errorText);
  const deferredRemote = state.deferred?.get(fields.recipient);
  const remote = isRemote(fields) || ((giveUp || skipped) && deferredRemote === true);
  // NOTE: a skipped retry that names no transport, of an address whose earlier deferral the log
  // does not show, could be meant for this host or another, so it is left out.
  if (skipped && fields.transport === null && deferredRemote === undefined) return null;
  const decidedByMta = !giveUp && !skipped && isDecidedByMta(fields, status);
  const firstAttempt = noteAttempt(state, fields.recipient, status, remote);
  const event: DeliveryEvent = {
    type: "delivery",
    time: record.time,
    position,
    message: state.message,
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status,
    transport: fields.transport,
    remote,
    relayHost: fields.relayHost,
    relayIp: fields.relayIp,
    relayPort: fields.relayPort,
    outgoingSource: fields.outgoingIp,
    handoff: !remote && isFilterHandoff(fields) ? "filter" : null,
    dsn: null,
    response: fields.errorText ?? fields.confirmation,
    firstAttempt,
    ...(giveUp ? { queueExpiry: true } : {}),
  };
  if (skipped) return { ...event, withoutAttempt: "suspended" };
  if (!decidedByMta) return event;
  return { ...event, withoutAttempt: isPolicyRejection(fields, status) ? "policy" : "mta" };
}

// Exim's own reasons for a routing failure, which a router line can carry too: no route, an MX
// or SRV record that points nowhere, a DNS lookup that did not finish, or a mail loop.
const ROUTING_FAILURE = /Unrouteable address|MX record|SRV record|host lookup|too many hops|loop/i;

/**
 * True for a bounce that a router decided on purpose, without a transport or host: a `:fail:`
 * alias (`** a@example.com R=aliases: bounced (:fail:)`, or the text after `:fail:`) or a
 * router's own refusal (`** b@example.net R=disabled_users : account disabled`).
 * NOTE: a router's routing failure in a wording that `ROUTING_FAILURE` does not know reads as
 * such a refusal, so it is no longer held mail.
 */
function isPolicyRejection(fields: DeliveryFields, status: DeliveryStatus): boolean {
  if (status !== "bounced" || fields.router === null) return false;
  if (fields.transport !== null || fields.relayIp !== null) return false;
  return !ROUTING_FAILURE.test(fields.errorText ?? "");
}

/**
 * True for a deferral or bounce that Exim decided without handing the mail to any server or
 * mailbox. A line with neither transport nor host failed in routing (`** a@example.invalid:
 * Unrouteable address`, `== b@example.net R=dnslookup defer (-1): host lookup did not
 * complete`). A transport that had to log in to its relay host and could not is this
 * server's failure too, whatever the relay replied.
 */
function isDecidedByMta(fields: DeliveryFields, status: DeliveryStatus): boolean {
  if (status !== "deferred" && status !== "bounced") return false;
  if (fields.errorText?.startsWith(AUTH_REQUIRED) === true) return true;
  return fields.transport === null && fields.relayIp === null;
}

// An SMTP transport to a loopback host hands the mail to a content filter or another MTA on this
// host, which queues it again. Other transports to a loopback host, such as LMTP to Dovecot, count
// as mailbox deliveries.
function isFilterHandoff(fields: DeliveryFields): boolean {
  const ip = fields.relayIp;
  return ip !== null && isLoopbackIp(ip) && fields.transport?.includes("smtp") === true;
}

/**
 * Keeps a deferred recipient until its delivery ends, and returns true when this is the
 * first attempt the log shows. Only deferred recipients are kept, so a message whose
 * recipients were all delivered keeps no per-recipient state.
 * NOTE: a second final line for an address already delivered (Exim writes none for one
 * message) would count as a first attempt again.
 */
function noteAttempt(
  state: MessageState,
  recipient: string,
  status: DeliveryStatus,
  remote: boolean,
): boolean {
  const first = state.deferred?.has(recipient) !== true;
  if (status === "deferred") {
    if (first) (state.deferred ??= new Map()).set(detach(recipient), remote);
    else state.deferred?.set(recipient, remote);
  } else if (status !== "other" && !first) {
    state.deferred?.delete(recipient);
    if (state.deferred?.size === 0) state.deferred = null;
  }
  return first;
}

// A named host decides: loopback hosts are content filters or a local LMTP server. Without a
// host, an SMTP transport means the attempt was meant for another server.
function isRemote(fields: DeliveryFields): boolean {
  if (fields.relayIp !== null) return !isLoopbackIp(fields.relayIp);
  return fields.transport !== null && fields.transport.includes("smtp");
}

/** Builds the outbound `tls` event of a delivery line with `X=`. */
export function tlsEvent(
  record: LogRecord,
  position: LinePosition,
  fields: DeliveryFields,
): TlsEvent {
  return {
    type: "tls",
    time: record.time,
    position,
    direction: "outbound",
    peerHost: fields.relayHost,
    peerIp: fields.relayIp,
    protocol: fields.tlsProtocol,
  };
}

/** Creates the message of an id first named by `record`. */
export function newMessage(record: LogRecord, id: string): LoggedMessage {
  return newLoggedMessage("exim", record.host, id, record.time, positionOf(record));
}

/** Returns the file and line of a record, as events carry them. */
export function positionOf(record: LogRecord): LinePosition {
  return { file: record.file, line: record.line };
}
