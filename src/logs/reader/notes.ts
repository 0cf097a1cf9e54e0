/**
 * Notes on how one input was read, for inputs that were read to their end but may give
 * misleading lines: binary files, a last line cut short, gzip data joined to plain text.
 */

import { skipNuls } from "./lines.js";

// Bytes examined after any leading NULs to decide whether a file is binary.
const SAMPLE_BYTES = 4096;
// Runs of control bytes in the sample from which a file counts as binary. A wtmp record of
// 384 bytes has about eight runs (NUL padding between fields and binary numbers), and a
// text log has none, or a few where a crash left NULs.
const BINARY_RUNS = 8;

/**
 * Returns whether the first text of an input looks binary. NULs at the start are skipped,
 * because a crash or preallocation can leave them before a text log. In the bytes after
 * them, the runs of control bytes other than tab, line ends, form feed and escape (which
 * colour codes use) are counted.
 */
export function looksBinary(chunk: Buffer): boolean {
  const start = skipNuls(chunk, 0, chunk.length);
  const end = Math.min(chunk.length, start + SAMPLE_BYTES);
  let runs = 0;
  let inRun = false;
  for (let position = start; position < end; position += 1) {
    const control = isBinaryByte(chunk[position] ?? 0);
    if (control && !inRun) runs += 1;
    inRun = control;
  }
  return runs >= BINARY_RUNS;
}

/**
 * Collects the first bytes of an input across chunks for `looksBinary`. It passes over the
 * leading NULs and then keeps `SAMPLE_BYTES` bytes, however small the chunks are, because a
 * pipe can deliver a few bytes at a time.
 */
export class BinarySample {
  /** True once the sample has all its bytes, so that later chunks need not be added. */
  complete = false;

  private readonly parts: Buffer[] = [];
  private kept = 0;

  /** Adds the next chunk of the input; the sample copies what it keeps. */
  add(chunk: Buffer): void {
    const start = this.kept === 0 ? skipNuls(chunk, 0, chunk.length) : 0;
    const end = Math.min(chunk.length, start + SAMPLE_BYTES - this.kept);
    if (end <= start) return;
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
    this.kept += end - start;
    this.complete = this.kept >= SAMPLE_BYTES;
  }

  /** Returns whether the bytes added so far look binary (see `looksBinary`). */
  looksBinary(): boolean {
    return looksBinary(Buffer.concat(this.parts));
  }
}

function isBinaryByte(byte: number): boolean {
  if (byte === 0x7f) return true;
  if (byte >= 0x20) return false;
  // Tab, LF, vertical tab, form feed, CR and escape occur in text.
  return (
    byte !== 0x09 &&
    byte !== 0x0a &&
    byte !== 0x0b &&
    byte !== 0x0c &&
    byte !== 0x0d &&
    byte !== 0x1b
  );
}

/** Returns the note for an input whose first bytes look binary. */
export function binaryNote(name: string): string {
  return (
    `${name} looks like a binary file, not a text log (it has NUL or control bytes near ` +
    `its start), so its lines were read as text and mostly count as skipped. Leave it out ` +
    `of the inputs.`
  );
}

/** Returns the names of the inputs that got the binary-file note of `binaryNote`. */
export function binaryInputNames(
  inputs: readonly { readonly name: string; readonly notes: readonly string[] }[],
): string[] {
  return inputs
    .filter((input) => input.notes.includes(binaryNote(input.name)))
    .map((input) => input.name);
}

/** Returns the note for an input that ended inside line `line`, without a line end. */
export function unterminatedLineNote(name: string, line: number): string {
  return (
    `${name} ended without a line end after line ${line.toLocaleString("en-US")}, which was ` +
    `counted. If the file was still being written, that line may be a record cut short and ` +
    `read wrongly.`
  );
}

/** Returns the note for gzip data that follows line `line` of plain text in one input. */
export function gzipAfterTextNote(name: string, line: number): string {
  return (
    `${name} has gzip data after line ${line.toLocaleString("en-US")} (files joined with ` +
    `cat?). It was decompressed and read as the lines after that one.`
  );
}

/** The fields of an input's line splitter that `inputNotes` reads. */
interface SplitLines {
  readonly lines: number;
  readonly lastLineUnterminated: boolean;
}

/**
 * Returns the notes for an input read to its end: gzip data after line `gzipAfterLine` of
 * plain text (null when there was none), binary content, and a last line without a line end.
 * A binary file gets no note on its last line, which is no record anyway.
 */
export function inputNotes(
  name: string,
  split: SplitLines,
  binary: boolean,
  gzipAfterLine: number | null,
): string[] {
  const notes: string[] = [];
  if (gzipAfterLine !== null) notes.push(gzipAfterTextNote(name, gzipAfterLine));
  if (binary) notes.push(binaryNote(name));
  else if (split.lastLineUnterminated) notes.push(unterminatedLineNote(name, split.lines));
  return notes;
}
