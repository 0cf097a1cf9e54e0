/**
 * Japanese text parts whose charset label is wrong, or whose ISO-2022-JP text is cut inside an
 * escape sequence. ISO-2022-JP is a 7-bit encoding, yet some Japanese mail systems (mobile
 * carriers among them) label EUC-JP or Shift_JIS text as ISO-2022-JP. Decoded as labelled,
 * every 8-bit byte becomes U+FFFD. Such a label is replaced by the charset the bytes are valid
 * in, before either MIME parser reads them.
 */
import { TextDecoder } from "node:util";

// Only the plain label: ISO-2022-JP-2 and ISO-2022-JP-3 labels are left as they are.
const LABEL = /charset\s*=\s*"?iso-2022-jp(?![\w-])/gi;

// Tried in this order: valid UTF-8 is rarely anything else, and EUC-JP text often also
// decodes as Shift_JIS (as half-width katakana), while most Shift_JIS text has lead bytes
// 0x81-0x9F, which EUC-JP does not use for kana or kanji.
const CANDIDATES = [
  { label: "utf-8", decoder: new TextDecoder("utf-8", { fatal: true }) },
  { label: "euc-jp", decoder: new TextDecoder("euc-jp", { fatal: true }) },
  { label: "shift_jis", decoder: new TextDecoder("shift_jis", { fatal: true }) },
] as const;

/**
 * Returns `raw` with each `charset=iso-2022-jp` label replaced by the charset its part's
 * 8-bit body is valid in (UTF-8, EUC-JP or Shift_JIS), or `raw` itself when no label needs
 * it. A body counts from the blank line after the label to the next MIME boundary line of
 * the message. NOTE: a body in base64 or quoted-printable has no 8-bit bytes, so
 * a wrong label on it is kept.
 */
export function withJapaneseCharsetsFixed(raw: Uint8Array): Uint8Array {
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // Both spellings seen in mail; a label in mixed case is not searched for.
  if (data.indexOf("2022-JP") < 0 && data.indexOf("2022-jp") < 0) return raw;

  const text = data.toString("latin1");
  const pieces: Buffer[] = [];
  let copied = 0;
  for (const match of text.matchAll(LABEL)) {
    const labelStart = match.index + match[0].length - "iso-2022-jp".length;
    const charset = actualCharset(data, bodyRange(text, labelStart));
    if (charset === null) continue;
    pieces.push(data.subarray(copied, labelStart), Buffer.from(charset, "latin1"));
    copied = labelStart + "iso-2022-jp".length;
  }
  if (pieces.length === 0) return raw;
  pieces.push(data.subarray(copied));
  return Buffer.concat(pieces);
}

// The boundary parameter of a multipart Content-Type, quoted or not (RFC 2046 section 5.1.1).
const BOUNDARY_PARAMETER = /boundary\s*=\s*(?:"([^"\r\n]+)"|([^\s;"]+))/gi;

/**
 * Returns the byte range of the body after the header block that contains `from`. The body
 * ends at the next line that starts with `--` and a boundary declared in the message. Any
 * other line of dashes is body text, such as the separators that open many Japanese notices.
 */
function bodyRange(text: string, from: number): { start: number; end: number } {
  const blank = /\r?\n\r?\n/g;
  blank.lastIndex = from;
  const headerEnd = blank.exec(text);
  if (headerEnd === null) return { start: text.length, end: text.length };
  const start = headerEnd.index + headerEnd[0].length;

  let end = text.length;
  for (const match of text.matchAll(BOUNDARY_PARAMETER)) {
    const boundary = match[1] ?? match[2] ?? "";
    const next = text.indexOf(`\n--${boundary}`, start - 1);
    if (next >= 0 && next < end) end = next;
  }
  return { start, end };
}

/** Returns the charset that an 8-bit body is valid in, or null for a 7-bit or unknown body. */
function actualCharset(data: Buffer, range: { start: number; end: number }): string | null {
  const body = data.subarray(range.start, range.end);
  if (!body.some((byte) => byte >= 0x80)) return null;
  for (const candidate of CANDIDATES) {
    try {
      candidate.decoder.decode(body);
      return candidate.label;
    } catch {
      // Not valid in this charset: try the next.
    }
  }
  return null;
}

const ESC = 0x1b;
const DOLLAR = 0x24;
const OPEN_PARENTHESIS = 0x28;

/**
 * Returns the byte ranges of the ISO-2022-JP escape sequences in `data` that are cut short: an
 * ESC, `ESC $`, `ESC (` or `ESC $ (` at the end of the data or of a line. A message cut there
 * (a truncated file, or a line cut by a gateway) makes TextDecoder write U+FFFD for the
 * sequence. Only messages with an ISO-2022-JP label are searched.
 * NOTE: a two-byte character cut after its first byte is not found, and still becomes U+FFFD.
 */
function cutEscapeSequences(data: Buffer): { start: number; end: number }[] {
  if (data.indexOf("2022-JP") < 0 && data.indexOf("2022-jp") < 0) return [];
  const cuts: { start: number; end: number }[] = [];
  let start = data.indexOf(ESC);
  while (start >= 0) {
    let end = start + 1;
    if (data[end] === DOLLAR) end += 1;
    if (data[end] === OPEN_PARENTHESIS) end += 1;
    // A whole sequence has a final byte after these, such as the `B` of `ESC $ B`.
    if (isLineEnd(data, end)) cuts.push({ start, end });
    start = data.indexOf(ESC, end);
  }
  return cuts;
}

function isLineEnd(data: Buffer, index: number): boolean {
  return index >= data.length || data[index] === 0x0a || data[index] === 0x0d;
}

/** Returns how many ISO-2022-JP escape sequences in `raw` are cut short (see `cutEscapeSequences`). */
export function countCutEscapeSequences(raw: Uint8Array): number {
  return cutEscapeSequences(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)).length;
}

/**
 * Returns `raw` without the ISO-2022-JP escape sequences that are cut short, so that the text
 * decodes without U+FFFD in their place, or `raw` itself when none is.
 */
export function withoutCutEscapeSequences(raw: Uint8Array): Uint8Array {
  const data = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const cuts = cutEscapeSequences(data);
  if (cuts.length === 0) return raw;
  const pieces: Buffer[] = [];
  let copied = 0;
  for (const cut of cuts) {
    pieces.push(data.subarray(copied, cut.start));
    copied = cut.end;
  }
  pieces.push(data.subarray(copied));
  return Buffer.concat(pieces);
}
