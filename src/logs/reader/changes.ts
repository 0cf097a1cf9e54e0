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
 * (fstat) and with the file that `path` names now (stat). Returns null when neither changed,
 * and for FIFOs and devices, which have no size to compare.
 */
export async function detectChange(
  name: string,
  path: string,
  handle: FileHandle,
  bytesRead: number,
): Promise<InputChange | null> {
  const opened = await handle.stat();
  if (!opened.isFile()) return null;
  // NOTE: a file truncated and then written past the read position before the next read is
  // not detected: the reader goes on with the new lines, and the size is no smaller.
  if (opened.size < bytesRead) return truncatedChange(name, bytesRead);

  const current = await statOrError(path);
  if (current === "not-found") return removedChange(name);
  if (current === null) return null;
  if (current.dev !== opened.dev || current.ino !== opened.ino) return replacedChange(name);
  return null;
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
