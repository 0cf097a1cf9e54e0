/**
 * Tells a log file from the other files a command takes (bounce messages, zone files) by
 * framing its first lines as the log reader frames every line.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { constants, gunzipSync } from "node:zlib";
import { resolveTimeZone } from "../time/zone.js";
import { LineFramer } from "./framing/framer.js";
import { detectCompression } from "./reader/read.js";

// Enough plain text for the first lines of a log, whose lines are mostly under 500 bytes.
const PLAIN_HEAD_BYTES = 16 * 1024;

// Compressed bytes read from a gzip file. Log text compresses about 5 to 10 times (an
// estimate), so this gives enough lines, and DEFLATE's limit of about 1,000 times bounds the
// output of a gzip bomb to about 4 MiB.
const GZIP_HEAD_BYTES = 4 * 1024;

// The number of lines framed. Most files show their kind on the first line, and the other
// lines cover a log whose first line was cut by rotation or is junk.
const LINES_FRAMED = 10;

/**
 * True when `path` is a regular file (plain or gzip) and more than half of its first
 * non-blank lines have a log framing delist reads: syslog, Exim, journald JSON and the
 * others of `LineFramer`. A mail message or a zone file has none. Unreadable files, empty
 * files and directories give false.
 */
export function looksLikeLogFile(path: string): boolean {
  const head = readHead(path);
  return head !== null && looksLikeLogText(head.toString("latin1"));
}

/**
 * True when `text`, the start of an input, has at least `minLines` non-blank lines among its
 * first ten and more than half of those have a log framing delist reads, as in
 * `looksLikeLogFile`. The last line counts only when `text` has no `\n`, because a head cut
 * from a longer input may end inside a line.
 */
export function looksLikeLogText(text: string, minLines = 1): boolean {
  const lines = firstLines(text);
  if (lines.length === 0 || lines.length < minLines) return false;

  const framer = new LineFramer({ timeZone: resolveTimeZone("UTC") });
  framer.startFile("-", Date.now(), false);
  let records = 0;
  lines.forEach((line, index) => {
    // A partial line of a container log has its log framing, and its record comes with the
    // line's last part.
    const outcome = framer.frame(line, index + 1, () => undefined);
    if (outcome === "record" || outcome === "partial") records++;
  });
  return records * 2 > lines.length;
}

/** Returns the first non-blank lines of the text. */
function firstLines(text: string): string[] {
  const lines = text.split("\n");
  // The last line may be cut at the end of the head, unless the head is the whole text.
  if (lines.length > 1) lines.pop();
  return lines
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => line.trim() !== "")
    .slice(0, LINES_FRAMED);
}

/** Reads the start of the file's text, decompressed when it is gzip, or null on any error. */
function readHead(path: string): Buffer | null {
  let descriptor: number | null = null;
  try {
    if (!statSync(path).isFile()) return null;
    descriptor = openSync(path, "r");
    const head = Buffer.alloc(PLAIN_HEAD_BYTES);
    const bytesRead = readSync(descriptor, head, 0, PLAIN_HEAD_BYTES, 0);
    const bytes = head.subarray(0, bytesRead);
    if (detectCompression(bytes) !== "gzip") return bytes;
    // A synchronous flush decompresses what the cut stream contains instead of failing at its
    // end.
    return gunzipSync(bytes.subarray(0, GZIP_HEAD_BYTES), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
  } catch {
    return null;
  } finally {
    if (descriptor !== null) closeSync(descriptor);
  }
}
