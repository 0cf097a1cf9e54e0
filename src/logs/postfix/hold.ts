import type { HoldKind } from "../events.js";
import { positionOf, type ParseOutcome } from "../record.js";
import { findOrCreate, type PostfixContext, type QueuedLine } from "./context.js";
import type { MessageState } from "./store.js";

const HOLD_ACTION = "hold: ";

/**
 * Reads `QID: hold: header Subject: … from H[ip]; from=<s> to=<r> …` (cleanup's
 * `header_checks`, and `body …` for `body_checks`) and `QID: hold: RCPT from H[ip]: <r>:
 * Recipient address triggers HOLD action; from=<s> to=<r> …` (an smtpd access restriction).
 * Emits one `hold` event per message, because smtpd logs a line for each recipient that
 * triggers the action. Returns null for a line that is no `hold:` line.
 */
export function handleHold(context: PostfixContext, line: QueuedLine): ParseOutcome | null {
  const { record, start } = line;
  const text = record.message;
  if (!text.startsWith(HOLD_ACTION, start)) return null;

  const state = findOrCreate(context, line);
  if (state.putOnHold) return "parsed";
  state.putOnHold = true;
  context.sink({
    type: "hold",
    time: record.time,
    position: positionOf(record),
    kind: holdKind(text, start + HOLD_ACTION.length),
  });
  return "parsed";
}

/**
 * Emits the `hold-released` event of a message that a `hold:` line earlier in the log put on
 * hold, once, when a later line shows it out of the hold queue. Other messages are left alone.
 */
export function releaseHold(context: PostfixContext, line: QueuedLine, state: MessageState): void {
  if (!state.putOnHold || state.releasedFromHold) return;
  state.releasedFromHold = true;
  context.sink({
    type: "hold-released",
    time: line.record.time,
    position: positionOf(line.record),
  });
}

function holdKind(text: string, start: number): HoldKind {
  if (text.startsWith("header ", start)) return "header";
  if (text.startsWith("body ", start)) return "body";
  return "client";
}
