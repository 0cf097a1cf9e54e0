import type { DeliveryEvent, LoggedMessage, MessageEvent } from "../events.js";
import { positionOf, type LogRecord, type ParseOutcome } from "../record.js";
import { findOrCreate, reportFilterCopy, type PostfixContext, type QueuedLine } from "./context.js";
import { addressBetween, addressEnd, detach } from "./fields.js";
import { releaseHold } from "./hold.js";
import { isIgnoredQueued } from "./noise.js";
import { eventMessage, type MessageState, type PendingAttempt } from "./store.js";

/**
 * Parses the queue manager's lines: `from=<s>, size=N, nrcpt=N (queue active)` each time the
 * message enters the active queue, `from=<s>, status=expired, returned to sender` when it
 * outlived `maximal_queue_lifetime`, and `removed`.
 */
export function handleQmgr(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const text = line.record.message;
  if (text.startsWith("from=", line.start)) return handleFrom(context, line);
  if (text.startsWith("removed", line.start)) {
    context.store.drop(line.record.host, line.program.instance, line.key);
    return "parsed";
  }
  return isIgnoredQueued(text, line.start) ? "ignored" : "unparsed";
}

/**
 * Parses `postsuper` lines: its `removed` (an administrator deleted the message) ends it too,
 * and `released from hold` takes a held message out of the hold queue.
 */
export function handlePostsuper(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const { record } = line;
  if (record.message.startsWith("removed", line.start)) {
    context.store.drop(record.host, line.program.instance, line.key);
    return "parsed";
  }
  if (record.message.startsWith("released from hold", line.start)) {
    const state = context.store.find(record.host, line.program.instance, line.key, record.time);
    if (state !== undefined) releaseHold(context, line, state);
    return "parsed";
  }
  return "ignored";
}

function handleFrom(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const { record } = line;
  const text = record.message;
  const senderEnd = addressEnd(text, line.start + 5);
  if (senderEnd < 0) return "unparsed";
  const state = findOrCreate(context, line);
  // A new qmgr pass may belong to a message that reused the queue id.
  if (state.finished !== null) context.store.forgetFinished(state);
  const sender = addressBetween(text, line.start + 5, senderEnd);
  if (state.message.sender !== sender) state.message.sender = detach(sender);

  if (text.startsWith(", status=", senderEnd)) {
    if (!text.includes("expired", senderEnd)) return "unparsed";
    expire(context, line, state);
    return "parsed";
  }
  const size = numberAfter(text, "size=", senderEnd);
  const count = numberAfter(text, "nrcpt=", senderEnd);
  if (size === null || count === null) return "unparsed";
  state.message.sizeBytes = size;
  state.message.recipientCount = count;
  releaseHold(context, line, state);
  announce(context, line, state);
  return "parsed";
}

/**
 * Emits the `message` event at the first queue manager line of a message whose arrival the
 * log shows. A message first named here entered the queue before the log starts (or its
 * earlier lines were lost). Its line may be a retry, so it gets no `message` event. A copy
 * that a filter hop linked before this line also gets its `filter-copy` event here.
 */
function announce(context: PostfixContext, line: QueuedLine, state: MessageState): void {
  if (state.announced || state.origin === "unknown") return;
  state.announced = true;
  // Postfix creates notifications with the null sender in cleanup, without smtpd or
  // pickup, and the bounce line that names them may come after this one.
  if (state.origin === "internal" && state.message.sender === "") state.message.isBounce = true;
  const event: MessageEvent = {
    type: "message",
    time: line.record.time,
    position: positionOf(line.record),
    message: state.message,
  };
  context.sink(event);
  if (state.parent !== null) reportFilterCopy(context, line.record, state);
}

/**
 * `status=expired, returned to sender` (also `force-expired` from `postsuper -e`): emits a
 * `delivery` event with status `expired` for each recipient whose last attempt in the log
 * was deferred, repeating that attempt's relay, DSN and reply, because they show why the
 * mail never got through. When the log shows no pending recipient (the attempts predate
 * it), one event with recipient "" stands for the whole message. Each event is marked
 * `queueExpiry`, because qmgr made no attempt on this line.
 */
function expire(context: PostfixContext, line: QueuedLine, state: MessageState): void {
  const pending = state.pending;
  if (pending === null) {
    context.sink(expiredEvent(line.record, eventMessage(state), "", null));
    return;
  }
  for (const [recipient, last] of [...pending]) {
    context.store.settle(state, recipient);
    context.sink(expiredEvent(line.record, eventMessage(state), recipient, last));
  }
}

/**
 * Builds the `expired` event of `recipient`, with the relay, DSN and reply of its last
 * deferral when the log shows one. The Sendmail parser builds its queue-timeout events here too.
 */
export function expiredEvent(
  record: LogRecord,
  message: LoggedMessage,
  recipient: string,
  last: PendingAttempt | null,
): DeliveryEvent {
  return {
    type: "delivery",
    time: record.time,
    position: positionOf(record),
    message,
    recipient,
    originalRecipient: last?.originalRecipient ?? null,
    status: "expired",
    transport: last?.transport ?? null,
    remote: last?.remote ?? false,
    relayHost: last?.relayHost ?? null,
    relayIp: last?.relayIp ?? null,
    dsn: last?.dsn ?? null,
    response: last?.response ?? null,
    firstAttempt: false,
    queueExpiry: true,
  };
}

/** Returns the integer after `key` at or after `from`, or null. */
function numberAfter(text: string, key: string, from: number): number | null {
  const at = text.indexOf(key, from);
  if (at < 0) return null;
  let value = 0;
  let index = at + key.length;
  const start = index;
  for (let code = text.charCodeAt(index); code >= 48 && code <= 57;) {
    value = value * 10 + code - 48;
    index += 1;
    code = text.charCodeAt(index);
  }
  return index > start ? value : null;
}
