/**
 * Last lines cut short. A copy of a live log taken while the MTA writes it, or a damaged gzip
 * copy, can end inside a line. Read with the full log, that cut line differs from the full one,
 * so the check for copies keeps both and the line's recipient is counted twice. A cut last line
 * whose bytes start a line of another file is that line, and the reader leaves it out as a copy.
 *
 * NOTE: the bytes are compared as they are, so a cut line of a syslog file is not found in a
 * journal export or another format of the same log, and is still counted.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { inputNameInText } from "./input-names.js";
import { detectCompression } from "./read.js";
import type { FileSource } from "./sources.js";

const READ_BYTES = 1024 * 1024;

// Enough of the start of a file for `detectCompression` to tell gzip from other formats.
const MAGIC_BYTES = 6;

const LF = 0x0a;

/**
 * Returns the name of the first of `files` that has a line starting with the bytes `cutLine`,
 * or null. Gzip files are decompressed, and a file that cannot be read, or gzip data that
 * ends in damage, is searched as far as it can be read.
 */
export async function fileWithLineStarting(
  files: readonly FileSource[],
  cutLine: Buffer,
): Promise<string | null> {
  if (cutLine.length === 0) return null;
  for (const file of files) {
    if (await hasLineStarting(file, cutLine)) return file.name;
  }
  return null;
}

// Whether `file` has a line whose bytes start with `cutLine`.
async function hasLineStarting(file: FileSource, cutLine: Buffer): Promise<boolean> {
  const gzip = await isGzip(file.path);
  if (gzip === null) return false;
  // A line end before `cutLine` marks a line start. The file's start is one too, so the search
  // begins as if a line end came before the first byte.
  const needle = Buffer.concat([Buffer.from([LF]), cutLine]);
  let carry = Buffer.from([LF]);
  let found = false;
  const search = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      const text = Buffer.concat([carry, chunk]);
      if (text.indexOf(needle) >= 0) {
        found = true;
        return;
      }
      carry = text.subarray(Math.max(0, text.length - needle.length + 1));
    }
  };
  try {
    const stream = createReadStream(file.path, { highWaterMark: READ_BYTES });
    if (gzip) await pipeline(stream, createGunzip({ chunkSize: READ_BYTES }), search);
    else await pipeline(stream, search);
  } catch {
    // Damaged gzip data or a read error ends the search with what was read.
  }
  return found;
}

// Whether the file at `path` starts as gzip data, or null when it cannot be read.
async function isGzip(path: string): Promise<boolean | null> {
  try {
    const handle = await open(path, "r");
    try {
      const head = Buffer.alloc(MAGIC_BYTES);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      return detectCompression(head.subarray(0, bytesRead)) === "gzip";
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/**
 * Returns the note for an input whose last line, line `line`, had no line end and starts a line
 * of the input `fullCopy`, so that it was left out as a copy.
 */
export function cutLineCopyNote(name: string, line: number, fullCopy: string): string {
  return (
    `${inputNameInText(name)} ended without a line end after line ${line.toLocaleString("en-US")}, ` +
    `a record cut short. ${inputNameInText(fullCopy)} has the whole line, so it was left out ` +
    `as a copy.`
  );
}
