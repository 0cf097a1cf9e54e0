/**
 * Reads one source into a `LineSplitter`: opens the file (or takes stdin), detects gzip by
 * its magic bytes, and streams the bytes in large chunks.
 */
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { isGzipMagic, isZlibError } from "../../input/compression.js";
import { detectChange, ReadFingerprint, type InputChange } from "./changes.js";
import {
  corruptGzipError,
  fileError,
  unsupportedCompressionError,
  type InputError,
  type UnsupportedCompression,
} from "./errors.js";
import {
  decodeAgain,
  fileByteSource,
  RetainedBytes,
  trailingBytes,
  trailingDataNote,
  type GzipEnd,
  type TrailingData,
} from "./gzip.js";
import { GzipMemberScan } from "./joined.js";
import type { LineSplitter } from "./lines.js";
import { BinarySample, inputNotes } from "./notes.js";
import { ChunkQueue, HandlerFailure } from "./queue.js";
import type { FileSource, StdinSource } from "./sources.js";

/** Bytes per read from a file, and per output chunk of gzip decompression. */
export const CHUNK_BYTES = 1024 * 1024;

/** Compression recognised by magic bytes. */
export type Compression = "gzip" | UnsupportedCompression;

/** Result of reading one source. */
export interface SourceReadResult {
  /**
   * `gzip` when the bytes were gzip-compressed (concatenated members included), also when
   * the gzip data followed plain text; else null.
   */
  readonly compression: "gzip" | null;
  /** Bytes read from the file or stdin, compressed size for gzip. */
  readonly bytes: number;
  /** Bytes of log text after decompression; equal to `bytes` for plain text. */
  readonly decompressedBytes: number;
  /** Set when the source could not be read to its end; lines before the failure count. */
  readonly error: InputError | null;
  /** Set when the file was truncated or replaced while it was read; null for stdin. */
  readonly change: InputChange | null;
  /** Set when bytes after the end of the gzip data were ignored; null for plain text. */
  readonly trailingData: TrailingData | null;
  /** Sentences about an input read to its end whose lines may mislead (see `inputNotes`). */
  readonly notes: readonly string[];
}

/** Options of `readSource`. */
export interface ReadSourceOptions {
  /** The stream behind `-`; a `-` input without it is reported as unreadable. */
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** Called with the count of raw bytes after each chunk read, for progress reports. */
  readonly onBytes?: ((count: number) => void) | undefined;
}

interface ByteCounts {
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

const MAGIC_BYTES = 6;

/**
 * Streams `source` through `splitter` and ends it, so the last unterminated line is delivered
 * too, also after a read error. Input problems come back as `error`; exceptions thrown by the
 * splitter's line handler are raised.
 */
export async function readSource(
  source: FileSource | StdinSource,
  splitter: LineSplitter,
  options: ReadSourceOptions = {},
): Promise<SourceReadResult> {
  const opened = await openRaw(source, options.stdin);
  if ("code" in opened) {
    const error = opened;
    return {
      compression: null,
      bytes: 0,
      decompressedBytes: 0,
      error,
      change: null,
      trailingData: null,
      notes: [],
    };
  }
  if (opened.handle === null || source.type === "stdin") {
    return { ...(await readStream(source, opened, splitter, options)), change: null };
  }

  // The handle stays open after the stream ends, so that its size and the bytes that
  // `fingerprint` kept can be checked then, and damaged gzip data read again.
  const fingerprint = new ReadFingerprint();
  const fingerprinted = { stream: fingerprint.pass(opened.stream), handle: opened.handle };
  try {
    const result = await readStream(source, fingerprinted, splitter, options);
    const { name, path } = source;
    const change = await detectChange(name, path, opened.handle, result.bytes, fingerprint);
    return { ...result, change };
  } finally {
    await opened.handle.close();
  }
}

async function readStream(
  source: FileSource | StdinSource,
  opened: OpenedSource,
  splitter: LineSplitter,
  options: ReadSourceOptions,
): Promise<Omit<SourceReadResult, "change">> {
  const counts: ByteCounts = { bytes: 0, decompressedBytes: 0 };
  const chunks = countedChunks(opened.stream, counts, options.onBytes);
  let head: Buffer[];
  try {
    head = await takeHead(chunks, MAGIC_BYTES);
  } catch (error) {
    return {
      compression: null,
      ...counts,
      error: fileError(source.name, error),
      trailingData: null,
      notes: [],
    };
  }
  const compression = detectCompression(Buffer.concat(head));
  if (compression !== null && compression !== "gzip") {
    await chunks.return(undefined);
    const error = unsupportedCompressionError(source.name, compression);
    return {
      compression: null,
      bytes: 0,
      decompressedBytes: 0,
      error,
      trailingData: null,
      notes: [],
    };
  }

  const sample = new BinarySample();
  const consume = (chunk: Buffer): void => {
    if (!sample.complete) sample.add(chunk);
    counts.decompressedBytes += chunk.length;
    splitter.push(chunk);
  };
  const input = replay(head, chunks);
  if (compression === "gzip") {
    const part = { rawStart: 0, textStart: 0 };
    const outcome = await readGzipPart(source.name, opened.handle, input, chunks, part, {
      consume,
      counts,
      splitter,
    });
    const notes = inputNotes(source.name, splitter, sample.looksBinary(), null);
    return { compression, ...counts, ...outcome, notes };
  }

  const scan = new GzipMemberScan();
  const error = await pump(scan.text(input), null, consume);
  const found = scan.found;
  if (error !== null || found === null) {
    splitter.end();
    const inputError = error === null ? null : fileError(source.name, error);
    const notes = inputNotes(source.name, splitter, sample.looksBinary(), null);
    return { compression, ...counts, error: inputError, trailingData: null, notes };
  }

  // The text ended at a line start, so the gzip data begins a new line.
  const textLines = splitter.lines;
  const part = { rawStart: found.textBytes, textStart: counts.decompressedBytes };
  const rest = replay([found.rest], input);
  const outcome = await readGzipPart(source.name, opened.handle, rest, chunks, part, {
    consume,
    counts,
    splitter,
  });
  const notes = inputNotes(source.name, splitter, sample.looksBinary(), textLines);
  return { compression: "gzip", ...counts, ...outcome, notes };
}

interface GzipSink {
  readonly consume: (chunk: Buffer) => void;
  readonly counts: ByteCounts;
  readonly splitter: LineSplitter;
}

// Gunzips `input`, the part of a stream from `part` on, into the splitter and ends it.
// `source` is the raw stream below `input`: on stdin, the bytes after the gzip data are
// read from it to the end, so that the trailing-data note gives their real count.
async function readGzipPart(
  name: string,
  handle: FileHandle | null,
  input: AsyncGenerator<Buffer>,
  source: AsyncGenerator<Buffer>,
  part: GzipPart,
  sink: GzipSink,
): Promise<Pick<SourceReadResult, "error" | "trailingData">> {
  const { consume, counts, splitter } = sink;
  const retained = handle === null ? new RetainedBytes(MAX_RETAINED_STDIN_BYTES) : null;
  let end = await readGzip(retained?.pass(input) ?? input, handle, retained, consume, counts, part);
  splitter.end();
  if (handle === null && trailingBytes(end) !== null) {
    await drain(source);
    end = { ...end, totalBytes: counts.bytes - part.rawStart };
  }
  return gzipOutcome(name, end, splitter.lines);
}

// Reads `source` to its end, so that the byte counter below it counts every byte.
async function drain(source: AsyncGenerator<Buffer>): Promise<void> {
  for (let next = await source.next(); next.done !== true; next = await source.next()) {
    // Only the count of the bytes is needed.
  }
}

/**
 * Maximum compressed bytes of gzip stdin kept for a second decode after a zlib error. Beyond
 * it, the text of the write that failed (up to `CHUNK_BYTES`) is lost, and trailing data
 * after the gzip stream is reported as damage.
 */
export const MAX_RETAINED_STDIN_BYTES = 64 * 1024 * 1024;

// Gunzips the chunks into `consume`. After a zlib error, the input (the file, or the bytes of
// stdin that `retained` kept) is decoded again, to recover the text that the failed stream
// dropped and to find the byte where the gzip data ended.
async function readGzip(
  chunks: AsyncGenerator<Buffer>,
  handle: FileHandle | null,
  retained: RetainedBytes | null,
  consume: (chunk: Buffer) => void,
  counts: ByteCounts,
  part: GzipPart,
): Promise<GzipEnd> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const error = await pump(chunks, gunzip, consume);
  const outputBytes = counts.decompressedBytes - part.textStart;
  const stop = { error, consumedBytes: gunzip.bytesWritten, outputBytes };
  const partBytes = counts.bytes - part.rawStart;
  if (error === null) return { stop, totalBytes: partBytes, exact: true };
  const firstEnd = { stop, totalBytes: partBytes, exact: false };
  if (!isZlibError(error) || stop.consumedBytes >= partBytes) return firstEnd;

  const input =
    handle === null ? retained?.byteSource() : await fileByteSource(handle, part.rawStart);
  if (input === null || input === undefined) return firstEnd;
  return decodeAgain(input, stop, consume);
}

// The error or the trailing-data note of gzip input that stopped at `end`.
function gzipOutcome(
  name: string,
  end: GzipEnd,
  lines: number,
): Pick<SourceReadResult, "error" | "trailingData"> {
  const stop = end.stop;
  if (stop.error !== null && !isZlibError(stop.error)) {
    return { error: fileError(name, stop.error), trailingData: null };
  }
  const trailing = trailingBytes(end);
  if (trailing === null) {
    return { error: corruptGzipError(name, lines, stop.error), trailingData: null };
  }
  return { error: null, trailingData: trailing > 0 ? trailingDataNote(name, trailing) : null };
}

interface OpenedSource {
  readonly stream: AsyncIterable<Buffer | string>;
  /** The open file, which the caller closes; null for stdin. */
  readonly handle: FileHandle | null;
}

async function openRaw(
  source: FileSource | StdinSource,
  stdin: NodeJS.ReadableStream | undefined,
): Promise<OpenedSource | InputError> {
  if (source.type === "stdin") {
    if (stdin !== undefined) return { stream: stdin, handle: null };
    return { code: "read-failed", message: 'cannot read "-": no standard input was given' };
  }
  try {
    const handle = await open(source.path, "r");
    return { stream: fileChunks(handle), handle };
  } catch (error) {
    return fileError(source.name, error);
  }
}

// The chunks of an open file, read in order. A read stream would close the file when a
// pipeline error destroys it, but the file is still needed after an error, to compare its
// size and to decode damaged gzip data again.
async function* fileChunks(handle: FileHandle): AsyncGenerator<Buffer, void, undefined> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    yield bytesRead === CHUNK_BYTES ? buffer : buffer.subarray(0, bytesRead);
  }
}

// The raw chunks of a stream as Buffers, counted for the summary and progress as they pass.
async function* countedChunks(
  stream: AsyncIterable<Buffer | string>,
  counts: ByteCounts,
  onBytes: ((count: number) => void) | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
    counts.bytes += bytes.length;
    onBytes?.(bytes.length);
    yield bytes;
  }
}

// Takes chunks until they hold `size` bytes or the stream ends.
async function takeHead(chunks: AsyncGenerator<Buffer>, size: number): Promise<Buffer[]> {
  const head: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const next = await chunks.next();
    if (next.done === true) break;
    head.push(next.value);
    length += next.value.length;
  }
  return head;
}

// Yields `head`, then the rest of `source`. It never closes `source`, unlike `yield*`, so that
// the reader can go on reading it after a consumer stopped early or failed.
async function* replay(head: Buffer[], source: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (let next = await source.next(); next.done !== true; next = await source.next()) {
    yield next.value;
  }
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

/** Detects compression from the first bytes of a stream: gzip, xz, zstd, bzip2, or null. */
export function detectCompression(head: Buffer): Compression | null {
  if (isGzipMagic(head)) return "gzip";
  if (head.subarray(0, 6).equals(XZ_MAGIC)) return "xz";
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return "zstd";
  const level = head[3] ?? 0;
  if (head.subarray(0, 3).equals(BZIP2_MAGIC) && level >= 0x31 && level <= 0x39) return "bzip2";
  return null;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const BZIP2_MAGIC = Buffer.from("BZh", "latin1");
