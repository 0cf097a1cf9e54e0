/**
 * Reads one source into a `LineSplitter`: opens the file (or takes stdin), detects gzip by
 * its magic bytes, and streams the bytes in large chunks.
 */
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { detectChange, type InputChange } from "./changes.js";
import {
  corruptGzipError,
  fileError,
  unsupportedCompressionError,
  type InputError,
  type UnsupportedCompression,
} from "./errors.js";
import type { LineSplitter } from "./lines.js";
import { ChunkQueue, HandlerFailure } from "./queue.js";
import type { FileSource, StdinSource } from "./sources.js";

/** Bytes per read from a file, and per output chunk of gzip decompression. */
export const CHUNK_BYTES = 1024 * 1024;

/** Compression recognised by magic bytes. */
export type Compression = "gzip" | UnsupportedCompression;

/** Result of reading one source. */
export interface SourceReadResult {
  /** `gzip` when the bytes were gzip-compressed (concatenated members included), else null. */
  readonly compression: "gzip" | null;
  /** Bytes read from the file or stdin, compressed size for gzip. */
  readonly bytes: number;
  /** Bytes of log text after decompression; equal to `bytes` for plain text. */
  readonly decompressedBytes: number;
  /** Set when the source could not be read to its end; lines before the failure count. */
  readonly error: InputError | null;
  /** Set when the file was truncated or replaced while it was read; null for stdin. */
  readonly change: InputChange | null;
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
    return { compression: null, bytes: 0, decompressedBytes: 0, error: opened, change: null };
  }
  if (opened.handle === null || source.type === "stdin") {
    return { ...(await readStream(source, opened.stream, splitter, options)), change: null };
  }

  // The handle stays open after the stream ends, so that its size can be checked then.
  try {
    const result = await readStream(source, opened.stream, splitter, options);
    const change = await detectChange(source.name, source.path, opened.handle, result.bytes);
    return { ...result, change };
  } finally {
    await opened.handle.close();
  }
}

async function readStream(
  source: FileSource | StdinSource,
  stream: NodeJS.ReadableStream,
  splitter: LineSplitter,
  options: ReadSourceOptions,
): Promise<Omit<SourceReadResult, "change">> {
  const counts: ByteCounts = { bytes: 0, decompressedBytes: 0 };
  const chunks = countedChunks(stream, counts, options.onBytes);
  let head: Buffer[];
  try {
    head = await takeHead(chunks, MAGIC_BYTES);
  } catch (error) {
    return { compression: null, ...counts, error: fileError(source.name, error) };
  }
  const compression = detectCompression(Buffer.concat(head));
  if (compression !== null && compression !== "gzip") {
    await chunks.return(undefined);
    const error = unsupportedCompressionError(source.name, compression);
    return { compression: null, bytes: 0, decompressedBytes: 0, error };
  }

  const gzip = compression === "gzip";
  const error = await pump(replay(head, chunks), gzip, splitter, counts);
  splitter.end();
  let inputError: InputError | null = null;
  if (error !== null) {
    inputError =
      gzip && isZlibError(error)
        ? corruptGzipError(source.name, splitter.lines, error)
        : fileError(source.name, error);
  }
  return { compression, ...counts, error: inputError };
}

interface OpenedSource {
  readonly stream: NodeJS.ReadableStream;
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
    const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES, autoClose: false });
    return { stream, handle };
  } catch (error) {
    return fileError(source.name, error);
  }
}

// The raw chunks of a stream as Buffers, counted for the summary and progress as they pass.
async function* countedChunks(
  stream: NodeJS.ReadableStream,
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

async function* replay(head: Buffer[], rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  yield* rest;
}

// Runs the chunks (gunzipped when `gzip`) into the splitter. Returns the stream error, or
// null at a clean end; raises what the line handler threw. After a stream error the bytes
// that arrived before it are still split.
async function pump(
  chunks: AsyncGenerator<Buffer>,
  gzip: boolean,
  splitter: LineSplitter,
  counts: ByteCounts,
): Promise<unknown> {
  const sink = new ChunkQueue((chunk) => {
    counts.decompressedBytes += chunk.length;
    splitter.push(chunk);
  });
  try {
    if (gzip) await pipeline(chunks, createGunzip({ chunkSize: CHUNK_BYTES }), sink);
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
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.subarray(0, 6).equals(XZ_MAGIC)) return "xz";
  if (head.subarray(0, 4).equals(ZSTD_MAGIC)) return "zstd";
  const level = head[3] ?? 0;
  if (head.subarray(0, 3).equals(BZIP2_MAGIC) && level >= 0x31 && level <= 0x39) return "bzip2";
  return null;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const BZIP2_MAGIC = Buffer.from("BZh", "latin1");

function isZlibError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("Z_");
}
