/**
 * Following a live log across appends, truncation and rotation, for `delist monitor`. Each call
 * reads what was added since a saved position. The position carries a fingerprint of the
 * file's first bytes, so the file is found again after logrotate renamed it (`mail.log.1`) or
 * compressed it (`mail.log.2.gz`, `maillog-20240301.gz`) while the monitor was not running.
 * A file that was empty when it was read has no bytes to fingerprint, so its position is found
 * again by the file's device and inode, which a rename keeps.
 * The reader of `delist diagnose` (`readLogs`) is not involved and does not change.
 */
import { createHash } from "node:crypto";
import { createReadStream, type BigIntStats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createGunzip } from "node:zlib";
import { compareRotationAge, parseRotationName } from "./reader/rotation.js";

/** Bytes of the start of a file that identify it. */
export const FINGERPRINT_BYTES = 1024;

/** How far a followed file was read; see `PositionRepository` for where it is kept. */
export interface FollowPosition {
  /** SHA-256 of the first `fingerprintBytes` bytes (decompressed for gzip), hex. */
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
  /** Bytes already read, always at the end of a line. */
  readonly offset: number;
  /**
   * The file's device, inode and birth time in nanoseconds from `stat`, as
   * `DEVICE:INODE:BIRTH_NS`, or null when the file system reports no inode. It identifies the
   * file when `fingerprintBytes` is 0. The birth time distinguishes the file from a later one
   * that reuses its inode.
   */
  readonly fileId: string | null;
}

/** Receives the bytes of one file; `startFile` is true for its first chunk of this read. */
export type FollowSink = (
  file: string,
  modifiedMs: number,
  chunk: Buffer,
  startFile: boolean,
) => void;

/** The result of one `followLog` call. */
export interface FollowResult {
  /** The position to save once the bytes have been processed. */
  readonly position: FollowPosition | null;
  /** Files read, oldest first. */
  readonly files: readonly string[];
  readonly bytes: number;
  /**
   * `rotated` when the old file was found among the rotated copies, `truncated` when the
   * file was read again from 0, and `not-a-file` when the path is a directory or a device,
   * so nothing was read.
   */
  readonly event:
    "none" | "appended" | "rotated" | "truncated" | "lost" | "missing" | "not-a-file" | "started";
}

/**
 * Reads what was added to `path` since `position` and hands it to `sink`. Without a position it
 * starts at the end of the file, or at its start with `fromStart`. When the file at `path` is no
 * longer the one the position belongs to, the rest of the old file is read from its rotated
 * copy (plain or gzip), then any newer copies, then the new file. When the old file cannot be
 * found the event is `lost` and the new file is read from its start. That includes a file that
 * was empty and whose id is unknown, because nothing then shows whether it was rotated. A final
 * line without its newline is left for the next call.
 */
export async function followLog(
  path: string,
  position: FollowPosition | null,
  sink: FollowSink,
  options: { readonly fromStart?: boolean } = {},
): Promise<FollowResult> {
  const info = await stat(path).catch(() => null);
  if (info === null) return { position, files: [], bytes: 0, event: "missing" };
  if (!info.isFile()) return { position, files: [], bytes: 0, event: "not-a-file" };
  if (position === null && options.fromStart !== true) {
    const end = await lastLineEnd(path, info.size);
    return { position: await positionAt(path, end), files: [], bytes: 0, event: "started" };
  }
  if (position === null) return readFrom(path, info.mtimeMs, 0, sink, [], 0, "started");

  const same = await isSameFile(path, position);
  if (same && info.size >= position.offset) {
    return readFrom(path, info.mtimeMs, position.offset, sink, [], 0, "appended");
  }
  if (same) return readFrom(path, info.mtimeMs, 0, sink, [], 0, "truncated");

  const copies = await rotatedCopies(path);
  const index = await findCopy(copies, position);
  if (index < 0) return readFrom(path, info.mtimeMs, 0, sink, [], 0, "lost");
  const files: string[] = [];
  let bytes = 0;
  for (const [order, copy] of copies.slice(index).entries()) {
    const from = order === 0 ? position.offset : 0;
    bytes += await readWhole(copy.path, copy.modifiedMs, from, sink);
    files.push(copy.path);
  }
  return readFrom(path, info.mtimeMs, 0, sink, files, bytes, "rotated");
}

async function readFrom(
  path: string,
  modifiedMs: number,
  offset: number,
  sink: FollowSink,
  files: string[],
  bytesBefore: number,
  event: FollowResult["event"],
): Promise<FollowResult> {
  const info = await stat(path);
  const end = await lastLineEnd(path, info.size);
  let bytes = 0;
  if (end > offset) {
    let first = true;
    for await (const chunk of createReadStream(path, { start: offset, end: end - 1 })) {
      sink(path, modifiedMs, chunk as Buffer, first);
      first = false;
      bytes += (chunk as Buffer).length;
    }
    files.push(path);
  }
  const at = Math.max(end, offset);
  return { position: await positionAt(path, at), files, bytes: bytesBefore + bytes, event };
}

async function positionAt(path: string, offset: number): Promise<FollowPosition> {
  const info = await stat(path, { bigint: true });
  const fingerprintBytes = Math.min(Number(info.size), FINGERPRINT_BYTES);
  return {
    fingerprint: await fingerprint(path, fingerprintBytes),
    fingerprintBytes,
    offset,
    fileId: fileIdOf(info),
  };
}

/**
 * True when the file at `path` is the one `position` was read from. A fingerprint of no bytes
 * matches every file, so then the file ids decide, and an unknown id counts as another file.
 */
async function isSameFile(path: string, position: FollowPosition): Promise<boolean> {
  if (position.fingerprintBytes > 0) {
    return (await fingerprint(path, position.fingerprintBytes)) === position.fingerprint;
  }
  if (position.fileId === null) return false;
  return fileIdOf(await stat(path, { bigint: true })) === position.fileId;
}

/**
 * Returns `DEVICE:INODE:BIRTH_NS` of a file, or null when the file system reports no inode (0).
 */
// NOTE: where stat reports no birth time (0), a new file that reuses the inode of an empty log's
// rotated and deleted copy counts as that file, so the lines of the copies are skipped.
function fileIdOf(info: BigIntStats): string | null {
  if (info.ino === 0n) return null;
  return `${info.dev}:${info.ino}:${info.birthtimeNs}`;
}

/** Returns the offset just past the last `\n` before `size`, or 0 when there is none. */
async function lastLineEnd(path: string, size: number): Promise<number> {
  const window = 64 * 1024;
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - window);
    const chunk = await readRange(path, start, end);
    const newline = chunk.lastIndexOf(10);
    if (newline >= 0) return start + newline + 1;
    end = start;
  }
  return 0;
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start, end: end - 1 })) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface Copy {
  readonly path: string;
  readonly modifiedMs: number;
  readonly gzip: boolean;
  readonly fileId: string | null;
}

/** Lists the rotated copies of `path` in its directory, oldest first. */
async function rotatedCopies(path: string): Promise<Copy[]> {
  const directory = dirname(path);
  const live = parseRotationName(path);
  const names = await readdir(directory).catch(() => [] as string[]);
  const copies: { copy: Copy; rank: ReturnType<typeof parseRotationName>["rank"] }[] = [];
  for (const name of names) {
    const candidate = join(directory, name);
    const parsed = parseRotationName(candidate);
    if (parsed.setKey !== live.setKey || parsed.rank.kind === "live" || name === basename(path)) {
      continue;
    }
    const info = await stat(candidate, { bigint: true }).catch(() => null);
    if (info === null || !info.isFile()) continue;
    const copy = {
      path: candidate,
      modifiedMs: Number(info.mtimeNs) / 1e6,
      gzip: name.endsWith(".gz"),
      fileId: fileIdOf(info),
    };
    copies.push({ copy, rank: parsed.rank });
  }
  return copies.sort((a, b) => compareRotationAge(a.rank, b.rank)).map((entry) => entry.copy);
}

/**
 * Returns the index of the copy that `position` was read from, searching newest first, or -1.
 * A position of an empty file matches the copy with its file id (a renamed file, never a
 * compressed one) and matches nothing when the id is unknown. Other positions match by
 * fingerprint. A copy that cannot be read, such as a damaged gzip file, does not match, so it
 * cannot stop the search.
 */
async function findCopy(copies: readonly Copy[], position: FollowPosition): Promise<number> {
  for (let index = copies.length - 1; index >= 0; index--) {
    const copy = copies[index];
    if (copy === undefined) continue;
    if (position.fingerprintBytes === 0) {
      if (position.fileId !== null && copy.fileId === position.fileId) return index;
      continue;
    }
    const print = await fingerprintOf(copy, position.fingerprintBytes).catch(() => null);
    if (print === position.fingerprint) return index;
  }
  return -1;
}

async function fingerprint(path: string, bytes: number): Promise<string> {
  return fingerprintOf({ path, modifiedMs: 0, gzip: false, fileId: null }, bytes);
}

/** Hashes the first `bytes` bytes of a copy, decompressed for gzip. */
async function fingerprintOf(copy: Copy, bytes: number): Promise<string> {
  const hash = createHash("sha256");
  let taken = 0;
  if (bytes > 0) {
    const source = open(copy);
    try {
      for await (const chunk of source.stream) {
        const part = (chunk as Buffer).subarray(0, bytes - taken);
        hash.update(part);
        taken += part.length;
        if (taken >= bytes) break;
      }
    } finally {
      source.close();
    }
  }
  return `${taken}:${hash.digest("hex")}`;
}

/** Reads a whole copy from `offset` (of the decompressed bytes) and returns the bytes read. */
async function readWhole(
  path: string,
  modifiedMs: number,
  offset: number,
  sink: FollowSink,
): Promise<number> {
  const copy = { path, modifiedMs, gzip: path.endsWith(".gz"), fileId: null };
  let skipped = 0;
  let bytes = 0;
  let first = true;
  try {
    for await (const chunk of open(copy).stream) {
      let buffer = chunk as Buffer;
      if (skipped < offset) {
        const skip = Math.min(offset - skipped, buffer.length);
        skipped += skip;
        buffer = buffer.subarray(skip);
      }
      if (buffer.length === 0) continue;
      sink(path, modifiedMs, buffer, first);
      first = false;
      bytes += buffer.length;
    }
  } catch (error) {
    throw new Error(`cannot read the rotated log ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return bytes;
}

/** Opens a copy for reading, through gunzip when compressed; `close` releases both streams. */
function open(copy: Copy): { stream: NodeJS.ReadableStream; close: () => void } {
  const raw = createReadStream(copy.path);
  if (!copy.gzip) return { stream: raw, close: () => raw.destroy() };
  const gunzip = createGunzip();
  // pipe() does not pass on errors of its source: without this, an unreadable archive would
  // raise an unhandled error event and end the process.
  raw.on("error", (error) => gunzip.destroy(error));
  raw.pipe(gunzip);
  return {
    stream: gunzip,
    close: () => {
      gunzip.destroy();
      raw.destroy();
    },
  };
}
