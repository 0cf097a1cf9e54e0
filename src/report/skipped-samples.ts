import type { LogSample } from "../diagnose/types.js";
import { WIDTH, wrapBreakingWords } from "./wrap.js";

/** Maximum number of lines that one skipped-line sample takes in a text report. */
export const MAX_SAMPLE_LINES = 3;

/** Maximum number of skipped-line samples that a text report shows. */
export const MAX_SHOWN_SAMPLES = 3;

/** Renders the first `MAX_SHOWN_SAMPLES` samples of skipped lines, in the order given. */
export function skippedSamplesLines(samples: readonly LogSample[]): string[] {
  return samples.slice(0, MAX_SHOWN_SAMPLES).flatMap((sample) => skippedSampleLines(sample));
}

/**
 * Renders a skipped log line as `Skipped: FILE:LINE: TEXT` in at most `MAX_SAMPLE_LINES` lines
 * of 80 columns, cut with `…`. A sample with control characters is taken for binary data, and
 * its other non-ASCII characters are escaped too, because they are bytes shown as Latin-1
 * letters, not text.
 */
export function skippedSampleLines(sample: LogSample): string[] {
  const text = looksBinary(sample.text) ? escapeNonAscii(sample.text) : sample.text;
  const lines = wrapBreakingWords(`${sample.file}:${sample.line}: ${text}`, "Skipped: ", "  ");
  if (lines.length <= MAX_SAMPLE_LINES) return lines;

  const shown = lines.slice(0, MAX_SAMPLE_LINES);
  const last = shown[MAX_SAMPLE_LINES - 1] ?? "";
  shown[MAX_SAMPLE_LINES - 1] = `${last.slice(0, WIDTH - 1)}…`;
  return shown;
}

// Returns whether the text has control characters, which `decodeForDisplay` (the log reader's
// display decoding) has written as `\xNN` escapes.
function looksBinary(text: string): boolean {
  return /\\x[0-9a-f]{2}/.test(text);
}

// Writes every character outside printable ASCII as `\xNN`, or `\u{N}` above U+00FF.
function escapeNonAscii(text: string): string {
  let output = "";
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) output += char;
    else if (code <= 0xff) output += `\\x${code.toString(16).padStart(2, "0")}`;
    else output += `\\u{${code.toString(16)}}`;
  }
  return output;
}
