/**
 * UTF-16 text inputs. Windows PowerShell's `>` and Notepad's "Unicode" save a log as UTF-16
 * with a byte order mark (BOM). Such a file has a NUL byte beside every ASCII byte, so the line
 * splitter, which works on bytes, would find no log line in it. The input is therefore decoded
 * to UTF-8 before the splitter. Detection examines only the first bytes of an input.
 */
import { inputNameInText } from "./input-names.js";

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
 * Returns the UTF-16 byte order of an input from its first bytes, or null when it is not
 * UTF-16. A BOM (`FF FE` little-endian, `FE FF` big-endian) decides alone, except `FF FE 00 00`,
 * which starts UTF-32LE. Without a BOM, the first KiB (at least 32 bytes) must alternate
 * between a NUL byte and a byte that is not NUL, as text of Latin-1 characters does in UTF-16.
 */
export function detectUtf16(head: Buffer): Utf16Text | null {
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) {
    const utf32 = head.length >= 4 && head[2] === 0 && head[3] === 0;
    return utf32 ? null : { encoding: "utf-16le", bom: true };
  }
  // NOTE: UTF-16 without a BOM that has characters above U+00FF in its first KiB is not
  // detected here, so it gets the binary-file note.
  const end = Math.min(head.length, SAMPLE_BYTES) & ~1;
  if (end < MIN_SAMPLE_BYTES) return null;
  if (alternatesNul(head, end, 1)) return { encoding: "utf-16le", bom: false };
  if (alternatesNul(head, end, 0)) return { encoding: "utf-16be", bom: false };
  return null;
}

// True when every byte of `head[0, end)` at an index of parity `nulParity` is NUL and every
// other byte is not.
function alternatesNul(head: Buffer, end: number, nulParity: number): boolean {
  for (let index = 0; index < end; index += 1) {
    const isNul = head[index] === 0;
    if (isNul !== ((index & 1) === nulParity)) return false;
  }
  return true;
}

/**
 * Yields the UTF-16 `chunks` as UTF-8, without the BOM. A character split between two chunks
 * is decoded once its last byte arrives. Bytes that are not valid UTF-16 (a lone surrogate,
 * an odd last byte) become U+FFFD.
 */
export async function* utf16ToUtf8(
  chunks: AsyncIterable<Buffer>,
  encoding: Utf16Encoding,
): AsyncGenerator<Buffer, void, undefined> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, "utf8");
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield Buffer.from(rest, "utf8");
}

/** Returns the note for input `name`, which was read as UTF-16 text. */
export function utf16Note(name: string, text: Utf16Text): string {
  const littleEndian = text.encoding === "utf-16le";
  const order = littleEndian ? "little-endian" : "big-endian";
  const found = text.bom
    ? `it starts with the byte order mark of UTF-16 ${order}`
    : `every other byte of its start is NUL, as in UTF-16 ${order} without a byte order mark`;
  const writers =
    littleEndian && text.bom ? `, as Windows PowerShell's > and Notepad's "Unicode" save it` : "";
  return (
    `${inputNameInText(name)} is UTF-16 text (${found})${writers}. It was decoded to UTF-8 ` +
    `and read as log lines.`
  );
}
