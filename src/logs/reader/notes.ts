/**
 * Notes on how one input was read, for inputs that were read to their end but may give
 * misleading lines: binary files, a last line cut short, gzip data and plain text joined.
 */

import { isUtf8 } from "node:buffer";
import type { ExportShape } from "./export-shapes.js";
import { inputNameInText } from "./input-names.js";
import { skipNuls } from "./lines.js";

/**
 * Bytes examined to decide whether a file is binary (after any leading NULs), and whether the
 * bytes after gzip data are text.
 */
export const SAMPLE_BYTES = 4096;
// Runs of control bytes in the sample from which a file counts as binary. A wtmp record of
// 384 bytes has about eight runs (NUL padding between fields and binary numbers), and a
// text log has none, or a few where a crash left NULs.
const BINARY_RUNS = 8;

/**
 * Returns whether the first text of an input looks binary. NULs at the start are skipped,
 * because a crash or preallocation can leave them before a text log. In the bytes after
 * them, the runs of control bytes other than tab, line ends, form feed, escape (which colour
 * codes use) and the record separator of JSON text sequences are counted.
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
  private leadingNuls = 0;

  /** Adds the next chunk of the input; the sample copies what it keeps. */
  add(chunk: Buffer): void {
    const start = this.kept === 0 ? skipNuls(chunk, 0, chunk.length) : 0;
    if (this.kept === 0) this.leadingNuls += start;
    const end = Math.min(chunk.length, start + SAMPLE_BYTES - this.kept);
    if (end <= start) return;
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
    this.kept += end - start;
    this.complete = this.kept >= SAMPLE_BYTES;
  }

  /** Returns whether every byte added so far is a NUL, so that text may still follow. */
  hasOnlyLeadingNuls(): boolean {
    return this.kept === 0;
  }

  /** Returns whether the bytes added so far look binary (see `looksBinary`). */
  looksBinary(): boolean {
    return looksBinary(Buffer.concat(this.parts));
  }

  /**
   * Returns why the bytes added so far are binary, for `binaryNote`: the file format that
   * their signature names (see `binaryFormat`), else NUL bytes alone, else control bytes, else
   * null for text. Call it after the last chunk, because only then do NUL bytes alone mean
   * the whole input.
   */
  binaryReason(): string | null {
    const bytes = Buffer.concat(this.parts);
    const format = binaryFormat(bytes);
    if (format !== null) return `it starts with the signature of a ${format}`;
    if (this.hasOnlyNuls(bytes)) {
      return bytes.length === 0
        ? "it contains only NUL bytes"
        : "it contains only NUL bytes and line ends";
    }
    return looksBinary(bytes) ? CONTROL_BYTES_REASON : null;
  }

  // Whether the whole input, of which `bytes` is all after the leading NULs, is NUL bytes and
  // line ends. A crash can leave NULs in a text log, but a file of nothing else has no log
  // lines, and `looksBinary` finds too few runs in it. A sample that is `complete` may be
  // followed by text, so it is left to `looksBinary`.
  private hasOnlyNuls(bytes: Buffer): boolean {
    if (this.complete) return false;
    let nuls = this.leadingNuls;
    for (const byte of bytes) {
      if (byte === 0) nuls += 1;
      else if (byte !== 0x0a && byte !== 0x0d) return false;
    }
    return nuls > 0;
  }
}

/** Image, document and archive formats recognised by the first bytes of a file. */
const BINARY_SIGNATURES: readonly { readonly format: string; readonly signature: Buffer }[] = [
  { format: "PNG image", signature: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { format: "JPEG image", signature: Buffer.from([0xff, 0xd8, 0xff]) },
  { format: "GIF image", signature: Buffer.from("GIF87a", "latin1") },
  { format: "GIF image", signature: Buffer.from("GIF89a", "latin1") },
  { format: "PDF document", signature: Buffer.from("%PDF-", "latin1") },
  // A ZIP archive starts with a local file header, or with the end record when it is empty.
  { format: "ZIP archive", signature: Buffer.from([0x50, 0x4b, 0x03, 0x04]) },
  { format: "ZIP archive", signature: Buffer.from([0x50, 0x4b, 0x05, 0x06]) },
];

/**
 * Returns the format, such as "PNG image", whose signature `head` starts with, or null. A
 * small image can have too few control bytes for `looksBinary`, and a PDF starts with text.
 */
export function binaryFormat(head: Buffer): string | null {
  const match = BINARY_SIGNATURES.find(({ signature }) =>
    head.subarray(0, signature.length).equals(signature),
  );
  return match?.format ?? null;
}

/**
 * Returns whether `sample`, the first bytes after gzip data, is text: not empty, free of the
 * control bytes that `looksBinary` counts (NUL included), and valid UTF-8. When `complete` is
 * false the data goes on after the sample, so a UTF-8 sequence cut at its end is allowed.
 * This is stricter than `looksBinary`, because a few bytes of junk have few control bytes.
 * Text in a legacy 8-bit encoding with a non-ASCII byte in the sample fails the test.
 */
export function looksLikeText(sample: Buffer, complete: boolean): boolean {
  if (sample.length === 0) return false;
  for (const byte of sample) if (isBinaryByte(byte)) return false;
  return isUtf8(complete ? sample : withoutCutSequence(sample));
}

// `bytes` without the UTF-8 lead byte and continuation bytes at its end, which a sample can
// cut from the rest of their sequence.
function withoutCutSequence(bytes: Buffer): Buffer {
  for (let back = 1; back <= 4 && back <= bytes.length; back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;
    if (byte < 0x80) return bytes;
    if (byte >= 0xc0) return bytes.subarray(0, bytes.length - back);
  }
  return bytes;
}

/**
 * Returns whether `byte` is a control byte that text lacks: DEL, or a C0 control other than
 * tab, line ends, vertical tab, form feed, escape and the record separator.
 */
export function isBinaryByte(byte: number): boolean {
  if (byte === 0x7f) return true;
  if (byte >= 0x20) return false;
  // Tab, LF, vertical tab, form feed, CR and escape occur in text, and the record separator
  // starts each record of JSON text sequences (RFC 7464, `journalctl -o json-seq`).
  return (
    byte !== 0x09 &&
    byte !== 0x0a &&
    byte !== 0x0b &&
    byte !== 0x0c &&
    byte !== 0x0d &&
    byte !== 0x1b &&
    byte !== 0x1e
  );
}

/** The `binaryReason` of bytes with control bytes near the start and no known signature. */
export const CONTROL_BYTES_REASON = "it has NUL or control bytes near its start";

const READ_AS_TEXT = "so its lines were read as text and mostly count as skipped.";
const NOT_COUNTED = "so its lines were not counted as log lines.";

/**
 * Returns the note for an input whose first bytes look binary. `reason` is the cause, in the
 * form that `BinarySample.binaryReason` returns.
 */
export function binaryNote(name: string, reason = CONTROL_BYTES_REASON): string {
  return `${binaryNoteStart(name)}${reason}), ${READ_AS_TEXT} Leave it out of the inputs.`;
}

/**
 * Returns the note for an input that was not read past its first `textBytes` of text, because
 * they look binary and gave no log record.
 */
export function binaryStopNote(name: string, textBytes: number): string {
  const mebibytes = Math.floor(textBytes / (1024 * 1024)).toLocaleString("en-US");
  return (
    `Stopped reading ${inputNameInText(name)} after its first ${mebibytes} MiB of text, which ` +
    `looks binary and contains no log line.`
  );
}

/** A text encoding that delist does not decode, found in bytes that look binary. */
export type UnreadEncoding = "utf-32" | "utf-16";

/**
 * Returns the note for an input whose bytes look binary but start as text in `encoding`,
 * which takes the place of the binary-file note.
 */
export function unreadEncodingNote(name: string, encoding: UnreadEncoding): string {
  const start = unreadEncodingSentence(name, encoding);
  if (encoding === "utf-32") {
    return `${start.slice(0, -1)}, ${READ_AS_TEXT} Convert it with \`iconv -f UTF-32 -t UTF-8\`.`;
  }
  return (
    `${start.slice(0, -1)}, whose first KiB has too little ASCII to tell it from binary data, ` +
    `${READ_AS_TEXT} If it is UTF-16, convert it with \`iconv -f UTF-16LE -t UTF-8\` ` +
    `(or UTF-16BE).`
  );
}

// The first sentence of `unreadEncodingNote`.
function unreadEncodingSentence(name: string, encoding: UnreadEncoding): string {
  const input = inputNameInText(name);
  if (encoding === "utf-32") return `${input} is UTF-32 text, which delist does not read.`;
  return `${input} may be UTF-16 text.`;
}

/**
 * Returns the note of input `name` on a text encoding that delist does not read (see
 * `unreadEncodingNote`), when `notes` has one, else null.
 */
export function unreadEncodingNoteOf(name: string, notes: readonly string[]): string | null {
  for (const encoding of ["utf-32", "utf-16"] as const) {
    const start = unreadEncodingSentence(name, encoding).slice(0, -1);
    const note = notes.find((text) => text.startsWith(start));
    if (note !== undefined) return note;
  }
  return null;
}

/**
 * Returns `notes` of input `name` with its binary-file note saying that its lines were not
 * counted, for a binary input without a single log record.
 */
export function uncountedBinaryNotes(name: string, notes: readonly string[]): string[] {
  return notes.map((note) =>
    isBinaryNote(name, note) ? note.replace(READ_AS_TEXT, NOT_COUNTED) : note,
  );
}

// Whether `note` is the binary-file note of input `name`, or its note on an encoding that
// delist does not read.
function isBinaryNote(name: string, note: string): boolean {
  if (note.startsWith(binaryNoteStart(name))) return true;
  return (
    note.startsWith(unreadEncodingSentence(name, "utf-32").slice(0, -1)) ||
    note.startsWith(unreadEncodingSentence(name, "utf-16").slice(0, -1))
  );
}

function binaryNoteStart(name: string): string {
  return `${inputNameInText(name)} looks like a binary file, not a text log (`;
}

/** Returns the names of the inputs that got the binary-file note of `binaryNote`. */
export function binaryInputNames(
  inputs: readonly { readonly name: string; readonly notes: readonly string[] }[],
): string[] {
  return inputs
    .filter((input) => input.notes.some((note) => isBinaryNote(input.name, note)))
    .map((input) => input.name);
}

/**
 * Returns the note for an input of `lines` lines, none of which is a log record: a README or
 * other text file given with the logs, or a log in a format that delist does not read.
 */
export function noLogLinesNote(name: string, lines: number, shape: ExportShape | null): string {
  const found =
    lines === 1
      ? "its only line has no timestamp or syslog header that delist reads, so it was read as " +
        "a line without a log format"
      : `none of its ${lines.toLocaleString("en-US")} lines has a timestamp or syslog header ` +
        "that delist reads, so it was read as lines without a log format";
  const start = `${noLogLinesStart(name)} ${found}.`;
  if (shape !== null) return `${start} It looks like ${shape.description}. ${shape.fix}`;
  return (
    `${start} Leave it out of the inputs, unless it is a mail log in a format that delist ` +
    `should read.`
  );
}

/** True when `note` is the note of `noLogLinesNote` for input `name`. */
export function isNoLogLinesNote(name: string, note: string): boolean {
  return note.startsWith(noLogLinesStart(name));
}

function noLogLinesStart(name: string): string {
  return `${inputNameInText(name)} held no log lines:`;
}

// Subdirectories named one by one in a note; the rest are counted.
const MAX_NAMED_DIRECTORIES = 5;

/**
 * Returns a glob of the log files below directory `name`, rotated ones included, quoted for a
 * POSIX shell. Single quotes keep a name such as `m$(cmd)` from running anything when the
 * suggestion is pasted, and delist expands the glob itself.
 */
export function globExample(name: string): string {
  return `'${`${name}/**/*log*`.replaceAll("'", "'\\''")}'`;
}

/** Returns the note for the `subdirectories` of directory `name`, which were not read. */
export function skippedDirectoryNote(name: string, subdirectories: readonly string[]): string {
  const named = subdirectories.slice(0, MAX_NAMED_DIRECTORIES).join(", ");
  const more = subdirectories.length - MAX_NAMED_DIRECTORIES;
  const list = more > 0 ? `${named} and ${more.toLocaleString("en-US")} more` : named;
  const noun = subdirectories.length === 1 ? "subdirectory" : "subdirectories";
  return (
    `Skipped the ${noun} ${list}: only the files directly inside ${name} are read. Name ` +
    `the files to read, or give a glob such as ${globExample(name)}.`
  );
}

/**
 * Returns the note for the entries of directory or glob `name` that were not read because
 * they are not regular files, each with its reason, such as "a FIFO".
 */
export function skippedEntriesNote(
  name: string,
  entries: readonly { readonly name: string; readonly reason: string }[],
): string {
  const named = entries
    .slice(0, MAX_NAMED_DIRECTORIES)
    .map((entry) => `${entry.name} (${entry.reason})`)
    .join(", ");
  const more = entries.length - MAX_NAMED_DIRECTORIES;
  const list = more > 0 ? `${named} and ${more.toLocaleString("en-US")} more` : named;
  const noun = entries.length === 1 ? "entry" : "entries";
  return `Skipped the ${noun} ${list} of ${name}: only regular files are read from a directory or glob.`;
}

/** Returns the note for an input that ended inside line `line`, without a line end. */
export function unterminatedLineNote(name: string, line: number): string {
  return (
    `${inputNameInText(name)} ended without a line end after line ${line.toLocaleString("en-US")}, which was ` +
    `counted. If the file was still being written, that line may be a record cut short and ` +
    `read wrongly.`
  );
}

/** Returns the note for gzip data that follows line `line` of plain text in one input. */
export function gzipAfterTextNote(name: string, line: number): string {
  return (
    `${inputNameInText(name)} has gzip data after line ${line.toLocaleString("en-US")} (files joined with ` +
    `cat?). It was decompressed and read as the lines after that one.`
  );
}

/** Returns the note for plain text that follows gzip data in one input, from line `line` on. */
export function textAfterGzipNote(name: string, line: number): string {
  return (
    `${inputNameInText(name)} has plain text after its gzip data, from line ${line.toLocaleString("en-US")} ` +
    `on (files joined with cat?). It was read as log lines too.`
  );
}

/** The format that starts at a switch inside one input. */
export type JoinedFormat = "gzip" | "text";

// Switches named one by one in the notes. The rest are counted in one more note.
const MAX_NAMED_SWITCHES = 4;

/**
 * The places inside one input where plain text and gzip data follow each other. It keeps the
 * first `MAX_NAMED_SWITCHES` and counts the rest, so that an input of many short parts does
 * not grow memory.
 */
export class FormatSwitches {
  private readonly named: { readonly to: JoinedFormat; readonly afterLine: number }[] = [];
  private more = 0;
  private lastLine = 0;

  /** Adds a switch to `to` after line `afterLine`, the last line of the previous part. */
  add(to: JoinedFormat, afterLine: number): void {
    if (this.named.length < MAX_NAMED_SWITCHES) this.named.push({ to, afterLine });
    else this.more += 1;
    this.lastLine = afterLine;
  }

  /** Returns one note per named switch, and one for the count of the rest. */
  notes(name: string): string[] {
    const notes = this.named.map((change) =>
      change.to === "gzip"
        ? gzipAfterTextNote(name, change.afterLine)
        : textAfterGzipNote(name, change.afterLine + 1),
    );
    if (this.more > 0) {
      notes.push(
        `${inputNameInText(name)} switches between plain text and gzip data ${this.more.toLocaleString("en-US")} ` +
          `more times, the last after line ${this.lastLine.toLocaleString("en-US")}. ` +
          `Every part was read.`,
      );
    }
    return notes;
  }
}

/** The fields of an input's line splitter that `inputNotes` reads. */
interface SplitLines {
  readonly lines: number;
  readonly lastLineUnterminated: boolean;
}

/**
 * Returns the notes for an input read to its end: switches between plain text and gzip data,
 * binary content, and a last line without a line end. `binaryReason` is null for text, else
 * why the input is binary (see `BinarySample.binaryReason`). `encoding` is the encoding that
 * the first bytes of a binary input have, which replaces its binary-file note (see
 * `unreadEncodingOf`). A binary file gets no note on its last line, which is no record anyway.
 */
export function inputNotes(
  name: string,
  split: SplitLines,
  binaryReason: string | null,
  switches: FormatSwitches,
  encoding: UnreadEncoding | null = null,
): string[] {
  const notes = switches.notes(name);
  if (binaryReason !== null && encoding !== null) notes.push(unreadEncodingNote(name, encoding));
  else if (binaryReason !== null) notes.push(binaryNote(name, binaryReason));
  else if (split.lastLineUnterminated) notes.push(unterminatedLineNote(name, split.lines));
  return notes;
}
