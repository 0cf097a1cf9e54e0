/**
 * The inputs of `delist bounces`: .eml files, mbox files, maildirs, directories and standard
 * input, expanded into sources and read one message at a time with a size cap.
 */
import type { Stats } from "node:fs";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileError } from "../input/file-error.js";
import { isGzipMagic } from "../input/compression.js";
import { gunzip, gunzipWhenGzip } from "./gunzip.js";
import { MAX_MESSAGE_BYTES, OVERSIZED_HEAD_BYTES } from "./limits.js";
import { splitMbox } from "./mbox.js";

export { MAX_MESSAGE_BYTES } from "./limits.js";

/** One input to read: a file (an .eml, or an mbox of many messages) or standard input. */
export type BounceSource =
  | {
      readonly type: "file";
      readonly name: string;
      readonly path: string;
      readonly sizeBytes: number;
    }
  | { readonly type: "stdin"; readonly name: "-" }
  | { readonly type: "failed"; readonly name: string; readonly error: string };

/** One message read from a source, or the reason it could not be read. */
export type SourceMessage =
  | {
      readonly name: string;
      readonly raw: Uint8Array;
      /** The full size of a message over the limit, of which `raw` is only the head. */
      readonly truncatedFrom?: number;
    }
  | { readonly name: string; readonly error: string };

/** The sources found under one input given on the command line. */
export interface ExpandedInput {
  /** The input as given. A source with this name is the input itself, not a file in it. */
  readonly name: string;
  readonly sources: BounceSource[];
}

/**
 * Expands inputs into sources, grouped by input. `-` is standard input. A maildir (a directory
 * with `cur` or `new`) gives the messages in `cur/` and `new/`. Another directory gives its
 * files and subdirectories, recursively, without hidden names. A file is read as it is.
 */
export async function expandSources(
  inputs: readonly string[],
  cwd: string,
): Promise<ExpandedInput[]> {
  const expanded: ExpandedInput[] = [];
  const visited = new Set<string>();
  for (const input of inputs) {
    const sources: BounceSource[] = [];
    if (input === "-") sources.push({ type: "stdin", name: "-" });
    else await expandPath(input, resolve(cwd, input), sources, visited, true);
    expanded.push({ name: input, sources });
  }
  return expanded;
}

// Appends the sources under `path` to `sources`. Appending, rather than spreading each
// folder's list into its parent's, keeps a folder of a few hundred thousand files from
// overflowing the call stack. `visited` contains the folders already read (device and inode),
// so a symbolic link back to a parent folder is read once instead of without end. Only a
// folder the user named (`given`) is an error when it contains no message: an empty `cur/` of a
// maildir, or an empty subfolder, is normal.
async function expandPath(
  name: string,
  path: string,
  sources: BounceSource[],
  visited: Set<string>,
  given: boolean,
): Promise<void> {
  let stats: Stats;
  try {
    // Synchronous: an asynchronous stat waits for the thread pool, and a folder of bounces
    // has thousands of small files.
    stats = statSync(path);
  } catch (error) {
    sources.push({ type: "failed", name, error: fileError(name, error).message });
    return;
  }
  if (stats.isFile()) {
    sources.push({ type: "file", name, path, sizeBytes: stats.size });
    return;
  }
  if (!stats.isDirectory()) {
    sources.push({ type: "failed", name, error: `cannot read "${name}": not a file or directory` });
    return;
  }
  const folder = `${stats.dev}:${stats.ino}`;
  if (visited.has(folder)) return;
  visited.add(folder);

  let entries: string[];
  try {
    entries = await listDirectory(path);
  } catch (error) {
    sources.push({ type: "failed", name, error: fileError(name, error).message });
    return;
  }
  const maildir = entries.includes("cur") || entries.includes("new");
  const children = maildir ? ["cur", "new"].filter((entry) => entries.includes(entry)) : entries;
  const before = sources.length;
  for (const entry of children) {
    await expandPath(join(name, entry), join(path, entry), sources, visited, false);
  }
  if (given && sources.length === before && !maildir) {
    sources.push({ type: "failed", name, error: `no messages in directory "${name}"` });
  }
}

async function listDirectory(path: string): Promise<string[]> {
  const entries = await readdir(path);
  return entries.filter((entry) => !entry.startsWith(".") && entry !== "tmp").sort();
}

/**
 * Yields the messages of one source: one for an .eml file, each message of an mbox file
 * (split on its `From ` lines), gunzipped first when the source is gzip. A file or message
 * larger than `MAX_MESSAGE_BYTES` gives an error in its place and the rest is still read.
 */
export async function* readSource(
  source: Exclude<BounceSource, { type: "failed" }>,
  stdin: NodeJS.ReadableStream,
  maxBytes: number = MAX_MESSAGE_BYTES,
): AsyncGenerator<SourceMessage> {
  if (
    source.type === "file" &&
    source.sizeBytes > maxBytes &&
    !(await startsAsMboxOrGzip(source.path))
  ) {
    const raw = await readHead(source.path, Math.min(OVERSIZED_HEAD_BYTES, maxBytes));
    yield { name: source.name, raw, truncatedFrom: source.sizeBytes };
    return;
  }
  yield* splitMbox(await chunksOf(source, stdin), source.name, maxBytes);
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

// A file over the limit is read only in part unless it is an mbox, whose messages are each
// checked on their own, or gzip, whose messages are checked after gunzipping.
async function startsAsMboxOrGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    return isGzipMagic(head) || head.subarray(0, bytesRead).toString("latin1") === "From ";
  } finally {
    await handle.close();
  }
}

// Files up to this size are read in one synchronous call. For the typical bounce of a few
// kilobytes that is several times faster than a stream or an asynchronous read, which waits
// on the thread pool four times (open, stat, read, close). Larger files (mbox) are streamed.
const WHOLE_FILE_BYTES = 1024 * 1024;

async function chunksOf(
  source: Exclude<BounceSource, { type: "failed" }>,
  stdin: NodeJS.ReadableStream,
): Promise<AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>> {
  if (source.type === "stdin") return gunzipWhenGzip(stdin as AsyncIterable<Uint8Array | string>);
  if (source.sizeBytes <= WHOLE_FILE_BYTES) {
    const bytes = readFileSync(source.path);
    return isGzipMagic(bytes) ? gunzip([bytes]) : [bytes];
  }
  return gunzipWhenGzip(createReadStream(source.path, { highWaterMark: 64 * 1024 }));
}
