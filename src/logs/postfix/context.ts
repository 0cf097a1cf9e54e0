import type { EventSink, FilterCopyEvent } from "../events.js";
import { positionOf, type LogRecord } from "../record.js";
import type { PostfixProgram } from "./program.js";
import type { QueueIdReader, QueueKey } from "./queue-id.js";
import type { MessageState, MessageStore } from "./store.js";

/** What the line handlers of the Postfix parser share. */
export interface PostfixContext {
  readonly sink: EventSink;
  readonly store: MessageStore;
  readonly queueIds: QueueIdReader;
}

/**
 * A Postfix line whose message starts with a queue id. The parser fills one object for
 * every such line, so a handler must not keep it after it returns.
 */
export interface QueuedLine {
  readonly record: LogRecord;
  readonly program: PostfixProgram;
  /** Store key of the queue id; `queueIdOf` slices the id itself when it is needed. */
  readonly key: QueueKey;
  /** Index in `record.message` just after `QID: `. */
  readonly start: number;
}

/** Returns the queue id at the start of a queued line. */
export function queueIdOf(line: QueuedLine): string {
  return line.record.message.slice(0, line.start - 2);
}

/** Returns the open message of a queued line, or a stub started at this line. */
export function findOrCreate(context: PostfixContext, line: QueuedLine): MessageState {
  const { record, key, program } = line;
  return (
    context.store.find(record.host, program.instance, key, record.time) ??
    context.store.create(record, program.instance, key, queueIdOf(line), "unknown")
  );
}

/**
 * Emits the `filter-copy` event of a copy that is linked to its parent and whose `message`
 * event went out, at the line that completed the two.
 */
export function reportFilterCopy(
  context: PostfixContext,
  record: LogRecord,
  copy: MessageState,
): void {
  if (copy.parent === null) return;
  const event: FilterCopyEvent = {
    type: "filter-copy",
    time: record.time,
    position: positionOf(record),
    message: copy.parent,
    copy: copy.message,
  };
  context.sink(event);
}
