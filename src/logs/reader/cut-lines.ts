/**
 * Last lines cut short. A copy of a live log taken while the MTA writes it, or a damaged gzip
 * copy, can end inside a line. Read with the full log, that cut line differs from the full one,
 * so the check for copies keeps both and the line's recipient is counted twice. A cut last line
 * whose bytes start a line of another file is that line, and the reader leaves it out as a copy.
 *
 * NOTE: the bytes are compared as they are, so a cut line of a syslog file is not found in a
 * journal export or another format of the same log, and is still counted.
 *
 * The search is bounded by the cut line's time. A file read before is searched only when its
 * records span that time, and the search of a file stops at the first chunk that starts more
 * than `SEARCH_SLACK_MS` after it (see `HALF_YEAR_MS` for a year read differently).
 * NOTE: a file whose lines run back in time, such as rotated files joined newest first, can
 * end the search before the whole line, which is then counted twice.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { TimeZone } from "../../time/zone.js";
import { LineFramer } from "../framing/framer.js";
import { inputNameInText } from "./input-names.js";
import { detectCompression } from "./read.js";
import type { FileSource } from "./sources.js";

const READ_BYTES = 1024 * 1024;

// How far past the cut line's time a chunk may start and still be searched. An hour covers a
// daylight saving clock step and lines written out of order.
const SEARCH_SLACK_MS = 60 * 60_000;

// A chunk that starts this far or more past the cut line's time is searched all the same,
// because the framer that dates it takes the year from the file's own mtime when no `--year`
// is given. That year can be later than the one the read gave the cut line. The same holds
// for a file read before, whose year came from its own file set.
const HALF_YEAR_MS = 182 * 24 * 60 * 60_000;

// Enough of the start of a file for `detectCompression` to tell gzip from other formats.
const MAGIC_BYTES = 6;

const LF = 0x0a;

/** The last line of an input, cut short, and the time of its record. */
export interface CutLine {
  readonly bytes: Buffer;
  /** The time of the record framed from `bytes`, in ms, as the read dated it. */
  readonly time: number;
  /** The zone of timestamps without an offset, and the `--year` option, as the read uses them. */
  readonly timeZone: TimeZone;
  readonly year: number | undefined;
}

/** Times of the first and last record of an input, in ms, as the read dated them. */
export interface RecordSpan {
  readonly first: number;
  readonly last: number;
}

/**
 * Returns the name of the first of `files` that has a line starting with the bytes of
 * `cutLine`, or null. `spans` has the record span of each file read so far, by name. Such a
 * file is skipped when the cut line's time lies outside its span (see `isNearOutside`). Gzip
 * files are decompressed, and a file that cannot be read, or gzip data that ends in damage, is
 * searched as far as it can be read.
 */
export async function fileWithLineStarting(
  files: readonly FileSource[],
  cutLine: CutLine,
  spans: ReadonlyMap<string, RecordSpan> = new Map(),
): Promise<string | null> {
  if (cutLine.bytes.length === 0) return null;
  for (const file of files) {
    const span = spans.get(file.name);
    if (span !== undefined && isNearOutside(span, cutLine.time)) continue;
    if (await hasLineStarting(file, cutLine)) return file.name;
  }
  return null;
}

// Whether `time` lies more than `SEARCH_SLACK_MS` and less than `HALF_YEAR_MS` outside `span`.
// A time further out can come from a year that the two inputs' mtimes gave differently.
function isNearOutside(span: RecordSpan, time: number): boolean {
  const before = span.first - time;
  const after = time - span.last;
  const isNear = (distance: number) => distance > SEARCH_SLACK_MS && distance < HALF_YEAR_MS;
  return isNear(before) || isNear(after);
}

// Whether `file` has a line whose bytes start with `cutLine.bytes`. The search ends at the
// first chunk whose first whole line the framer dates past the cut line's time (see
// `SEARCH_SLACK_MS` and `HALF_YEAR_MS`).
async function hasLineStarting(file: FileSource, cutLine: CutLine): Promise<boolean> {
  const gzip = await isGzip(file.path);
  if (gzip === null) return false;
  // A line end before `cutLine` marks a line start. The file's start is one too, so the search
  // begins as if a line end came before the first byte.
  const needle = Buffer.concat([Buffer.from([LF]), cutLine.bytes]);
  const clock = new ChunkClock(file, cutLine);
  let carry = Buffer.from([LF]);
  let found = false;
  const search = async (chunks: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of chunks) {
      const text = Buffer.concat([carry, chunk]);
      if (text.indexOf(needle) >= 0) {
        found = true;
        return;
      }
      const time = clock.firstLineTime(chunk);
      if (time > cutLine.time + SEARCH_SLACK_MS && time < cutLine.time + HALF_YEAR_MS) return;
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

/**
 * Dater of the chunks of one file: the time of the first whole line of each chunk, framed with
 * the year that the `--year` option or else the file's mtime gives it. The framer frames one line
 * per chunk, which keeps the year's rollover as long as a chunk covers less than half a year.
 */
class ChunkClock {
  private readonly framer: LineFramer;
  private time = -Infinity;
  private readonly emit = (record: { readonly time: number }): void => {
    this.time = record.time;
  };

  constructor(file: FileSource, dating: Pick<CutLine, "timeZone" | "year">) {
    this.framer = new LineFramer({ timeZone: dating.timeZone, year: dating.year });
    this.framer.startFile(file.name, file.modifiedMs, false);
  }

  // Returns the time of the first record framed from the first whole line of `chunk`, or
  // -Infinity when that line is not a record or the chunk has no whole line.
  firstLineTime(chunk: Buffer): number {
    const start = chunk.indexOf(LF) + 1;
    const end = start > 0 ? chunk.indexOf(LF, start) : -1;
    if (end < 0) return -Infinity;
    this.time = -Infinity;
    // The framer may keep the bytes of a line, so it gets a copy of the chunk's line.
    const line = Buffer.from(chunk.subarray(start, end));
    this.framer.frameBytes(line, 0, line.length, 0, this.emit);
    return this.time;
  }
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
