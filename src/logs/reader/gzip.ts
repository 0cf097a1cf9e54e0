/**
 * The end of gzip input. Plain text after the last complete member is read as more log lines
 * (see `parts.ts`). Other data there is skipped with a note, as `gzip -d` skips it with a
 * warning. After a zlib error, a second decode of the file (or of the stdin bytes kept in
 * memory) with small writes recovers the text that the failed stream dropped, and finds the
 * byte where the gzip data ended.
 *
 * Node's gunzip stream (checked on Node 20.20) reads concatenated members, stops quietly at
 * a zero byte after a member, and fails with "incorrect header check" when another byte
 * follows a member. It reports an error without the output of the write that failed, which
 * is up to one output chunk (1 MiB here) of intact text.
 */
import type { FileHandle } from "node:fs/promises";
import { constants, createGunzip, gunzipSync, type Gunzip } from "node:zlib";
import { isZlibError } from "../../input/compression.js";
import { HandlerFailure } from "./queue.js";
import { inputNameInText, STDIN_NAME } from "./input-names.js";

/** Compressed bytes at the start of gzip data that `gunzipStart` decodes. */
export const GZIP_START_BYTES = 1024;

/**
 * Returns the text that the first `GZIP_START_BYTES` of gzip data `head` decode to, so that
 * its encoding can be detected before the stream is read. The sync flush decodes data cut short
 * without an error. Damaged data gives an empty Buffer, and the read of the stream reports it.
 * The text is at most about 1 MiB, because deflate compresses by 1032 to 1 at most.
 */
export function gunzipStart(head: Buffer): Buffer {
  try {
    const start = head.subarray(0, GZIP_START_BYTES);
    return gunzipSync(start, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (error) {
    if (!isZlibError(error)) throw error;
    return Buffer.alloc(0);
  }
}

/** Bytes after the end of the gzip data that are not text, which were skipped. */
export interface TrailingData {
  readonly bytes: number;
  /** A sentence that names the input and the count. */
  readonly message: string;
}

/** The place where a decode of gzip data stopped. */
export interface GzipStop {
  /** The zlib error, or null when the data ended cleanly. */
  readonly error: unknown;
  /** Compressed bytes that zlib took in without an error. */
  readonly consumedBytes: number;
  /** Decompressed bytes delivered, counted from the start of the data. */
  readonly outputBytes: number;
}

/** The writes of one decode after the point of a failure. */
interface WritePlan {
  /** Bytes per write. */
  readonly pieceBytes: number;
  /** Bytes after the failure point written that way, where the failing byte must lie. */
  readonly regionBytes: number;
}

// The first pass finds the failing write of 256 bytes within the failed write of the read
// (at most one read chunk of 1 MiB), and the second pass the failing byte within it. A
// write that fails loses what zlib made of it, so at most the text of one byte is lost.
const WRITE_PLANS: readonly WritePlan[] = [
  { pieceBytes: 256, regionBytes: 1024 * 1024 },
  { pieceBytes: 1, regionBytes: 256 },
];

/**
 * Returns the note for `bytes` of trailing data that is not text after the gzip stream of
 * `name`. For standard input it adds how to read files that `cat` joined, because the data
 * after a gzip file is then often the next file.
 */
export function trailingDataNote(name: string, bytes: number): TrailingData {
  const count = bytes === 1 ? "1 byte" : `${bytes.toLocaleString("en-US")} bytes`;
  const joined =
    name === STDIN_NAME ? " If standard input joins several files, give them as arguments." : "";
  return {
    bytes,
    message:
      `${count} of trailing data after the gzip stream in ${inputNameInText(name)} were ignored, as gzip -d ` +
      `ignores them, because they are not text (they contain control bytes or invalid ` +
      `UTF-8). Every line of the gzip stream was read.${joined}`,
  };
}

/** The place where gzip data stopped, and whether that place is exact to the byte. */
export interface GzipEnd {
  readonly stop: GzipStop;
  /** Bytes of the whole input, which the count of trailing bytes starts from. */
  readonly totalBytes: number;
  /**
   * True after a clean end or a second decode. False when the stream failed in a large write
   * and could not be decoded again (stdin, or a file that could not be read again).
   */
  readonly exact: boolean;
}

/**
 * Returns how many bytes of a gzip input of `totalBytes` lie after its last complete member,
 * given where the decode stopped, or null when the stop is damage rather than trailing data.
 */
export function trailingBytes(end: GzipEnd): number | null {
  const dataBytes = gzipDataBytes(end);
  return dataBytes === null ? null : end.totalBytes - dataBytes;
}

/**
 * Returns how many bytes at the start of the input are gzip data, up to the end of its last
 * complete member, or null when the stop is damage. A zero byte after a member ends the data
 * without an error. Any other byte that does not start a member fails the header check once
 * zlib has taken a second byte, so with exact stops the member ended one byte before the
 * byte that failed.
 */
export function gzipDataBytes(end: GzipEnd): number | null {
  const { stop, exact } = end;
  if (stop.error === null) return stop.consumedBytes;
  if (!exact || !isHeaderCheckError(stop.error)) return null;
  return stop.consumedBytes - 1;
}

function isHeaderCheckError(error: unknown): boolean {
  return error instanceof Error && error.message === "incorrect header check";
}

/** Compressed input that can be read again at any position, for a second decode. */
export interface ByteSource {
  readonly totalBytes: number;
  /** Returns up to `length` bytes from `position`, and an empty Buffer at the end. */
  read(position: number, length: number): Promise<Buffer>;
}

/**
 * Returns the bytes of a regular file open on `handle` from byte `startByte` on, where its
 * gzip data starts; null for a FIFO or device.
 */
export async function fileByteSource(
  handle: FileHandle,
  startByte = 0,
): Promise<ByteSource | null> {
  const stats = await handle.stat();
  if (!stats.isFile()) return null;
  return {
    totalBytes: Math.max(0, stats.size - startByte),
    async read(position, length) {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, startByte + position);
      return buffer.subarray(0, bytesRead);
    },
  };
}

/**
 * Keeps the chunks of a stream that cannot be read again (stdin) as they pass, up to
 * `maxBytes`, so that they can be decoded a second time.
 */
export class RetainedBytes {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Keeps the next chunk of the stream, or drops all once the stream is over `maxBytes`. */
  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes <= this.maxBytes) this.chunks.push(chunk);
    else this.chunks = [];
  }

  /**
   * Returns the kept bytes, or null when the stream was longer than `maxBytes`. Call it after
   * the stream has passed, because it joins the chunks kept so far into one.
   */
  byteSource(): ByteSource | null {
    if (this.bytes > this.maxBytes) return null;
    const all =
      this.chunks.length === 1 ? (this.chunks[0] ?? Buffer.alloc(0)) : Buffer.concat(this.chunks);
    this.chunks = [all];
    return {
      totalBytes: all.length,
      read: (position, length) => Promise.resolve(all.subarray(position, position + length)),
    };
  }
}

/**
 * Decodes `input` again after the first decode stopped at `failure`, and passes `consume`
 * the text after the `failure.outputBytes` already delivered. The data before
 * `failure.consumedBytes` goes to zlib in large writes and the rest in small ones, down to
 * one byte, so that the write that fails loses at most the text of that byte.
 * @throws what `consume` throws.
 */
export async function decodeAgain(
  input: ByteSource,
  failure: GzipStop,
  consume: (chunk: Buffer) => void,
): Promise<GzipEnd> {
  const totalBytes = input.totalBytes;
  let stop = failure;
  for (const plan of WRITE_PLANS) {
    let next: GzipStop;
    try {
      next = await decodeBytes(input, stop, plan, consume);
    } catch (error) {
      if (error instanceof HandlerFailure) throw error.cause;
      return { stop, totalBytes, exact: false };
    }
    // A clean end means that the file changed after the first decode, and its text was
    // delivered up to the new end.
    if (next.error === null) return { stop: next, totalBytes, exact: true };
    stop = next;
  }
  return { stop, totalBytes, exact: true };
}

// One decode of the whole input: the bytes before `from.consumedBytes` in large writes, the
// region after it in writes of `plan.pieceBytes`, and the rest in large writes again. Only
// text after `from.outputBytes` is passed to `consume`.
async function decodeBytes(
  input: ByteSource,
  from: GzipStop,
  plan: WritePlan,
  consume: (chunk: Buffer) => void,
): Promise<GzipStop> {
  const gunzip = createGunzip({ chunkSize: READ_BYTES });
  const output = deliverAfter(gunzip, from.outputBytes, consume);
  const failed = new Promise<unknown>((resolve) => gunzip.once("error", resolve));
  const ended = new Promise<void>((resolve) => gunzip.once("end", resolve));

  let position = 0;
  for (;;) {
    const chunk = await input.read(position, READ_BYTES);
    if (chunk.length === 0) break;
    for (const piece of splitPieces(chunk, position, from, plan)) {
      const error = await Promise.race([writeTo(gunzip, piece), failed]);
      if (error !== undefined) return stopAt(gunzip, output.bytes, error);
    }
    position += chunk.length;
  }
  gunzip.end();
  const error = await Promise.race([ended.then(() => undefined), failed]);
  return stopAt(gunzip, output.bytes, error ?? null);
}

const READ_BYTES = 1024 * 1024;

function stopAt(gunzip: Gunzip, outputBytes: number, error: unknown): GzipStop {
  if (error instanceof HandlerFailure) throw error;
  return { error, consumedBytes: gunzip.bytesWritten, outputBytes };
}

// Counts the output of `gunzip` and passes `consume` what lies after the first `skipBytes`.
// What `consume` throws fails the stream with a `HandlerFailure`.
function deliverAfter(
  gunzip: Gunzip,
  skipBytes: number,
  consume: (chunk: Buffer) => void,
): { bytes: number } {
  const output = { bytes: 0 };
  gunzip.on("data", (chunk: Buffer) => {
    const start = Math.max(0, skipBytes - output.bytes);
    output.bytes += chunk.length;
    if (start >= chunk.length) return;
    try {
      consume(start === 0 ? chunk : chunk.subarray(start));
    } catch (error) {
      gunzip.destroy(new HandlerFailure(error));
    }
  });
  return output;
}

// The chunk read at `position`, cut into writes of `plan.pieceBytes` in the region after
// `from.consumedBytes`.
function* splitPieces(
  chunk: Buffer,
  position: number,
  from: GzipStop,
  plan: WritePlan,
): Generator<Buffer> {
  const regionStart = clamp(from.consumedBytes - position, chunk.length);
  const regionEnd = clamp(from.consumedBytes + plan.regionBytes - position, chunk.length);
  if (regionStart > 0) yield chunk.subarray(0, regionStart);
  for (let start = regionStart; start < regionEnd; start += plan.pieceBytes) {
    yield chunk.subarray(start, Math.min(start + plan.pieceBytes, regionEnd));
  }
  if (regionEnd < chunk.length) yield chunk.subarray(regionEnd);
}

function clamp(offset: number, length: number): number {
  return Math.min(Math.max(0, offset), length);
}

// Resolves with undefined once zlib has processed `piece`. A failed write never calls back,
// so the caller races this with the error.
function writeTo(gunzip: Gunzip, piece: Buffer): Promise<undefined> {
  return new Promise((resolve) => {
    gunzip.write(piece, () => resolve(undefined));
  });
}
