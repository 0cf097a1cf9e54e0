import type { ParseOutcome } from "../record.js";
import { findOrCreate, queueIdOf, type PostfixContext, type QueuedLine } from "./context.js";
import { detach, hasPrefixAt } from "./fields.js";
import { isIgnoredQueued } from "./noise.js";
import { handleHold } from "./hold.js";
import { readContentReject } from "./reject.js";
import { handleReject } from "./smtpd.js";

/**
 * Parses `cleanup` lines: the Message-ID, `header_checks` and `body_checks` actions, and
 * milter verdicts. cleanup writes the first line of messages that Postfix creates itself
 * (bounces, `.forward` copies), so a message first seen here has an internal origin.
 */
export function handleCleanup(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const text = line.record.message;
  if (hasPrefixAt(text, "message-id=", line.start)) return handleMessageId(context, line);

  const rejected = handleReject(context, line.record, line.start);
  if (rejected !== null) {
    // The milter or header check rejected the message, so cleanup discards the queue file
    // and no `removed` line follows.
    if (!text.startsWith("reject_warning: ", line.start)) {
      context.store.drop(line.record.host, line.program.instance, line.key);
    }
    return "parsed";
  }
  if (text.startsWith("reject: ", line.start)) {
    const event = readContentReject(line.record, line.start + 8);
    if (event !== null) {
      context.sink(event);
      context.store.drop(line.record.host, line.program.instance, line.key);
      return "parsed";
    }
  }
  const held = handleHold(context, line);
  if (held !== null) return held;
  const header = text.indexOf(": header ", line.start);
  if (header >= 0 && header < line.start + 24) {
    return readHeaderAction(context, line, header + 9) ? "parsed" : "unparsed";
  }
  return isIgnoredQueued(text, line.start) ? "ignored" : "unparsed";
}

/** Reads `QID: message-id=<20240304091503.1234@example.com>`. */
function handleMessageId(context: PostfixContext, line: QueuedLine): ParseOutcome {
  const { record } = line;
  const existing = context.store.find(record.host, line.program.instance, line.key, record.time);
  // cleanup logs one Message-ID per message, so a second one means the id was reused.
  const state =
    existing === undefined || existing.message.messageId !== null
      ? context.store.create(record, line.program.instance, line.key, queueIdOf(line), "internal")
      : existing;
  if (state.finished !== null) context.store.forgetFinished(state);

  let value = record.message.slice(line.start + 11);
  if (value.startsWith("<") && value.endsWith(">")) value = value.slice(1, -1);
  state.message.messageId = value.length > 0 ? detach(value) : null;
  return "parsed";
}

/**
 * Reads a `header_checks` action: `QID: warning: header X-PHP-Originating-Script: 1004:contact.php
 * from local; from=<…> to=<…>`. Sets the script (PHP's `mail.add_x_header`) or the subject.
 * Returns false when the line does not have that shape.
 */
function readHeaderAction(context: PostfixContext, line: QueuedLine, start: number): boolean {
  const text = line.record.message;
  const colon = text.indexOf(": ", start);
  const trailer = text.lastIndexOf("; from=<");
  const origin = trailer < 0 ? -1 : text.lastIndexOf(" from ", trailer);
  if (colon < 0 || origin <= colon) return false;

  const name = text.slice(start, colon).toLowerCase();
  const value = text.slice(colon + 2, origin);
  const state = findOrCreate(context, line);
  if (name === "x-php-originating-script") state.message.script = detach(value);
  else if (name === "subject") state.message.subject = detach(value);
  return true;
}
