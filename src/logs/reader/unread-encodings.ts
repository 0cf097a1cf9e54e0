/**
 * Text encodings that delist does not decode, found in an input whose bytes look binary:
 * UTF-32, and UTF-16 whose first KiB has too little ASCII for `detectUtf16`. Such an input gets
 * a note that names the encoding and the `iconv` command that converts it, in place of the
 * binary-file note. Otherwise it is treated as a binary file, so without a log record its
 * lines are left out of the counts.
 */
import { isBinaryByte, type UnreadEncoding } from "./notes.js";
import { isUtf16Structure } from "./utf16.js";

/** Bytes examined for UTF-32 without a byte order mark. */
const SAMPLE_BYTES = 1024;
/** Minimum bytes examined, so that a short binary start cannot pass as text by chance. */
const MIN_SAMPLE_BYTES = 32;
/** Minimum share of the code points in the sample that are ASCII, as `detectUtf16` requires. */
const MIN_ASCII_SHARE = 0.25;
const MAX_CODE_POINT = 0x10ffff;

/**
 * Returns the encoding of `head`, the first bytes of an input whose bytes look binary, when
 * they are UTF-32 or UTF-16 text (see `isUtf16Structure`), else null.
 */
export function unreadEncodingOf(head: Buffer): UnreadEncoding | null {
  if (isUtf32(head)) return "utf-32";
  return isUtf16Structure(head) ? "utf-16" : null;
}

/**
 * Returns whether `head` starts with a UTF-32 byte order mark (`FF FE 00 00` little-endian,
 * `00 00 FE FF` big-endian), or whether its first KiB, read as UTF-32 of either byte order,
 * is valid code points of which a quarter or more are ASCII text.
 */
export function isUtf32(head: Buffer): boolean {
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfeff) return true;
  if (head.length >= 4 && head.readUInt32BE(0) === 0xfeff) return true;
  const end = Math.min(head.length, SAMPLE_BYTES) & ~3;
  if (end < MIN_SAMPLE_BYTES) return false;
  return (
    asciiShare(head, end, true) >= MIN_ASCII_SHARE ||
    asciiShare(head, end, false) >= MIN_ASCII_SHARE
  );
}

// The share of the code points of `head[0, end)` that are ASCII text, or -1 when one is no
// code point (above U+10FFFF, a surrogate) or a control character that a text log lacks.
function asciiShare(head: Buffer, end: number, littleEndian: boolean): number {
  let ascii = 0;
  for (let index = 0; index < end; index += 4) {
    const point = littleEndian ? head.readUInt32LE(index) : head.readUInt32BE(index);
    if (point > MAX_CODE_POINT || (point >= 0xd800 && point <= 0xdfff)) return -1;
    if (point < 0x80) {
      if (isBinaryByte(point)) return -1;
      ascii += 1;
    }
  }
  return ascii / (end / 4);
}
