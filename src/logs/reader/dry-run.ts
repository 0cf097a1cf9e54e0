/**
 * Dry runs of the framer over files before the read, which stop as soon as their result is
 * known. They find facts that the read needs before it starts, such as the year correction of
 * a set's `Feb 29` lines or the time of a rotated file's first record.
 */
import type { TimeZone } from "../../time/zone.js";
import { LineFramer } from "../framing/framer.js";
import { ByteLineSplitter, NO_NUL, type NulMark } from "./lines.js";
import { readSource } from "./read.js";
import type { FileSource } from "./sources.js";

/** Thrown from the line handler to end the dry run once its result is known. */
export class DryRunDone extends Error {}

/**
 * Frames the records of the set `files` until `check` returns a value other than undefined,
 * and returns that value, or null when the set ends first or a file fails to read.
 */
export async function frameSet<T>(
  files: readonly FileSource[],
  timeZone: TimeZone,
  check: (framer: LineFramer, record: { readonly time: number }) => T | undefined,
): Promise<T | null> {
  const [first] = files;
  if (first === undefined) return null;
  const framer = new LineFramer({ timeZone });
  let found: T | null = null;
  const emit = (record: { readonly time: number }): void => {
    const value = check(framer, record);
    if (value === undefined) return;
    found = value;
    throw new DryRunDone();
  };
  const onLine = (buffer: Buffer, start: number, end: number, line: number, nul: NulMark) => {
    if (nul === NO_NUL) framer.frameBytes(buffer, start, end, line, emit);
  };

  try {
    for (const [index, file] of files.entries()) {
      framer.startFile(file.name, first.modifiedMs, index > 0);
      const result = await readSource(file, new ByteLineSplitter(onLine));
      if (result.error !== null) return null;
    }
  } catch (error) {
    if (error instanceof DryRunDone) return found;
    throw error;
  }
  return null;
}
