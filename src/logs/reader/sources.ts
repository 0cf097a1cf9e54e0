/**
 * Expands the inputs of a run (files, directories, glob patterns and `-` for stdin) into the
 * ordered list of sources to read, with a per-input error in place of each input that yields
 * nothing readable.
 */
import type { Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";
import { deviceError, fileError, noMatchError, type InputError } from "./errors.js";
import { skippedDirectoryNote, skippedEntriesNote } from "./notes.js";
import { orderMailLogsFirst } from "./mail-copies.js";
import { orderRotatedSets } from "./rotation.js";
import { STDIN_NAME } from "./input-names.js";

export { STDIN_NAME };

/** A file to read. */
export interface FileSource {
  readonly type: "file";
  /** The path as the user gave it, or as a directory or glob expansion spelled it. */
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  /** Size in bytes of a regular file; null for a FIFO or device (such as `<(zcat …)`). */
  readonly sizeBytes: number | null;
  /** Modification time, which anchors the year of classic syslog stamps. */
  readonly modifiedMs: number;
  /** True for the second and later file of a rotated set, which continue the file before. */
  readonly continuesPrevious: boolean;
}

/** Standard input, given as `-`. */
export interface StdinSource {
  readonly type: "stdin";
  readonly name: typeof STDIN_NAME;
}

/** An input that yields nothing to read: missing, unreadable, or a pattern without matches. */
export interface FailedInput {
  readonly type: "failed";
  readonly name: string;
  readonly error: InputError;
}

export type PlannedInput = FileSource | StdinSource | FailedInput;

interface FoundFile {
  readonly type: "file";
  readonly name: string;
  readonly path: string;
  readonly stats: Stats;
}

type Candidate = FoundFile | StdinSource | FailedInput;

/** The sources of a run, with notes on what the expansion of directories left out. */
export interface InputPlan {
  readonly inputs: PlannedInput[];
  /** One note per directory whose subdirectories were not read (see `skippedDirectoryNote`). */
  readonly notes: string[];
}

/**
 * Expands `inputs` (relative paths against `cwd`) in order: `-` is stdin; a directory gives
 * the regular files directly inside it (see `isSkippedInDirectory`); a path that does not
 * exist but contains glob syntax is matched with tinyglobby. The same file reached twice (by
 * two spellings, a link, or a glob and a name) is read once, at its first place. Rotated sets
 * are then read oldest first (see `orderRotatedSets`), and mail logs before general logs such
 * as syslog, which copy their lines (see `orderMailLogsFirst`).
 */
export async function planInputs(inputs: readonly string[], cwd: string): Promise<PlannedInput[]> {
  return (await planInputsWithNotes(inputs, cwd)).inputs;
}

/** Expands `inputs` as `planInputs` does, and notes the subdirectories that were skipped. */
export async function planInputsWithNotes(
  inputs: readonly string[],
  cwd: string,
): Promise<InputPlan> {
  const candidates: Candidate[] = [];
  const notes: string[] = [];
  for (const input of inputs) {
    const expansion = await expandInput(input, cwd);
    candidates.push(...expansion.candidates);
    notes.push(...expansion.notes);
  }
  const unique = dropDuplicates(candidates);

  const pathOf = (candidate: Candidate): string | null =>
    candidate.type === "file" ? candidate.path : null;
  const ordered = orderRotatedSets(orderMailLogsFirst(unique, pathOf), pathOf);
  const planned = ordered.map(({ item, continuesPrevious }): PlannedInput => {
    if (item.type !== "file") return item;
    return {
      type: "file",
      name: item.name,
      path: item.path,
      sizeBytes: item.stats.isFile() ? item.stats.size : null,
      modifiedMs: item.stats.mtimeMs,
      continuesPrevious,
    };
  });
  return { inputs: planned, notes };
}

// The candidates of one input, and the notes on the subdirectories and other entries that are
// not regular files, which a directory or glob skipped.
interface Expansion {
  readonly candidates: Candidate[];
  readonly notes: string[];
}

async function expandInput(input: string, cwd: string): Promise<Expansion> {
  const only = (candidate: Candidate): Expansion => ({ candidates: [candidate], notes: [] });
  if (input === STDIN_NAME) return only({ type: "stdin", name: STDIN_NAME });
  const path = resolve(cwd, input);
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    if (isNotFound(error) && isDynamicPattern(input)) {
      return expandGlob(input, cwd);
    }
    return only({ type: "failed", name: input, error: fileError(input, error) });
  }
  if (stats.isDirectory()) return expandDirectory(input, path);
  const device = deviceKind(stats);
  if (device !== null)
    return only({ type: "failed", name: input, error: deviceError(input, device) });
  return only({ type: "file", name: input, path, stats });
}

/**
 * Names in a directory that are not logs: hidden files, editor backups and swap files, and
 * the pid, lock, offset and position files that daemons and log shippers keep beside logs.
 * Everything else is read, and what is not a log shows up as unrecognised lines.
 */
export function isSkippedInDirectory(fileName: string): boolean {
  return NOT_A_LOG.test(fileName);
}

const NOT_A_LOG = /^\.|~$|\.(?:swp|swo|pid|lock|offset|pos)$/;

// The regular files directly inside a directory. Subdirectories are not read, and a note names
// them unless the directory has no file at all, which its no-match error explains.
async function expandDirectory(name: string, path: string): Promise<Expansion> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (error) {
    return { candidates: [{ type: "failed", name, error: fileError(name, error) }], notes: [] };
  }
  const files: FoundFile[] = [];
  const subdirectories: string[] = [];
  const skipped: SkippedEntry[] = [];
  for (const entry of entries.filter((entry) => !isSkippedInDirectory(entry)).sort()) {
    const found = await directoryEntry(join(name, entry), join(path, entry));
    if (found === "directory") subdirectories.push(join(name, entry));
    else if (found.type === "skipped") skipped.push(found);
    else files.push(found);
  }
  const notes = skipped.length === 0 ? [] : [skippedEntriesNote(name, skipped)];
  if (files.length === 0) {
    return { candidates: [{ type: "failed", name, error: noMatchError(name, true) }], notes };
  }
  if (subdirectories.length > 0) notes.unshift(skippedDirectoryNote(name, subdirectories));
  return { candidates: files, notes };
}

// NOTE: tinyglobby with `onlyFiles` lists no FIFO, socket or dangling link at all, so a glob
// skips those without a note. Only links to devices reach the note on skipped entries.
async function expandGlob(pattern: string, cwd: string): Promise<Expansion> {
  let matches: string[];
  try {
    matches = await glob(pattern, {
      cwd,
      absolute: isAbsolute(pattern),
      dot: false,
      expandDirectories: false,
      onlyFiles: true,
    });
  } catch (error) {
    return {
      candidates: [{ type: "failed", name: pattern, error: fileError(pattern, error) }],
      notes: [],
    };
  }
  const files: FoundFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const match of matches.sort()) {
    const found = await directoryEntry(match, resolve(cwd, match));
    if (found === "directory") continue;
    if (found.type === "skipped") skipped.push(found);
    else files.push(found);
  }
  const notes = skipped.length === 0 ? [] : [skippedEntriesNote(pattern, skipped)];
  if (files.length === 0) {
    const error = noMatchError(pattern, false);
    return { candidates: [{ type: "failed", name: pattern, error }], notes };
  }
  return { candidates: files, notes };
}

// A directory entry or glob match that is not read, and why.
interface SkippedEntry {
  readonly type: "skipped";
  readonly name: string;
  readonly reason: string;
}

// A directory entry or glob match as a regular file (after following links), "directory" for
// a subdirectory, or the reason why it is skipped. An entry removed since the listing is
// skipped as not found.
async function directoryEntry(
  name: string,
  path: string,
): Promise<FoundFile | "directory" | SkippedEntry> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    return { type: "skipped", name, reason: statFailureReason(error) };
  }
  if (stats.isDirectory()) return "directory";
  if (stats.isFile()) return { type: "file", name, path, stats };
  return { type: "skipped", name, reason: specialFileReason(stats) };
}

function specialFileReason(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO, read only when given by name";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function statFailureReason(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : null;
  if (code === "ENOENT") return "a symbolic link to a missing file, or removed while listed";
  if (code === "ELOOP") return "a loop of symbolic links";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

function deviceKind(stats: Stats): "character" | "block" | null {
  if (stats.isCharacterDevice()) return "character";
  return stats.isBlockDevice() ? "block" : null;
}

function dropDuplicates(candidates: readonly Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    if (candidate.type === "failed") return true;
    const key =
      candidate.type === "stdin" ? STDIN_NAME : `${candidate.stats.dev}:${candidate.stats.ino}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}
