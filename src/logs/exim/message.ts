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
import { positionOf, type LogRecord } from "../record.js";
import {
  isGiveUpWithoutAttempt,
  isRetryTimeNotReached,
  isRetryTimeoutExceeded,
  type DeliveryFields,
} from "./delivery.js";
import { isLoopbackIp } from "./loopback.js";
import { AUTH_REQUIRED, type FailedHost } from "./failed-host.js";
import type { TableEntry } from "./message-table.js";

/**
 * The place of a recipient's latest deferral: another server (`remote`), this server's own
 * decision without an attempt (`held`, such as a failed login to the relay host), or a
 * mailbox, program or loopback host on this server (`local`).
 */
type DeferralKind = "remote" | "held" | "local";

/** The state of one message id. */
export interface MessageState extends TableEntry {
  readonly message: LoggedMessage;
  /**
   * Recipients whose latest attempt was deferred (detached copies), so that their retries
   * are no first attempts, each with where that deferral was; null while none is.
   */
  deferred: Map<string, DeferralKind> | null;
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
  lineStatus: DeliveryStatus,
): DeliveryEvent | null {
  // Exim 4 writes its own give-up line (`** a@example.com: retry timeout exceeded`) without a
  // router or transport, so it is remote when the deferrals before it were. So is a skipped
  // retry (`routing defer (-52): retry time not reached`).
  const giveUpLine = lineStatus === "expired" && isGiveUpWithoutAttempt(fields.errorText);
  const skipped = lineStatus === "deferred" && isRetryTimeNotReached(fields.errorText);
  const prior = state.deferred?.get(fields.recipient);
  // Without an earlier deferral in the log, a give-up is an expiry only when its line states
  // that the retry timeout passed. A give-up on hosts that have failed for long is a plain
  // bounce, because Exim also writes it for a new message that it bounces at once.
  const bouncedAtOnce =
    giveUpLine && prior === undefined && !isRetryTimeoutExceeded(fields.errorText);
  const giveUp = giveUpLine && !bouncedAtOnce;
  const status = bouncedAtOnce ? "bounced" : lineStatus;
  // A give-up whose deferrals the log does not show counts as remote, because only a remote
  // transport gives up on `all hosts` and most retry timeouts are those of remote hosts.
  // NOTE: the give-up of a local delivery whose deferrals came before the log counts as remote.
  const remote =
    isRemote(fields) ||
    ((giveUp || skipped) && prior === "remote") ||
    (giveUpLine && prior === undefined);
  // A skipped retry that stays on this host is no attempt and no failure. One that names no
  // transport, of an address whose earlier deferral the log does not show, could be meant for
  // this host or another, so it is left out too.
  if (skipped && !remote) return null;
  const decidedByMta = !giveUpLine && !skipped && isDecidedByMta(fields, status);
  let kind: DeferralKind = "local";
  if (remote) kind = "remote";
  else if (decidedByMta) kind = "held";
  const firstAttempt = noteAttempt(state, fields.recipient, status, kind);
  if (giveUp && !remote) return localGiveUp(record, position, state, fields, prior === "held");
  const event: DeliveryEvent = {
    type: "delivery",
    time: record.time,
    position,
    message: state.message,
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status,
    transport: fields.transport,
    router: fields.router,
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

/**
 * Builds the event of a give-up line for a recipient whose deferrals stayed on this server. No
 * receiver saw the mail, and Exim bounces it to the sender, so it is a bounce. It is this
 * server's own decision (`withoutAttempt` of `mta`) when the deferrals were (`held`), such as
 * failed logins to the relay host, else a failed local delivery.
 */
function localGiveUp(
  record: LogRecord,
  position: LinePosition,
  state: MessageState,
  fields: DeliveryFields,
  heldByServer: boolean,
): DeliveryEvent {
  const event: DeliveryEvent = {
    type: "delivery",
    time: record.time,
    position,
    message: state.message,
    recipient: fields.recipient,
    originalRecipient: fields.originalRecipient,
    status: "bounced",
    transport: fields.transport,
    router: fields.router,
    remote: false,
    relayHost: null,
    relayIp: null,
    relayPort: null,
    outgoingSource: null,
    handoff: null,
    dsn: null,
    response: fields.errorText,
    firstAttempt: false,
    queueExpiry: true,
  };
  return heldByServer ? { ...event, withoutAttempt: "mta" } : event;
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
 * server's failure too, whatever the relay replied (see `isFailedRelayLogin`).
 */
function isDecidedByMta(fields: DeliveryFields, status: DeliveryStatus): boolean {
  if (status !== "deferred" && status !== "bounced") return false;
  if (isFailedRelayLogin(fields.errorText)) return true;
  return fields.transport === null && fields.relayIp === null;
}

/**
 * True for the reason of a transport that could not log in to its relay host: `authentication
 * required but …`, or the host that closed the connection during the login (`Remote host closed
 * connection in response to AUTH LOGIN`).
 */
function isFailedRelayLogin(errorText: string | null): boolean {
  if (errorText === null) return false;
  return errorText.startsWith(AUTH_REQUIRED) || errorText.includes(AUTH_RESPONSE);
}

// Exim's wording when the relay host ends the session at this server's `AUTH` command.
const AUTH_RESPONSE = " in response to AUTH ";

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
  kind: DeferralKind,
): boolean {
  const first = state.deferred?.has(recipient) !== true;
  if (status === "deferred") {
    if (first) (state.deferred ??= new Map()).set(detach(recipient), kind);
    else state.deferred?.set(recipient, kind);
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
