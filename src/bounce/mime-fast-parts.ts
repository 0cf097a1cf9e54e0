/**
 * The pieces of the MIME fast path: header blocks, `Content-Type`, `Content-Disposition`
 * and `Content-Transfer-Encoding`, transfer decoding and charsets. Each reader reproduces
 * how postal-mime 4.2 reads the same bytes, and returns null for any form whose reading it
 * does not reproduce, so that the caller hands the message to postal-mime.
 */
import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";
import type { HeaderField } from "./mime.js";

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
const LINE_FEED = Buffer.from("\n");
const EMPTY = Buffer.alloc(0);

/** The header fields of one part and where its body starts. */
export interface HeaderBlock {
  readonly fields: HeaderField[];
  readonly bodyStart: number;
}

/** Header bytes read so far in one message, shared by all its parts. */
export interface HeaderBudget {
  bytes: number;
}

// Maximum header bytes of one message, each line counted as at least 64 bytes, as
// postal-mime counts them. Larger header blocks go to postal-mime, which rejects a message
// above 2 MiB of them.
const MAX_HEADER_BYTES = 1024 * 1024;
const MIN_LINE_BYTES = 64;

// The start of a header field as postal-mime reads it: a name of printable ASCII other than
// the colon, optional blanks and the colon, or the `From ` line of an mbox.
const FIELD_START = /^(?:From |[!-9;-~]*[ \t]*:)/;

const utf8HeaderDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
const utf8Decoder = new TextDecoder("utf-8");
const windows1252Decoder = new TextDecoder("windows-1252");

/**
 * Reads the header block that starts at `start`, up to the empty line that ends it. As in
 * postal-mime, a line that is neither a field nor a fold also ends the block, and it is the
 * first line of the body. Returns null when the block does not end before `end`, or when the
 * message's header bytes exceed the budget.
 */
export function readHeaderBlock(
  data: Buffer,
  start: number,
  end: number,
  budget: HeaderBudget,
): HeaderBlock | null {
  const lines: string[] = [];
  let position = start;
  while (position < end) {
    const lineEnd = data.indexOf(LF, position);
    if (lineEnd < 0 || lineEnd >= end) return null;
    let contentEnd = lineEnd;
    while (contentEnd > position && data[contentEnd - 1] === CR) contentEnd--;
    if (contentEnd === position) return { fields: lines.map(headerField), bodyStart: lineEnd + 1 };

    budget.bytes += Math.max(contentEnd - position, MIN_LINE_BYTES);
    if (budget.bytes > MAX_HEADER_BYTES) return null;
    const appended = appendLine(lines, headerLineText(data, position, contentEnd));
    if (appended === null) return null;
    if (!appended) return { fields: lines.map(headerField), bodyStart: position };
    position = lineEnd + 1;
  }
  return null;
}

/**
 * Adds a field line or unfolds a continuation line into the field above it. Returns false
 * for a line that is neither, and null for a fold that postal-mime reads by rules of its own
 * (a blank line, or a fold before any field).
 */
function appendLine(lines: string[], text: string): boolean | null {
  const first = text.charCodeAt(0);
  if (first === SPACE || first === TAB) {
    if (lines.length === 0 || /^[ \t]*$/.test(text)) return null;
    lines[lines.length - 1] += text;
    return true;
  }
  if (!FIELD_START.test(text)) return false;
  lines.push(text);
  return true;
}

function headerLineText(data: Buffer, start: number, end: number): string {
  for (let index = start; index < end; index++) {
    if ((data[index] ?? 0) >= 0x80) return utf8OrWindows1252(data.subarray(start, end), true);
  }
  return data.toString("latin1", start, end);
}

/**
 * Splits an unfolded field into its lower-cased name and its value. Like postal-mime, the
 * name keeps any blanks before the colon, and a bare CR inside the value becomes a space.
 */
function headerField(line: string): HeaderField {
  const colon = line.indexOf(":");
  const name = (colon < 0 ? line : line.slice(0, colon)).toLowerCase();
  if (colon < 0) return { name, value: "" };
  const value = line.slice(colon + 1);
  return { name, value: trimBlanks(value.includes("\r") ? value.replace(/\r+/g, " ") : value) };
}

/** Removes the SP and HTAB around a field value, and no other white space (RFC 5322). */
function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isBlank(code: number | undefined): boolean {
  return code === SPACE || code === TAB;
}

/** Returns the value of the first field called `name`, or undefined. */
export function fieldValue(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((field) => field.name === name)?.value;
}

/** A parsed `Content-Type`: the media type and its parameters, names lower-cased. */
export interface ContentType {
  readonly type: string;
  readonly parameters: ReadonlyMap<string, string>;
}

const TOKEN = "[!#$%&'+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(String.raw`^(${TOKEN}\/${TOKEN})[ \t]*`);
// A parameter with a token or a quoted value. Comments, backslashes and RFC 2231 names
// (`name*0*=`) are left to postal-mime.
const PARAMETER = new RegExp(
  String.raw`;[ \t]*(${TOKEN})[ \t]*=[ \t]*(?:"([^"\\]*)"|([^ \t";()\\]+))[ \t]*`,
  "y",
);
const PARAMETERS_END = /;?[ \t]*$/y;

/** The type of a part without `Content-Type` (RFC 2045 section 5.2). */
export const DEFAULT_CONTENT_TYPE: ContentType = { type: "text/plain", parameters: new Map() };

/** Parses a `Content-Type` value, or returns null for a form that only postal-mime reads. */
export function parseContentType(value: string): ContentType | null {
  const mediaType = MEDIA_TYPE.exec(value);
  if (mediaType === null) return null;
  const parameters = new Map<string, string>();
  PARAMETER.lastIndex = mediaType[0].length;
  let position = PARAMETER.lastIndex;
  for (let match = PARAMETER.exec(value); match !== null; match = PARAMETER.exec(value)) {
    const name = (match[1] ?? "").toLowerCase();
    // The first of two parameters with the same name counts, as in postal-mime.
    if (!parameters.has(name)) parameters.set(name, match[2] ?? match[3] ?? "");
    position = PARAMETER.lastIndex;
  }
  PARAMETERS_END.lastIndex = position;
  if (!PARAMETERS_END.test(value)) return null;
  return { type: (mediaType[1] ?? "").toLowerCase(), parameters };
}

const DISPOSITION = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*(?:;|$)/;

/**
 * Returns the lower-cased disposition type of a `Content-Disposition` value, "" when the
 * field is missing, or null for a form that only postal-mime reads.
 */
export function dispositionType(value: string | undefined): string | null {
  if (value === undefined || value === "") return "";
  return DISPOSITION.exec(value)?.[1]?.toLowerCase() ?? null;
}

/**
 * Returns the lower-cased token of a `Content-Transfer-Encoding` value, "" when there is
 * none, or null for a value with comments or quotes.
 */
export function transferEncoding(value: string | undefined): string | null {
  if (value === undefined) return "";
  if (/[("\\]/.test(value)) return null;
  return /^([\w-]+)/.exec(value.toLowerCase())?.[1] ?? "";
}

// A mailbox in its plain forms: an address in angle brackets after a display name, or an
// address alone with an optional comment after it ("MAILER-DAEMON@example.com (Mail Delivery
// System)"). The address has only dot-atom characters (RFC 5322 section 3.2.3). The name is
// one quoted string without escapes or a run of words without encoded words, and the comment
// has no nested comment, quote or `@`. postal-mime's address parser finds the same address in
// each of these forms, which the tests check.
const ADDRESS = String.raw`([\w!#$%&'*+/=?^\`{|}~.-]+@[A-Za-z0-9.-]+)`;
const DISPLAY_NAME = String.raw`(?:"[^"\\\r\n]*"|[\w!#$%&'*+/^\`{|}~. \t-]*)`;
const COMMENT = String.raw`(?:[ \t]+\([^()\\"@\r\n]*\))?`;
const PLAIN_MAILBOX = new RegExp(
  String.raw`^(?:${DISPLAY_NAME}[ \t]*<${ADDRESS}>|${ADDRESS}${COMMENT})$`,
);

/**
 * Returns the address of an address field that contains one mailbox in a plain form, or null
 * for any other value, which needs the full address parser.
 */
export function plainMailboxAddress(value: string): string | null {
  const match = PLAIN_MAILBOX.exec(value);
  return match === null ? null : (match[1] ?? match[2] ?? null);
}

/**
 * The bytes of a body: from `start` to `end`, where a boundary line or the end of the
 * message follows. `boundaryEnded` is true for the former.
 */
export interface BodyRange {
  readonly start: number;
  readonly end: number;
  readonly boundaryEnded: boolean;
}

/** Returns the decoded bytes of a body in the given transfer encoding. */
export function bodyBytes(data: Buffer, body: BodyRange, encoding: string): Buffer {
  if (encoding === "base64") return decodeBase64(data, body);
  if (encoding === "quoted-printable") return decodeQuotedPrintable(data, body);
  return rawBytes(data, body);
}

/**
 * Returns a body as it is, line ends included. The line end before a boundary line belongs
 * to the boundary (RFC 2046 section 5.1.1). A body that ends the message without a line end
 * gets LF in place of its trailing CRs, as in postal-mime.
 */
function rawBytes(data: Buffer, body: BodyRange): Buffer {
  const { start, end } = body;
  if (end <= start) return EMPTY;
  if (data[end - 1] === LF && !body.boundaryEnded) return data.subarray(start, end);
  let cut = data[end - 1] === LF ? end - 1 : end;
  while (cut > start && data[cut - 1] === CR) cut--;
  if (body.boundaryEnded) return data.subarray(start, cut);
  return Buffer.concat([data.subarray(start, cut), LINE_FEED]);
}

/**
 * Decodes base64 as postal-mime does: characters outside the alphabet are dropped, and each
 * run ended by `=` is decoded on its own, because some mailers pad every line.
 */
function decodeBase64(data: Buffer, body: BodyRange): Buffer {
  if (body.end <= body.start) return EMPTY;
  const text = data.toString("latin1", body.start, body.end).replace(/[^A-Za-z0-9+/=]+/g, "");
  const runs = text.split("=").filter((run) => run !== "");
  if (runs.length === 1) return Buffer.from(runs[0] ?? "", "base64");
  return Buffer.concat(runs.map((run) => Buffer.from(run, "base64")));
}

/**
 * Decodes quoted-printable line by line as postal-mime does. Trailing blanks are dropped
 * (RFC 2045 section 6.7), and `=` at the end of a line joins it to the next. An invalid
 * escape stays as it is, and each hard line break is written as the message has it.
 */
function decodeQuotedPrintable(data: Buffer, body: BodyRange): Buffer {
  const output = Buffer.allocUnsafe(body.end - body.start + 1);
  let length = 0;
  // The hard line break after the last decoded line, as a range of `data`, or a start of -1
  // for LF (the last line has none). It is written before the next line, and after the last
  // line only when no boundary follows.
  let breakStart = 0;
  let breakEnd = 0;
  let position = body.start;
  while (position < body.end) {
    let lineEnd = data.indexOf(LF, position);
    if (lineEnd < 0 || lineEnd >= body.end) lineEnd = body.end;
    let contentEnd = lineEnd;
    while (contentEnd > position && data[contentEnd - 1] === CR) contentEnd--;

    length = writeLineBreak(data, breakStart, breakEnd, output, length);
    const line = decodeQuotedLine(data, position, contentEnd, output, length);
    length = line.length;
    if (line.softBreak) {
      breakStart = breakEnd = 0;
    } else {
      breakStart = lineEnd < body.end ? contentEnd : -1;
      breakEnd = lineEnd + 1;
    }
    position = lineEnd + 1;
  }
  if (!body.boundaryEnded) length = writeLineBreak(data, breakStart, breakEnd, output, length);
  return output.subarray(0, length);
}

function writeLineBreak(
  data: Buffer,
  start: number,
  end: number,
  output: Buffer,
  outputLength: number,
): number {
  if (start < 0) {
    output[outputLength] = LF;
    return outputLength + 1;
  }
  return outputLength + data.copy(output, outputLength, start, end);
}

function decodeQuotedLine(
  data: Buffer,
  start: number,
  end: number,
  output: Buffer,
  outputLength: number,
): { length: number; softBreak: boolean } {
  let length = outputLength;
  let stop = end;
  while (stop > start && isBlank(data[stop - 1])) stop--;
  const softBreak = stop > start && data[stop - 1] === EQUALS;
  if (softBreak) stop--;

  // Bytes are copied one by one: lines are short, and Buffer#copy costs more per call.
  let index = start;
  while (index < stop) {
    const byte = data[index] ?? 0;
    const value = byte === EQUALS && index + 2 < stop ? escapedByte(data, index) : -1;
    if (value < 0) {
      output[length++] = byte;
      index++;
    } else {
      output[length++] = value;
      index += 3;
    }
  }
  return { length, softBreak };
}

/** Returns the byte of the `=XX` escape at `index`, or -1 when it is not one. */
function escapedByte(data: Buffer, index: number): number {
  const high = hexValue(data[index + 1]);
  const low = hexValue(data[index + 2]);
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

function hexValue(code: number | undefined): number {
  if (code === undefined) return -1;
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

// Charset labels of the WHATWG Encoding Standard that postal-mime 4.2 gives to TextDecoder
// as they are written, and that Node's TextDecoder supports (it rejects iso-8859-16). Other
// labels go through postal-mime's alias and fallback rules, so their parts go to postal-mime.
const CHARSETS: ReadonlySet<string> = new Set([
  "utf-8",
  "utf8",
  "us-ascii",
  "ascii",
  "iso-8859-1",
  "latin1",
  "iso-8859-2",
  "iso-8859-15",
  "windows-1250",
  "windows-1251",
  "windows-1252",
  "iso-2022-jp",
  "shift_jis",
  "euc-jp",
  "euc-kr",
  "gb2312",
  "gbk",
  "gb18030",
  "big5",
  "koi8-r",
]);
// Labels that postal-mime 4.2 resolves to no encoding (it has no UTF-7), so it reads their
// parts as it reads parts without a charset. Outlook.com labels its notices UTF-7.
const UNRESOLVED_CHARSETS: ReadonlySet<string> = new Set(["unicode-1-1-utf-7", "utf-7"]);
const charsetDecoders = new Map<string, TextDecoder>();

/**
 * Decodes the bytes of a text part in its charset, or returns null when postal-mime would
 * read the charset by rules this path does not reproduce. Without a charset, bytes that are
 * valid UTF-8 are read as UTF-8 and others as windows-1252. An HTML part without a charset
 * may name one in a `<meta>` tag, which only postal-mime reads.
 */
export function decodeText(
  bytes: Buffer,
  charset: string | undefined,
  html: boolean,
): string | null {
  if (charset === undefined || charset === "") {
    return html ? null : utf8OrWindows1252(bytes, false);
  }
  const label = charset.trim().toLowerCase();
  if (UNRESOLVED_CHARSETS.has(label)) return utf8OrWindows1252(bytes, false);
  if (!CHARSETS.has(label)) return null;
  let decoder = charsetDecoders.get(label);
  if (decoder === undefined) {
    decoder = new TextDecoder(label);
    charsetDecoders.set(label, decoder);
  }
  return decoder.decode(bytes);
}

/** Decodes an attachment's bytes as UTF-8, as postal-mime's `utf8` attachment encoding does. */
export function decodeAttachment(bytes: Buffer): string {
  return utf8Decoder.decode(bytes);
}

function utf8OrWindows1252(bytes: Buffer, keepByteOrderMark: boolean): string {
  if (!isUtf8(bytes)) return windows1252Decoder.decode(bytes);
  return (keepByteOrderMark ? utf8HeaderDecoder : utf8Decoder).decode(bytes);
}
