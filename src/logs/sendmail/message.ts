/**
 * The correlation state of one Sendmail queue id, and the events built from it.
 */

import {
  newLoggedMessage,
  type DeliveryEvent,
  type DeliveryStatus,
  type LoggedMessage,
} from "../events.js";
import type { TableEntry } from "../exim/message-table.js";
import { detach } from "../postfix/fields.js";
import { positionOf, type LogRecord } from "../record.js";
import { handoffOf, isRemoteDelivery, responseOf } from "./delivery.js";
import type { Fields, parseRelay } from "./fields.js";

/** The state of one queue id. */
export interface QueuedMessage extends TableEntry {
  readonly message: LoggedMessage;
  /** True once the `message` event went out. */
  announced: boolean;
  /** True for the submission program's copy (`from=` with `relay=user@localhost`). */
  submission: boolean;
  /** True when the daemon's copy of this submission was found, so this one is not reported. */
  handedOver: boolean;
  /**
   * True while this submission copy's hand-off waits for the daemon copy that it names, which
   * the log has not shown yet (see `HeldHandoffs`). It is not reported meanwhile.
   */
  awaitingDaemon: boolean;
  /**
   * Recipients whose latest attempt was deferred (detached copies), so that their retries
   * are no first attempts; null while none is.
   */
  deferred: Set<string> | null;
}

/** Builds the `delivery` event of one recipient and notes the attempt in `state`. */
export function deliveryEvent(
  record: LogRecord,
  state: QueuedMessage,
  fields: Fields,
  recipient: string,
  status: DeliveryStatus,
  relay: ReturnType<typeof parseRelay> | null,
): DeliveryEvent {
  const firstAttempt = noteAttempt(state, recipient, status);
  const mailer = fields.get("mailer");
  const event: DeliveryEvent = {
    type: "delivery",
    time: record.time,
    position: positionOf(record),
    message: state.message,
    recipient,
    originalRecipient: null,
    status,
    transport: mailer ?? null,
    remote: isRemoteDelivery(mailer, relay),
    relayHost: relay?.host ?? null,
    relayIp: relay?.ip ?? null,
    handoff: handoffOf(mailer, relay),
    dsn: fields.get("dsn") ?? null,
    response: responseOf(fields),
    firstAttempt,
  };
  return isPolicyRejection(mailer, status) ? { ...event, withoutAttempt: "policy" } : event;
}

/**
 * True for a bounce of Sendmail's `*error*` mailer, which a rule of this server picked on
 * purpose (an `error:` entry of the virtusertable, or `$#error` in a ruleset), so no delivery
 * was tried.
 */
function isPolicyRejection(mailer: string | undefined, status: DeliveryStatus): boolean {
  return mailer === "*error*" && status === "bounced";
}

/**
 * Keeps a deferred recipient until its delivery ends, and returns true when this is the
 * first attempt the log shows. Only deferred recipients are kept, so a message whose
 * recipients were all delivered keeps no per-recipient state.
 * NOTE: a second final line for an address already delivered would count as a first
 * attempt again.
 */
function noteAttempt(state: QueuedMessage, recipient: string, status: DeliveryStatus): boolean {
  const first = state.deferred?.has(recipient) !== true;
  if (status === "deferred") {
    if (first) (state.deferred ??= new Set()).add(detach(recipient));
  } else if (!first) {
    state.deferred?.delete(recipient);
    if (state.deferred?.size === 0) state.deferred = null;
  }
  return first;
}

/** Creates the message of an id first named by `record`. */
export function newMessage(record: LogRecord, id: string): LoggedMessage {
  return newLoggedMessage("sendmail", record.host, id, record.time, positionOf(record));
}
