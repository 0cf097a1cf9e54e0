/**
 * Names of Exim's reject and panic logs, and the lines of its reject log. Each reject log entry starts with a copy of the reject line of the main log. When
 * the message's header was read before the reject, Exim adds the envelope and the header
 * lines: `Envelope-from: <…>`, `Envelope-to: <…>` (more recipients on lines indented by four
 * spaces), then each header line after a one-character type and a space (`P Received: …`,
 * `F From: …`, `  Subject: …` for a type of space), with folded lines indented as in the
 * message. A header too long for the log buffer ends with `*** truncated ***`. These lines
 * carry no timestamp (`log_write` in Exim's `log.c`).
 */
import { parseRotationName } from "./rotation.js";

/** Base names of Exim's reject log: `rejectlog` by default and on Debian, `exim_rejectlog` on cPanel. */
export const EXIM_REJECT_LOG_NAMES: ReadonlySet<string> = new Set(["rejectlog", "exim_rejectlog"]);

/** Base names of Exim's panic log, named as its reject log is. */
export const EXIM_PANIC_LOG_NAMES: ReadonlySet<string> = new Set(["paniclog", "exim_paniclog"]);

/**
 * Returns true when the file at `path` is named as Exim's reject log, with or without
 * rotation and compression suffixes (`rejectlog.01`, `exim_rejectlog.2.gz`).
 */
export function isEximRejectLog(path: string): boolean {
  return EXIM_REJECT_LOG_NAMES.has(parseRotationName(path).baseName);
}

/** Returns true when the file at `path` is named as Exim's panic log, as `isEximRejectLog`. */
export function isEximPanicLog(path: string): boolean {
  return EXIM_PANIC_LOG_NAMES.has(parseRotationName(path).baseName);
}

const HEADER_LINE = /^(?:Envelope-(?:from|to): |[ \t]|[A-Za-z*] |\*\*\* truncated \*\*\*)/;

/**
 * Returns true when `text` has the shape of a line that Exim's reject log writes after the
 * first line of an entry: the envelope, a header line with its type character, or a folded
 * or indented continuation.
 */
export function isRejectLogHeaderLine(text: string): boolean {
  return HEADER_LINE.test(text);
}
