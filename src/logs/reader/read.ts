/**
 * Reads one source into a `ByteLineSplitter`: opens the file (or takes stdin), detects gzip by
 * its magic bytes, and streams the bytes in large chunks. Plain text and gzip data joined in
 * one input are read in turn (see `parts.ts`).
 */
import { open, type FileHandle } from "node:fs/promises";
import { isGzipMagic } from "../../input/compression.js";
import { detectChange, ReadFingerprint, type InputChange } from "./changes.js";
import { ChunkSource } from "./chunk-source.js";
import {
  fileError,
  nestedGzipError,
  unsupportedCompressionError,
  type InputError,
  type UnsupportedCompression,
} from "./errors.js";
import { GZIP_START_BYTES, gunzipStart, type TrailingData } from "./gzip.js";
import type { ByteLineSplitter } from "./lines.js";
import {
  BinarySample,
  binaryStopNote,
  CONTROL_BYTES_REASON,
  FormatSwitches,
  inputNotes,
} from "./notes.js";
import { CHUNK_BYTES, readParts, type ByteCounts, type JoinedInput } from "./parts.js";
import type { FileSource, StdinSource } from "./sources.js";
import { unreadEncodingOf } from "./unread-encodings.js";
import { detectUtf16, Utf16Decoder, utf16Note, utf16ToUtf8, type Utf16Text } from "./utf16.js";

export { CHUNK_BYTES, MAX_RETAINED_STDIN_BYTES } from "./parts.js";

/** Compression recognised by magic bytes. */
export type Compression = "gzip" | UnsupportedCompression;

/** Result of reading one source. */
export interface SourceReadResult {
  /**
   * `gzip` when the bytes were gzip-compressed (concatenated members included), also when
   * gzip data and plain text were joined; else null.
   */
  readonly compression: "gzip" | null;
  /** Bytes read from the file or stdin, compressed size for gzip. */
  readonly bytes: number;
  /**
   * Bytes of log text passed to the line splitter: after gunzip, and as UTF-8 for UTF-16 text.
   * Equal to `bytes` for plain text in UTF-8 or another 8-bit encoding.
   */
  readonly decompressedBytes: number;
  /** Set when the source could not be read to its end; lines before the failure count. */
  readonly error: InputError | null;
  /** Set when the file was truncated or replaced while it was read; null for stdin. */
  readonly change: InputChange | null;
  /** Set when bytes after the end of the gzip data were skipped because they are not text. */
  readonly trailingData: TrailingData | null;
  /** Sentences about an input read to its end whose lines may mislead (see `inputNotes`). */
  readonly notes: readonly string[];
}

/** Options of `readSource`. */
export interface ReadSourceOptions {
  /** The stream behind `-`; a `-` input without it is reported as unreadable. */
  readonly stdin?: AsyncIterable<Buffer | string> | undefined;
  /** Called with the count of raw bytes after each chunk read, for progress reports. */
  readonly onBytes?: ((count: number) => void) | undefined;
  /**
   * Returns whether the lines passed so far gave a log record. An input whose first
   * `BINARY_STOP_BYTES` of text look binary and gave none is not read further.
   */
  readonly hasRecords?: (() => boolean) | undefined;
}

/**
 * Bytes of text after which an input that looks binary and gave no log record is not read
 * further, so that an endless stream (`cat /dev/urandom |`) or a huge binary file ends early.
 */
export const BINARY_STOP_BYTES = CHUNK_BYTES;

/**
 * Bytes of NULs alone after which standard input is not read further (`cat /dev/zero |`). A
 * file is read to its end however many NULs it starts with. A program that writes without
 * `O_APPEND` after `copytruncate` leaves a hole of NULs as long as the old log before its new
 * lines, often far more than `BINARY_STOP_BYTES`.
 */
export const NUL_STOP_BYTES = 16 * CHUNK_BYTES;

// Thrown by the text sink to stop reading an input that looks binary.
class BinaryInputStop extends Error {}

const MAGIC_BYTES = 6;

/**
 * Streams `source` through `splitter` and ends it, so the last unterminated line is delivered
 * too, also after a read error. Input problems come back as `error`; exceptions thrown by the
 * splitter's line handler are raised.
 */
export async function readSource(
  source: FileSource | StdinSource,
  splitter: ByteLineSplitter,
  options: ReadSourceOptions = {},
): Promise<SourceReadResult> {
  const opened = await openRaw(source, options.stdin);
  if ("code" in opened) return { ...unreadResult(opened), change: null };
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
  splitter: ByteLineSplitter,
  options: ReadSourceOptions,
): Promise<Omit<SourceReadResult, "change">> {
  const counts: ByteCounts = { bytes: 0, decompressedBytes: 0 };
  const chunks = new ChunkSource(countedChunks(opened.stream, counts, options.onBytes));
  let head: Buffer;
  try {
    head = await chunks.peek(MAGIC_BYTES);
    if (isGzipMagic(head)) head = await chunks.peek(GZIP_START_BYTES);
  } catch (error) {
    return { ...unreadResult(fileError(source.name, error)), ...counts };
  }
  const compression = detectCompression(head);
  const gzipText = compression === "gzip" ? gunzipStart(head) : null;
  if (gzipText !== null && isGzipMagic(gzipText)) {
    await chunks.close();
    return unreadResult(nestedGzipError(source.name));
  }
  if (compression !== null && compression !== "gzip") {
    await chunks.close();
    return unreadResult(unsupportedCompressionError(source.name, compression));
  }

  // UTF-16 text is decoded to UTF-8 before the line splitter, which splits bytes on `\n`:
  // plain text as it is read, and gzip data after gunzip, in `consume`.
  // NOTE: UTF-16 in gzip data after plain text in one input (`cat a.log b.log.gz`) is not
  // detected, so it still gets the binary-file note.
  const utf16 = gzipText === null ? detectInputUtf16(head, compression) : detectUtf16(gzipText);
  const plainUtf16 = compression === null ? utf16 : null;
  const gzipDecoder =
    compression === "gzip" && utf16 !== null ? new Utf16Decoder(utf16.encoding) : null;
  const textChunks =
    plainUtf16 === null
      ? chunks
      : new ChunkSource(utf16ToUtf8(chunks.chunks(), plainUtf16.encoding));
  const sample = new BinarySample();
  // Bytes of text passed to the splitter, which differ from the gunzip output that
  // `counts.decompressedBytes` counts when UTF-16 in gzip data is decoded.
  let textBytes = 0;
  let binaryChecked = false;
  const pushText = (text: Buffer): void => {
    if (text.length === 0) return;
    if (!sample.complete) sample.add(text);
    textBytes += text.length;
    input.lastByte = text[text.length - 1] ?? null;
    splitter.push(text);
    if (!binaryChecked && textBytes >= BINARY_STOP_BYTES) {
      if (options.hasRecords?.() === true) binaryChecked = true;
      else if (!sample.hasOnlyLeadingNuls()) {
        binaryChecked = true;
        if (sample.binaryReason() !== null) throw new BinaryInputStop();
      } else if (source.type === "stdin" && textBytes >= NUL_STOP_BYTES) {
        throw new BinaryInputStop();
      }
    }
  };
  const input: JoinedInput = {
    name: source.name,
    handle: opened.handle,
    chunks: textChunks,
    counts,
    splitter,
    switches: new FormatSwitches(),
    lastByte: null,
    consume: (chunk) => {
      if (chunk.length === 0) return;
      counts.decompressedBytes += chunk.length;
      pushText(gzipDecoder === null ? chunk : gzipDecoder.decode(chunk));
    },
    endText: () => {
      if (gzipDecoder !== null) pushText(gzipDecoder.end());
      splitter.end();
    },
  };
  let outcome: Awaited<ReturnType<typeof readParts>>;
  let stopped = false;
  try {
    outcome = await readParts(input, compression === "gzip");
  } catch (error) {
    if (!(error instanceof BinaryInputStop)) throw error;
    await chunks.close();
    stopped = true;
    outcome = { error: null, trailingData: null, gzip: compression === "gzip" };
  }
  // A read that stopped at an error, such as damaged gzip data, ends inside a line because of
  // that error. The report gives the error, so the guess of a file still being written is left out.
  const split =
    outcome.error === null ? splitter : { lines: splitter.lines, lastLineUnterminated: false };
  const binaryReason = sample.binaryReason();
  // Only an input whose control bytes alone made it binary can be text in another encoding,
  // and only the input's own first bytes are examined, so the text of gzip data is not.
  const controlBytes = binaryReason === CONTROL_BYTES_REASON && compression === null;
  const encoding = controlBytes && utf16 === null ? unreadEncodingOf(head) : null;
  const notes = inputNotes(source.name, split, binaryReason, input.switches, encoding);
  if (stopped) notes.push(binaryStopNote(source.name, textBytes));
  if (utf16 !== null) notes.unshift(utf16Note(source.name, utf16, compression === "gzip"));
  const { error, trailingData } = outcome;
  const gzip = outcome.gzip ? "gzip" : null;
  const bytes = counts.bytes;
  return { compression: gzip, bytes, decompressedBytes: textBytes, error, trailingData, notes };
}

// The UTF-16 encoding of an input from its first bytes `head`: of the text itself, or of the
// start of its gzip data after gunzip. Null for other text and other compression.
/** Builds the result of an input that failed with `error` before any of its text was read. */
function unreadResult(error: InputError): Omit<SourceReadResult, "change"> {
  return {
    compression: null,
    bytes: 0,
    decompressedBytes: 0,
    error,
    trailingData: null,
    notes: [],
  };
}

function detectInputUtf16(head: Buffer, compression: Compression | null): Utf16Text | null {
  if (compression === null) return detectUtf16(head);
  if (compression === "gzip") return detectUtf16(gunzipStart(head));
  return null;
}

interface OpenedSource {
  readonly stream: AsyncIterable<Buffer | string>;
  /** The open file, which the caller closes; null for stdin. */
  readonly handle: FileHandle | null;
}

async function openRaw(
  source: FileSource | StdinSource,
  stdin: AsyncIterable<Buffer | string> | undefined,
): Promise<OpenedSource | InputError> {
  if (source.type === "stdin") {
    if (stdin !== undefined) return { stream: stdin, handle: null };
    return {
      code: "read-failed",
      message: "cannot read standard input: no stream was given for it",
    };
  }
  try {
    const handle = await open(source.path, "r");
    return { stream: fileChunks(handle), handle };
  } catch (error) {
    return fileError(source.name, error);
  }
}

/**
 * Yields the chunks of an open file, read in order: from the file's current position, or by
 * position from `start` for a file that other readers share (a pipe has no positions). A read
 * stream would close the file when a pipeline error destroys it, but the file is still needed
 * after an error, to compare its size and to decode damaged gzip data again.
 */
export async function* fileChunks(
  handle: FileHandle,
  start: number | null = null,
): AsyncGenerator<Buffer, void, undefined> {
  for (let position = start; ;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return;
    if (position !== null) position += bytesRead;
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
