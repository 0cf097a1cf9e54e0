import type { InputReport } from "../diagnose/types.js";
import { DEFAULT_MAX_LINE_BYTES } from "../logs/reader/lines.js";
import { count } from "./wrap.js";

/**
 * Describes the lines cut at the line length limit, or returns null when none were.
 * `consequence` follows as a sentence of its own, with one form for a single line and one for
 * several.
 */
export function overlongLinesSentence(
  input: InputReport,
  consequence: { readonly one: string; readonly many: string } | null = null,
): string | null {
  const overlong = input.overlong;
  if (overlong === 0) return null;
  const limit = `${DEFAULT_MAX_LINE_BYTES / 1024} KiB`;
  const read =
    overlong === 1
      ? `1 line was longer than ${limit}, so only its first ${limit} was read.`
      : `${count(overlong)} lines were longer than ${limit}, so only the first ${limit} of each was read.`;
  if (consequence === null) return read;
  return `${read} ${overlong === 1 ? consequence.one : consequence.many}`;
}
