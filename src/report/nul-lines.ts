import type { InputReport } from "../diagnose/types.js";
import { DEFAULT_MAX_LINE_BYTES } from "../logs/reader/lines.js";
import { count, plural } from "./wrap.js";

/**
 * Describes the lines with NUL bytes and the records that NUL runs cut short, or returns null
 * when no line has a NUL byte.
 */
export function nulLinesSentence(input: InputReport): string | null {
  if (input.withNul === 0) return null;
  const limit = `${DEFAULT_MAX_LINE_BYTES / 1024} KiB`;
  const sentences = [
    `${plural(input.withNul, "line contains", "lines contain")} NUL bytes, which a crash can leave.`,
    `A run of NULs at the start of a line does not count toward the ${limit} line limit.`,
  ];
  const cut = input.nulCutRecords;
  if (cut > 0) {
    sentences.push(
      `${count(cut)} ${cut === 1 ? "record was" : "records were"} cut short by a run of NULs and not read. ` +
        `The text after the run was read as that line, so the cut ${cut === 1 ? "record is" : "records are"} not in the line or skipped counts.`,
    );
  }
  return sentences.join(" ");
}
