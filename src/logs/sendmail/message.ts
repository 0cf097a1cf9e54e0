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
import { pendingAttempt } from "../postfix/delivery.js";
import { expiredEvent } from "../postfix/qmgr.js";
import { detach } from "../postfix/fields.js";
import type { PendingAttempt } from "../postfix/store.js";
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
   * Recipients whose latest attempt was deferred (detached copies), each with that attempt,
   * or null while none is. Their retries are no first attempts, and a queue timeout repeats
   * their last reply.
   */
  deferred: Map<string, PendingAttempt> | null;
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
  const firstAttempt = state.deferred?.has(recipient) !== true;
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
  noteAttempt(state, event);
  return isPolicyRejection(mailer, status) ? { ...event, withoutAttempt: "policy" } : event;
}

/**
 * Builds the `expired` delivery events of a message that Sendmail returned to its sender at
 * the end of its queue lifetime (`DSN: Cannot send message for 5 days`). Each recipient
 * whose latest attempt was deferred gets one, with that attempt's relay, DSN and reply,
 * because they show why the mail never got through. When the log shows no deferred recipient
 * (the attempts came before it), one event with recipient "" stands for the whole message, as
 * the Postfix parser does for `status=expired`.
 * Each event is marked `queueExpiry`, because the line reports no attempt. The caller takes
 * `deferred` out of the message's state.
 */
export function queueTimeoutEvents(
  record: LogRecord,
  message: LoggedMessage,
  deferred: ReadonlyMap<string, PendingAttempt> | null,
): DeliveryEvent[] {
  // Without a deferral in the log the event names no relay, so no provider counts it. The
  // analyser counts it in `server.expiredWithoutRecipient`, as it counts Postfix's.
  if (deferred === null) return [expiredEvent(record, message, "", null)];
  return [...deferred].map(([recipient, last]) => expiredEvent(record, message, recipient, last));
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
 * Keeps a deferred recipient with its latest attempt until its delivery ends. Only deferred
 * recipients are kept, so a message whose recipients were all delivered keeps no
 * per-recipient state.
 * NOTE: a second final line for an address already delivered would count as a first
 * attempt again.
 */
function noteAttempt(state: QueuedMessage, event: DeliveryEvent): void {
  const recipient = event.recipient;
  if (event.status === "deferred") {
    const attempt = pendingAttempt(state.deferred?.values().next().value, event);
    if (event.firstAttempt) (state.deferred ??= new Map()).set(detach(recipient), attempt);
    else state.deferred?.set(recipient, attempt);
  } else if (!event.firstAttempt) {
    state.deferred?.delete(recipient);
    if (state.deferred?.size === 0) state.deferred = null;
  }
}

/** Creates the message of an id first named by `record`. */
export function newMessage(record: LogRecord, id: string): LoggedMessage {
  return newLoggedMessage("sendmail", record.host, id, record.time, positionOf(record));
}
