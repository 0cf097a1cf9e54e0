/**
 * Files that log rotation changed while they were read. logrotate's `copytruncate` copies
 * `mail.log` to `mail.log.1` and truncates `mail.log` in place; its default mode renames
 * `mail.log` to `mail.log.1` and creates a new `mail.log`. A run that reads the live file at
 * that moment misses lines without any read error, so the reader compares the file after
 * reading with what it read.
 */
import type { Stats } from "node:fs";
import { stat, type FileHandle } from "node:fs/promises";
import { parseRotationName } from "./rotation.js";

/** The kind of change to a file while it was read. */
export type InputChangeCode =
  /** The open file is now shorter than the bytes read from it (`copytruncate`). */
  | "truncated"
  /** The path now names another file (rotation by renaming, then a new file). */
  | "replaced"
  /** The path no longer exists (renamed or deleted, and no new file yet). */
  | "removed";

/** A change to one input during the read: the code, and a sentence with the input and the fix. */
export interface InputChange {
  readonly code: InputChangeCode;
  readonly message: string;
}

/**
 * Compares the file open on `handle` after reading `bytesRead` bytes of it with its size now
 * (fstat), with the bytes that `fingerprint` kept as they were read, and with the file that
 * `path` names now (stat). Returns null when none of them changed, and for FIFOs and devices,
 * which have no size to compare.
 */
export async function detectChange(
  name: string,
  path: string,
  handle: FileHandle,
  bytesRead: number,
  fingerprint: ReadFingerprint,
): Promise<InputChange | null> {
  const opened = await handle.stat();
  if (!opened.isFile()) return null;
  if (opened.size < bytesRead) return truncatedChange(name, bytesRead);
  // A file truncated and then written past the read position is no smaller than the bytes
  // read, but the bytes at positions already read are new.
  if (!(await fingerprint.matches(handle))) return rewrittenChange(name);

  const current = await statOrError(path);
  if (current === "not-found") return removedChange(name);
  if (current === null) return null;
  if (current.dev !== opened.dev || current.ino !== opened.ino) return replacedChange(name);
  return null;
}

/** Bytes kept from the start of a file and from just before the read position. */
export const FINGERPRINT_BYTES = 4 * 1024;

/**
 * The first bytes read from a file and the bytes just before the position reached, up to
 * `FINGERPRINT_BYTES` each, copied as the chunks pass. `matches` reads both ranges again, so
 * the check costs at most 8 KiB of reads and no second pass over the file.
 * NOTE: a truncation to a length past the first 4 KiB is missed when the reader goes on to
 * read bytes written after it, because then both kept ranges match the file. logrotate's
 * `copytruncate` truncates to zero size (logrotate(8)), which the first range catches.
 */
export class ReadFingerprint {
  private head = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  private position = 0;

  /** Yields `chunks` unchanged and keeps the bytes that `matches` compares. */
  async *pass(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer, void, undefined> {
    for await (const chunk of chunks) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
      this.add(bytes);
      yield bytes;
    }
  }

  /** Adds the next chunk read from the file. */
  add(chunk: Buffer): void {
    this.position += chunk.length;
    if (this.head.length < FINGERPRINT_BYTES) {
      const missing = FINGERPRINT_BYTES - this.head.length;
      this.head = Buffer.concat([this.head, chunk.subarray(0, missing)]);
    }
    // Copies, so that the kept bytes do not depend on what later code does with the chunk.
    if (chunk.length >= FINGERPRINT_BYTES) {
      this.tail = Buffer.from(chunk.subarray(chunk.length - FINGERPRINT_BYTES));
    } else {
      const joined = Buffer.concat([this.tail, chunk]);
      this.tail = joined.subarray(Math.max(0, joined.length - FINGERPRINT_BYTES));
    }
  }

  /**
   * Reads the kept ranges from `handle` again (positional reads, so the file position does
   * not move) and returns whether they still contain the same bytes. Returns true when a read
   * fails, because a read error is reported by the read itself and is no sign of rotation.
   */
  async matches(handle: FileHandle): Promise<boolean> {
    try {
      const tailStart = this.position - this.tail.length;
      return (
        (await sameBytes(handle, this.head, 0)) && (await sameBytes(handle, this.tail, tailStart))
      );
    } catch {
      return true;
    }
  }
}

// Whether the file contains `expected` at `position`.
async function sameBytes(handle: FileHandle, expected: Buffer, position: number): Promise<boolean> {
  if (expected.length === 0) return true;
  const buffer = Buffer.alloc(expected.length);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  return bytesRead === expected.length && buffer.equals(expected);
}

// The stats of `path`, "not-found" when it does not exist, or null when stat fails otherwise
// (a permission change, say), which is no sign of rotation.
async function statOrError(path: string): Promise<Stats | "not-found" | null> {
  try {
    return await stat(path);
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : "";
    return code === "ENOENT" ? "not-found" : null;
  }
}

function truncatedChange(name: string, bytesRead: number): InputChange {
  return {
    code: "truncated",
    message:
      `${name} was truncated while it was read (logrotate copytruncate?), so lines after ` +
      `byte ${bytesRead.toLocaleString("en-US")} may be missing. Run delist again on ${rerunInputs(name)}.`,
  };
}

function rewrittenChange(name: string): InputChange {
  return {
    code: "truncated",
    message:
      `${name} was truncated and written again while it was read (logrotate copytruncate?), ` +
      `so lines may be missing and lines written after the truncation may be mixed in. ` +
      `Run delist again on ${rerunInputs(name)}.`,
  };
}

function replacedChange(name: string): InputChange {
  return {
    code: "replaced",
    message:
      `${name} was replaced by a new file while it was read (log rotation?), so the lines ` +
      `written to the new ${name} were not read. Run delist again on ${rerunInputs(name)}.`,
  };
}

function removedChange(name: string): InputChange {
  return {
    code: "removed",
    message:
      `${name} was renamed or deleted while it was read (log rotation?), so lines written ` +
      `after that may be missing. If it was rotated, run delist again on ${rerunInputs(name)}.`,
  };
}

// The files that hold every line after a rotation: the rotated copy and the new file.
function rerunInputs(name: string): string {
  const copy = rotatedCopyName(name);
  return `${copy ?? "its rotated copy"} and ${name}`;
}

const NUMBER_SUFFIX = /\.(\d{1,4})((?:\.(?:gz|xz|zst|bz2|Z))?)$/;

/**
 * Returns the name that rotation by number gives the file next: `mail.log` → `mail.log.1`,
 * `mail.log.1` → `mail.log.2`. Null for dated names (`maillog-20240301`), whose next name
 * depends on the date of the rotation.
 */
export function rotatedCopyName(name: string): string | null {
  const { rank } = parseRotationName(name);
  if (rank.kind === "live") return `${name}.1`;
  if (rank.kind === "dated") return null;
  return name.replace(
    NUMBER_SUFFIX,
    (_match, index: string, suffix: string) => `.${Number(index) + 1}${suffix}`,
  );
}
