import type { EventSink, LinePosition } from "../events.js";
import type { LogRecord } from "../record.js";
import type { PostfixProgram } from "./program.js";
import type { MessageStore } from "./store.js";

/** What the line handlers of the Postfix parser share. */
export interface PostfixContext {
  readonly sink: EventSink;
  readonly store: MessageStore;
}

/**
 * A Postfix line whose message starts with a queue id. The parser fills one object for
 * every such line, so a handler must not keep it after it returns.
 */
export interface QueuedLine {
  readonly record: LogRecord;
  readonly program: PostfixProgram;
  readonly id: string;
  /** Index in `record.message` just after `QID: `. */
  readonly start: number;
}

/** Returns the file and line of a record, as events carry them. */
export function positionOf(record: LogRecord): LinePosition {
  return { file: record.file, line: record.line };
}
