/**
 * Reads one source into a `LineSplitter`: opens the file (or takes stdin), tells gzip from
 * plain text by the magic bytes, and streams the bytes in large chunks.
 */
import { open } from "node:fs/promises";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import {
  corruptGzipError,
  fileError,
  unsupportedCompressionError,
  type InputError,
  type UnsupportedCompression,
} from "./errors.js";
import type { LineSplitter } from "./lines.js";
import type { FileSource, StdinSource } from "./sources.js";

/** Bytes per read from a file, and per output chunk of gzip decompression. */
export const CHUNK_BYTES = 1024 * 1024;

// Bytes read ahead while earlier chunks wait to be split.
const SINK_BUFFER_BYTES = 4 * CHUNK_BYTES;

/** Compression recognised by magic bytes. */
export type Compression = "gzip" | UnsupportedCompression;

/** What reading one source produced. */
export interface SourceReadResult {
  /** `gzip` when the bytes were gzip-compressed (concatenated members included), else null. */
  readonly compression: "gzip" | null;
  /** Bytes read from the file or stdin, compressed size for gzip. */
  readonly bytes: number;
  /** Bytes of log text after decompression; equal to `bytes` for plain text. */
  readonly decompressedBytes: number;
  /** Set when the source could not be read to its end; lines before the failure count. */
  readonly error: InputError | null;
}

/** Options of `readSource`. */
export interface ReadSourceOptions {
  /** The stream behind `-`; a `-` input without it is reported as unreadable. */
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** Called with the count of raw bytes after each chunk read, for progress reports. */
  readonly onBytes?: ((count: number) => void) | undefined;
}

// Wraps what the line handler (the framer or a parser) threw while a chunk was split: a bug
// to raise to the caller, not a problem of the input.
class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super("the line handler failed", { cause });
  }
}

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
  if ("code" in opened) return { compression: null, bytes: 0, decompressedBytes: 0, error: opened };
  const raw = opened;

  let head: Buffer;
  try {
    head = await peekHead(raw, MAGIC_BYTES);
  } catch (error) {
    return {
      compression: null,
      bytes: 0,
      decompressedBytes: 0,
      error: fileError(source.name, error),
    };
  }
  const compression = detectCompression(head);
  if (compression !== null && compression !== "gzip") {
    if (source.type === "file") destroyStream(raw);
    const error = unsupportedCompressionError(source.name, compression);
    return { compression: null, bytes: 0, decompressedBytes: 0, error };
  }

  const counts = { bytes: 0, decompressedBytes: 0 };
  const error = await pump(raw, compression === "gzip", splitter, counts, options.onBytes);
  splitter.end();
  const inputError =
    error === null
      ? null
      : compression === "gzip" && isZlibError(error)
        ? corruptGzipError(source.name, splitter.lines, error)
        : fileError(source.name, error);
  return { compression, ...counts, error: inputError };
}

async function openRaw(
  source: FileSource | StdinSource,
  stdin: NodeJS.ReadableStream | undefined,
): Promise<NodeJS.ReadableStream | InputError> {
  if (source.type === "stdin") {
    if (stdin !== undefined) return stdin;
    return { code: "read-failed", message: 'cannot read "-": no standard input was given' };
  }
  try {
    const handle = await open(source.path, "r");
    return handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  } catch (error) {
    return fileError(source.name, error);
  }
}

// Runs the bytes of `raw` (gunzipped when `gzip`) into the splitter. Returns the stream
// error, or null at a clean end; raises what the line handler threw.
async function pump(
  raw: NodeJS.ReadableStream,
  gzip: boolean,
  splitter: LineSplitter,
  counts: { bytes: number; decompressedBytes: number },
  onBytes: ((count: number) => void) | undefined,
): Promise<unknown> {
  // The sink returns from `write` at once and splits the chunk on the next turn of the event
  // loop. In between, the read stream starts its next read, so the disk or gunzip works while
  // this thread splits and frames. Its buffer of SINK_BUFFER_BYTES bounds the read-ahead.
  const sink = new Writable({
    highWaterMark: SINK_BUFFER_BYTES,
    write(chunk: Buffer, _encoding, done) {
      setImmediate(() => {
        counts.decompressedBytes += chunk.length;
        try {
          splitter.push(chunk);
        } catch (error) {
          done(new HandlerFailure(error));
          return;
        }
        done();
      });
    },
  });
  const finished = gzip
    ? pipeline(raw, createGunzip({ chunkSize: CHUNK_BYTES }), sink)
    : pipeline(raw, sink);
  raw.on("data", (chunk: Buffer) => {
    counts.bytes += chunk.length;
    onBytes?.(chunk.length);
  });
  try {
    await finished;
    return null;
  } catch (error) {
    if (error instanceof HandlerFailure) throw error.cause;
    return error;
  }
}

const MAGIC_BYTES = 6;

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

/**
 * Reads the first `size` bytes (fewer when the stream is shorter) and puts them back, so the
 * stream still starts at byte 0 for whoever reads it next.
 */
function peekHead(stream: NodeJS.ReadableStream, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const finish = (head: Buffer): void => {
      stream.removeListener("readable", onReadable);
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onError);
      resolve(head);
    };
    const onReadable = (): void => {
      const head = stream.read(size) as Buffer | null;
      if (head === null) return;
      stream.unshift(head);
      finish(head);
    };
    const onEnd = (): void => finish(Buffer.alloc(0));
    const onError = (error: unknown): void => {
      stream.removeListener("readable", onReadable);
      stream.removeListener("end", onEnd);
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    stream.on("readable", onReadable);
    stream.once("end", onEnd);
    stream.once("error", onError);
  });
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  if ("destroy" in stream && typeof stream.destroy === "function") stream.destroy();
}

function isZlibError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("Z_");
}
