/**
 * UTF-16 text inputs. Windows PowerShell's `>` and Notepad's "Unicode" save a log as UTF-16
 * with a byte order mark (BOM). Such a file has a NUL byte beside every ASCII byte, so the line
 * splitter, which works on bytes, would find no log line in it. The input is therefore decoded
 * to UTF-8 before the splitter. Detection examines only the first bytes of an input.
 */
import { TextDecoder } from "node:util";
import { inputNameInText } from "./input-names.js";
import { isBinaryByte } from "./notes.js";

/** The byte order of UTF-16 text. */
export type Utf16Encoding = "utf-16le" | "utf-16be";

/** The UTF-16 byte order of an input, and whether the input starts with a BOM. */
export interface Utf16Text {
  readonly encoding: Utf16Encoding;
  readonly bom: boolean;
}

/** Bytes examined for UTF-16 without a BOM. */
const SAMPLE_BYTES = 1024;
/**
 * Minimum bytes examined for UTF-16 without a BOM, so that a short binary start cannot pass
 * as text by chance.
 */
const MIN_SAMPLE_BYTES = 32;
/**
 * Minimum share of the code units in the sample that are ASCII text, each an ASCII byte with a
 * NUL byte beside it. Log headers (stamp, host, program) are ASCII, so a log with CJK text in
 * its messages passes. Binary data rarely has such units, because most of its 16-bit values
 * either have two bytes that are not NUL or are control characters, which reject the sample.
 */
const MIN_ASCII_SHARE = 0.25;

/**
 * Returns the UTF-16 byte order of an input from its first bytes, or null when it is not
 * UTF-16. A BOM (`FF FE` little-endian, `FE FF` big-endian) decides alone, except `FF FE 00 00`,
 * which starts UTF-32LE. Without a BOM, the first KiB (at least 32 bytes) is read as code
 * units in each byte order, and the order whose units are text (see `asciiUnitShare`) with a
 * quarter or more of them ASCII is the input's.
 */
export function detectUtf16(head: Buffer): Utf16Text | null {
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) {
    const utf32 = head.length >= 4 && head[2] === 0 && head[3] === 0;
    return utf32 ? null : { encoding: "utf-16le", bom: true };
  }
  const end = Math.min(head.length, SAMPLE_BYTES) & ~1;
  if (end < MIN_SAMPLE_BYTES) return null;
  const cut = end < head.length;
  const littleEndian = asciiUnitShare(head, end, true, cut);
  const bigEndian = asciiUnitShare(head, end, false, cut);
  const best = Math.max(littleEndian, bigEndian);
  if (best < MIN_ASCII_SHARE) return null;
  return { encoding: littleEndian === best ? "utf-16le" : "utf-16be", bom: false };
}

/**
 * Returns whether the first KiB of `head` (at least 32 bytes) is UTF-16 text by structure in
 * either byte order, whatever its share of ASCII (see `asciiUnitShare`). A log whose first KiB
 * is CJK text without ASCII passes, and so does most ASCII text read as UTF-16, so call it
 * only for an input whose bytes already look binary.
 */
export function isUtf16Structure(head: Buffer): boolean {
  const end = Math.min(head.length, SAMPLE_BYTES) & ~1;
  if (end < MIN_SAMPLE_BYTES) return false;
  const cut = end < head.length;
  return asciiUnitShare(head, end, true, cut) >= 0 || asciiUnitShare(head, end, false, cut) >= 0;
}

/**
 * Returns the share of the code units of `head[0, end)` that are ASCII text, read in the
 * byte order that `littleEndian` gives, or -1 when the units are not text. Units are not text
 * when one is a control character that a text log lacks (NUL included), a noncharacter
 * (U+FFFE, U+FFFF) or a surrogate out of its pair. A high surrogate as the last unit is
 * allowed when `cut` is true, because the sample then cuts the pair.
 */
function asciiUnitShare(head: Buffer, end: number, littleEndian: boolean, cut: boolean): number {
  const units = end / 2;
  let ascii = 0;
  let highSurrogate = false;
  for (let index = 0; index < end; index += 2) {
    const first = head[index] ?? 0;
    const second = head[index + 1] ?? 0;
    const unit = littleEndian ? first | (second << 8) : (first << 8) | second;
    const isLowSurrogate = unit >= 0xdc00 && unit <= 0xdfff;
    if (highSurrogate !== isLowSurrogate) return -1;
    highSurrogate = unit >= 0xd800 && unit <= 0xdbff;
    if (unit < 0x80) {
      if (isBinaryByte(unit)) return -1;
      ascii += 1;
    } else if (unit === 0xfffe || unit === 0xffff) {
      return -1;
    }
  }
  if (highSurrogate && !cut) return -1;
  return ascii / units;
}

/**
 * Decoder of UTF-16 chunks to UTF-8. A character split between two chunks is decoded once its
 * last byte arrives. Bytes that are not valid UTF-16 (a lone surrogate, an odd last byte)
 * become U+FFFD. A BOM at the start is dropped.
 */
export class Utf16Decoder {
  private readonly decoder: TextDecoder;

  constructor(encoding: Utf16Encoding) {
    this.decoder = new TextDecoder(encoding);
  }

  /** Decodes the next chunk, and returns an empty Buffer while a character is incomplete. */
  decode(chunk: Buffer): Buffer {
    return Buffer.from(this.decoder.decode(chunk, { stream: true }), "utf8");
  }

  /** Decodes the bytes of an incomplete character at the end of the input, as U+FFFD. */
  end(): Buffer {
    return Buffer.from(this.decoder.decode(), "utf8");
  }
}

/** Yields the UTF-16 `chunks` as UTF-8, without the BOM (see `Utf16Decoder`). */
export async function* utf16ToUtf8(
  chunks: AsyncIterable<Buffer>,
  encoding: Utf16Encoding,
): AsyncGenerator<Buffer, void, undefined> {
  const decoder = new Utf16Decoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/**
 * Returns the note for input `name`, which was read as UTF-16 text, after gunzip when
 * `compressed` is true.
 */
export function utf16Note(name: string, text: Utf16Text, compressed: boolean): string {
  const littleEndian = text.encoding === "utf-16le";
  const order = littleEndian ? "little-endian" : "big-endian";
  const found = text.bom
    ? `it starts with the byte order mark of UTF-16 ${order}`
    : `its ASCII characters each have a NUL byte beside them, as in UTF-16 ${order} without ` +
      `a byte order mark`;
  const writers =
    littleEndian && text.bom ? `, as Windows PowerShell's > and Notepad's "Unicode" save it` : "";
  return (
    `${inputNameInText(name)} is ${compressed ? "gzip-compressed " : ""}UTF-16 text ` +
    `(${found})${writers}. It was decoded to UTF-8 ` +
    `and read as log lines.`
  );
}
