/**
 * Reads the text that `delist explain -` explains from standard input: at most
 * `MAX_STDIN_BYTES`, and never a mail log or binary data, which the reply classifier would
 * explain as one random line or print back as escapes.
 */
import { looksLikeLogText } from "../logs/detect.js";
import { readUpTo } from "./bounded-read.js";
import { UsageError } from "./io.js";

/** Bytes read from standard input. A pasted reply or bounce message is far smaller. */
export const MAX_STDIN_BYTES = 1024 * 1024;

// Characters of the start of the input that the log test frames; enough for ten log lines.
const LOG_HEAD_CHARS = 16 * 1024;

// A single log line can be a reply worth explaining (Postfix's `said: 550 …`), so a log
// needs a few lines.
const MIN_LOG_LINES = 3;

// Pasted text has almost no control characters or invalid UTF-8, and random bytes decode to
// about half of them, so a tenth marks binary data with room on both sides.
const MAX_NON_TEXT_SHARE = 0.1;

/** The text read from standard input, and whether the input went on after the limit. */
export interface StdinText {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * Reads up to `MAX_STDIN_BYTES` of `stream` as UTF-8 and stops reading there. Throws a
 * `UsageError` when the text is binary or looks like a mail log.
 */
export async function readStdinText(stream: NodeJS.ReadableStream): Promise<StdinText> {
  const { bytes, truncated } = await readUpTo(stream, MAX_STDIN_BYTES);
  // A streaming decode leaves out a character cut at the limit instead of making it U+FFFD.
  const text = new TextDecoder("utf-8").decode(bytes, { stream: truncated });
  checkIsText(bytes, text);
  if (looksLikeLogText(text.slice(0, LOG_HEAD_CHARS), MIN_LOG_LINES)) {
    throw new UsageError(
      'standard input looks like a mail log, not a reply or a bounce message. Read a log with "delist diagnose FILE" or "delist diagnose -".',
    );
  }
  return { text, truncated };
}

// Throws for NUL bytes, or when more than `MAX_NON_TEXT_SHARE` of the characters are control
// characters other than whitespace and ESC (ANSI colours, ISO-2022-JP) or invalid UTF-8.
function checkIsText(bytes: Buffer, text: string): void {
  const advice =
    "not a reply or a bounce message. Paste the reply or bounce text, or give the reply as arguments.";
  if (bytes.includes(0)) {
    throw new UsageError(`standard input is binary data (it contains NUL bytes), ${advice}`);
  }
  let nonText = 0;
  for (let i = 0; i < text.length; i++) {
    if (isNonText(text.charCodeAt(i))) nonText++;
  }
  if (nonText > text.length * MAX_NON_TEXT_SHARE) {
    const percent = Math.round((nonText / text.length) * 100);
    throw new UsageError(
      `standard input is binary data (${percent}% of its characters are control characters or invalid UTF-8), ${advice}`,
    );
  }
}

function isNonText(code: number): boolean {
  if (code === 0xfffd) return true;
  if (code < 32) return code !== 9 && code !== 10 && code !== 12 && code !== 13 && code !== 27;
  return code >= 0x7f && code <= 0x9f;
}
