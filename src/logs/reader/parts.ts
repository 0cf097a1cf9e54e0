/**
 * Inputs that join plain text and gzip data in one stream, as `cat` makes of a rotated set:
 * `cat mail.log mail.log.1.gz` or `cat mail.log.1.gz mail.log`. Such an input is read part by
 * part from one `ChunkSource`. A text part ends where a gzip member starts a line. A gzip part
 * ends after its last complete member, and the bytes after it start a text part when they are
 * text (see `looksLikeText`), else they are skipped as trailing data.
 */
import type { FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { isZlibError } from "../../input/compression.js";
import type { ChunkSource } from "./chunk-source.js";
import { corruptGzipError, fileError, type InputError } from "./errors.js";
import {
  decodeAgain,
  fileByteSource,
  gzipDataBytes,
  RetainedBytes,
  trailingDataNote,
  type ByteSource,
  type GzipEnd,
  type TrailingData,
} from "./gzip.js";
import { GzipMemberScan, textBeforeMember } from "./joined.js";
import type { ByteLineSplitter } from "./lines.js";
import { looksLikeText, SAMPLE_BYTES, type FormatSwitches } from "./notes.js";
import { ChunkQueue, HandlerFailure } from "./queue.js";

/** Bytes per read from a file, and per output chunk of gzip decompression. */
export const CHUNK_BYTES = 1024 * 1024;

/** Raw bytes read from one input, and bytes of text decoded from them. */
export interface ByteCounts {
  bytes: number;
  decompressedBytes: number;
}

// The start of gzip data in a stream: at byte 0, or after plain text.
interface GzipPart {
  /** Raw bytes before the gzip data. */
  readonly rawStart: number;
  /** Bytes of text delivered before the gzip data. */
  readonly textStart: number;
}

/** One input that may join plain text and gzip data, read part by part from `chunks`. */
export interface JoinedInput {
  readonly name: string;
  /** The open file; null for stdin. */
  readonly handle: FileHandle | null;
  readonly chunks: ChunkSource;
  readonly counts: ByteCounts;
  readonly splitter: ByteLineSplitter;
  readonly switches: FormatSwitches;
  /** The last byte passed to `consume`, or null before the first. */
  lastByte: number | null;
  /** Passes decoded text to the splitter, counting it. */
  readonly consume: (chunk: Buffer) => void;
  /**
   * Passes the bytes that `consume` kept back, such as an incomplete UTF-16 character, to the
   * splitter and ends the splitter.
   */
  readonly endText: () => void;
}

/** The end of the last part of an input: a read error or damage, or skipped bytes. */
export interface InputEnd {
  /** Set when the input could not be read to its end. */
  readonly error: InputError | null;
  /** Set when bytes that are not text after gzip data were skipped. */
  readonly trailingData: TrailingData | null;
}

// The end of one part of an input: the format of the next part, or the end of the input.
type PartEnd = { readonly next: "gzip" | "text" } | ({ readonly next: "end" } & InputEnd);

/**
 * Reads the parts of `input` in order, from gzip data when `startsWithGzip`, else from text,
 * and ends the text (see `JoinedInput.endText`). Returns how the input ended and whether any part was gzip data.
 */
export async function readParts(
  input: JoinedInput,
  startsWithGzip: boolean,
): Promise<InputEnd & { readonly gzip: boolean }> {
  let next: "gzip" | "text" = startsWithGzip ? "gzip" : "text";
  let gzip = false;
  for (;;) {
    if (next === "gzip") gzip = true;
    const end = next === "gzip" ? await readGzipPart(input) : await readTextPart(input);
    if (end.next === "end") return { error: end.error, trailingData: end.trailingData, gzip };
    next = end.next;
  }
}

// Passes on plain text up to the first gzip member that starts a line, or to the end.
async function readTextPart(input: JoinedInput): Promise<PartEnd> {
  const { chunks, splitter } = input;
  const scan = new GzipMemberScan();
  const error = await pump(scan.text(chunks.chunks()), null, input.consume);
  await chunks.settle();
  const found = scan.found;
  if (error === null && found !== null) {
    // The text ended at a line start, so the gzip data begins a new line.
    chunks.unshift(found.rest);
    input.switches.add("gzip", splitter.lines);
    return { next: "gzip" };
  }
  input.endText();
  const inputError = error === null ? null : fileError(input.name, error);
  return { next: "end", error: inputError, trailingData: null };
}

// Gunzips the gzip data at the read position of `input`. Plain text after it is left for a
// text part, after a line end if the gzip text lacks one. Other bytes after it are skipped
// with a trailing-data note, and damage ends the input with an error.
async function readGzipPart(input: JoinedInput): Promise<PartEnd> {
  const { name, handle, chunks, counts, splitter } = input;
  const part = { rawStart: chunks.position, textStart: counts.decompressedBytes };
  const regularFile = handle !== null && (await handle.stat()).isFile();
  const retained = regularFile ? null : new RetainedBytes(MAX_RETAINED_STDIN_BYTES);
  const end = await readGzip(input, part, retained);
  const dataBytes = gzipDataBytes(end);
  if (dataBytes === null) {
    input.endText();
    return { next: "end", error: gzipError(name, end, splitter.lines), trailingData: null };
  }

  let after: BytesAfterGzip;
  try {
    after = await inspectAfterGzip(input, part, dataBytes, retained);
  } catch (error) {
    input.endText();
    return { next: "end", error: fileError(name, error), trailingData: null };
  }
  if (after === "text") {
    endLastLine(input, part);
    input.switches.add("text", splitter.lines);
    return { next: "text" };
  }

  input.endText();
  if (after === "none") return { next: "end", error: null, trailingData: null };
  const trailing = regularFile
    ? end.totalBytes - dataBytes
    : await countRest(chunks, part.rawStart + dataBytes);
  if (typeof trailing !== "number") {
    return { next: "end", error: fileError(name, trailing.error), trailingData: null };
  }
  return {
    next: "end",
    error: null,
    trailingData: trailing > 0 ? trailingDataNote(name, trailing) : null,
  };
}

// Reads a stream to its end and returns the count of its bytes from raw byte `start` on, or
// the read error. Only a regular file has a size to count them without reading them.
async function countRest(
  chunks: ChunkSource,
  start: number,
): Promise<number | { readonly error: unknown }> {
  try {
    await chunks.drain();
  } catch (error) {
    return { error };
  }
  return chunks.position - start;
}

/**
 * Maximum compressed bytes of one gzip part of stdin kept for a second decode after a zlib
 * error. Beyond it, the text of the write that failed (up to `CHUNK_BYTES`) is lost, and
 * trailing data after the gzip stream, plain text included, is reported as damage. Named
 * pipes and other inputs that are not regular files are kept the same way.
 * NOTE: so `cat big.log.gz b.log | delist diagnose -` with over 64 MiB of gzip data reports
 * damage instead of reading b.log. Given as files, both are read in full.
 */
export const MAX_RETAINED_STDIN_BYTES = 64 * 1024 * 1024;

// Gunzips the chunks of `input` from `part` on into `consume`. After a zlib error, the input
// (the file, or the bytes of stdin that `retained` kept) is decoded again, to recover the text
// that the failed stream dropped and to find the byte where the gzip data ended.
async function readGzip(
  input: JoinedInput,
  part: GzipPart,
  retained: RetainedBytes | null,
): Promise<GzipEnd> {
  const { chunks, counts, consume } = input;
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  chunks.onChunk = retained === null ? null : (chunk) => retained.add(chunk);
  const error = await pump(chunks.chunks(), gunzip, consume);
  await chunks.settle();
  chunks.onChunk = null;
  const outputBytes = counts.decompressedBytes - part.textStart;
  const stop = { error, consumedBytes: gunzip.bytesWritten, outputBytes };
  const partBytes = chunks.position - part.rawStart;
  if (error === null) return { stop, totalBytes: partBytes, exact: true };
  const firstEnd = { stop, totalBytes: partBytes, exact: false };
  if (!isZlibError(error) || stop.consumedBytes >= partBytes) return firstEnd;

  const again = await partBytesSource(input.handle, part, retained);
  if (again === null) return firstEnd;
  return decodeAgain(again, stop, consume);
}

// The bytes of the gzip part from its start, read again from the file or from `retained`;
// null when neither has them.
async function partBytesSource(
  handle: FileHandle | null,
  part: GzipPart,
  retained: RetainedBytes | null,
): Promise<ByteSource | null> {
  if (retained !== null) return retained.byteSource();
  return handle === null ? null : fileByteSource(handle, part.rawStart);
}

// The kind of bytes after the gzip data of a part: plain text, other bytes (or bytes that
// cannot be read again), or none.
type BytesAfterGzip = "text" | "other" | "none";

// Finds what follows the `dataBytes` of gzip data in the part. When it is text, the bytes
// that the gzip part took in after its data are put back into the chunks of `input`, so that
// a text part reads them next. Text follows only a part that stopped at a zlib error, which
// has taken in a few reads past its data at most. A part that ended cleanly has taken in the
// rest of the input, so only the first `SAMPLE_BYTES` of it are read again.
async function inspectAfterGzip(
  input: JoinedInput,
  part: GzipPart,
  dataBytes: number,
  retained: RetainedBytes | null,
): Promise<BytesAfterGzip> {
  const { chunks } = input;
  const takenBytes = chunks.position - part.rawStart;
  if (dataBytes > takenBytes) return "other";
  const unusedBytes = takenBytes - dataBytes;
  if (unusedBytes === 0) return sampleKind(await chunks.peek(SAMPLE_BYTES));

  const bytes = await partBytesSource(input.handle, part, retained);
  if (bytes === null) return "other";
  if (unusedBytes > SAMPLE_BYTES) {
    const sample = await bytes.read(dataBytes, SAMPLE_BYTES);
    if (!isTextAfterGzip(sample, false)) return "other";
    chunks.unshift(...(await readRange(bytes, dataBytes, takenBytes)));
    return "text";
  }
  chunks.unshift(...(await readRange(bytes, dataBytes, takenBytes)));
  return sampleKind(await chunks.peek(SAMPLE_BYTES));
}

// The kind of the bytes at the read position, given `peeked`, the bytes that `peek` returned.
function sampleKind(peeked: Buffer): BytesAfterGzip {
  if (peeked.length === 0) return "none";
  const complete = peeked.length < SAMPLE_BYTES;
  return isTextAfterGzip(peeked.subarray(0, SAMPLE_BYTES), complete) ? "text" : "other";
}

// Whether `sample`, the first bytes after gzip data, is plain text up to the end of the input
// or up to the next gzip member. `complete` is true when the input ends after the sample.
function isTextAfterGzip(sample: Buffer, complete: boolean): boolean {
  const text = textBeforeMember(sample, complete);
  return looksLikeText(text, complete || text.length < sample.length);
}

// The bytes of `bytes` from `start` to `end`, in reads of up to `CHUNK_BYTES`; fewer when the
// input is shorter now.
async function readRange(bytes: ByteSource, start: number, end: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for (let position = start; position < end;) {
    const chunk = await bytes.read(position, Math.min(CHUNK_BYTES, end - position));
    if (chunk.length === 0) break;
    chunks.push(chunk);
    position += chunk.length;
  }
  return chunks;
}

// Ends the last line of a gzip part that lacks a line end, so that the plain text after the
// gzip data starts a line, as the next file of a set would.
function endLastLine(input: JoinedInput, part: GzipPart): void {
  if (input.counts.decompressedBytes === part.textStart) return;
  const lineEnd = input.splitter.crLineEnds ? CR : LF;
  if (input.lastByte !== lineEnd) input.splitter.push(Buffer.from([lineEnd]));
}

const LF = 10;
const CR = 13;

// The error of gzip input whose decode stopped at `end` by damage or a read error.
function gzipError(name: string, end: GzipEnd, lines: number): InputError {
  const error = end.stop.error;
  if (!isZlibError(error)) return fileError(name, error);
  return corruptGzipError(name, lines, error);
}

// Runs the chunks (through `gunzip` unless null) into `consume`. Returns the stream error, or
// null at a clean end; raises what `consume` threw. After a stream error the bytes that
// reached the queue before it are still consumed.
async function pump(
  chunks: AsyncGenerator<Buffer>,
  gunzip: NodeJS.ReadWriteStream | null,
  consume: (chunk: Buffer) => void,
): Promise<unknown> {
  const sink = new ChunkQueue(consume);
  try {
    if (gunzip !== null) await pipeline(chunks, gunzip, sink);
    else await pipeline(chunks, sink);
    return null;
  } catch (error) {
    if (error instanceof HandlerFailure) throw error.cause;
    sink.consumeAll();
    return error;
  }
}
