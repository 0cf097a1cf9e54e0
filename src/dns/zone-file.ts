import { domainToASCII } from "node:url";
import ipaddr from "ipaddr.js";
import { normaliseName, type RecordDataMap, type RecordType } from "./types.js";

/** One resource record read from a zone file; types delist does not query keep their text. */
export type ZoneRecord =
  | {
      [T in RecordType]: {
        readonly type: T;
        readonly ttlSeconds: number;
        readonly data: RecordDataMap[T];
      };
    }[RecordType]
  | {
      readonly type: "OTHER";
      readonly rrtype: string;
      readonly ttlSeconds: number;
      readonly data: string;
    };

/** Records by owner name (lower case, no trailing dot). */
export type ZoneData = Map<string, ZoneRecord[]>;

const DEFAULT_TTL_SECONDS = 3600;

/** A syntax error found while splitting lines into tokens, before a record is parsed. */
class LineSyntaxError extends SyntaxError {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

interface ParseState {
  origin: string;
  ttlSeconds: number;
  owner: string | null;
  readonly source: string;
  /** The `$ORIGIN` values and SOA owners of this file. */
  readonly origins: Set<string>;
  /** The owner names of this file's records. */
  readonly owners: Set<string>;
}

/**
 * Parses an RFC 1035 master file (section 5.1): `$ORIGIN` and `$TTL`, `@`, relative names,
 * an omitted owner, parentheses across lines, comments, quoted strings with `\DDD` escapes,
 * and TTL units as BIND writes them (`1h`, `1h30m`, `1w2d`). One file may hold several zones,
 * each after its own `$ORIGIN`, such as a forward zone and its `in-addr.arpa` zone. Adds to
 * `into` when given. Skips provider pseudo-records (`ALIAS`, `ANAME`) and appends a note
 * naming the file and line of each to `notes`. Adds the file's zone origins to `origins`: each
 * `$ORIGIN` value and SOA owner, or every owner name when the file has neither. A leading
 * UTF-8 byte order mark is skipped.
 * Throws a SyntaxError naming the file and line.
 */
export function parseZoneFile(
  text: string,
  source: string,
  into: ZoneData = new Map(),
  notes: string[] = [],
  origins: Set<string> = new Set(),
): ZoneData {
  const state: ParseState = {
    origin: "",
    ttlSeconds: DEFAULT_TTL_SECONDS,
    owner: null,
    source,
    origins: new Set(),
    owners: new Set(),
  };
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
  rejectBinary(body, source);
  let line = 1;
  try {
    for (const entry of logicalLines(body)) {
      line = entry.line;
      const skipped = parseEntry(entry.tokens, entry.leadingSpace, state, into);
      if (skipped !== null) notes.push(pseudoRecordNote(source, line, skipped));
    }
  } catch (error) {
    // A tokeniser error carries its own line; a record error belongs to the line it starts on.
    if (error instanceof LineSyntaxError) line = error.line;
    const message = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`${source}, line ${line}: ${message}`, { cause: error });
  }
  const found = state.origins.size > 0 ? state.origins : state.owners;
  for (const origin of found) origins.add(origin);
  return into;
}

/**
 * Share of characters that may be control characters or undecodable bytes (U+FFFD) before a
 * file counts as binary, and the count below which a file never does. The figures are a
 * judgement: a text zone has none of them apart from Latin-1 bytes in comments, while random
 * bytes decode to about half of them.
 */
const MAX_BINARY_SHARE = 0.1;
const MIN_BINARY_CHARS = 8;

/** Maximum length of the input excerpt that a syntax error quotes, in characters. */
const MAX_EXCERPT_CHARS = 40;

/** Maximum length of the excerpt of a binary file that the error quotes, in characters. */
const MAX_BINARY_EXCERPT_CHARS = 16;

/**
 * Throws a SyntaxError when `text` is not text: it contains a NUL character, or at least
 * `MIN_BINARY_CHARS` and more than `MAX_BINARY_SHARE` of its characters are control
 * characters or undecodable bytes. Quoting the first bad token of such a file would print a
 * screen of noise.
 */
function rejectBinary(text: string, source: string): void {
  let count = 0;
  for (let index = 0; index < text.length; index++) {
    if (isBinaryCode(text.charCodeAt(index))) count++;
  }
  const share = count / Math.max(text.length, 1);
  if (!text.includes("\0") && (count < MIN_BINARY_CHARS || share <= MAX_BINARY_SHARE)) return;
  const start = quoteExcerpt([...text].slice(0, MAX_BINARY_EXCERPT_CHARS).join(""));
  throw new SyntaxError(
    `${source} is not a zone file: it contains binary data (${count} control ` +
      `characters or undecodable bytes in ${text.length} characters), starting with ` +
      `${start}. Give a text zone file in the master file format of RFC 1035, section 5.`,
  );
}

/** True for C0 control characters other than tab and line ends, DEL, and U+FFFD. */
function isBinaryCode(code: number): boolean {
  return code <= 0x08 || (code >= 0x0e && code <= 0x1f) || code === 0x7f || code === 0xfffd;
}

/**
 * Quotes a piece of the input for an error message: at most `MAX_EXCERPT_CHARS` characters,
 * with control characters and undecodable bytes written as `\u` escapes.
 */
function quoteExcerpt(text: string): string {
  const chars = [...text];
  const escaped = chars
    .slice(0, MAX_EXCERPT_CHARS)
    .map((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (code === 0xfffd || /\p{C}/u.test(char)) {
        return `\\u${code.toString(16).padStart(4, "0")}`;
      }
      return char;
    })
    .join("");
  const more = chars.length > MAX_EXCERPT_CHARS ? `… (${chars.length} characters)` : "";
  return `"${escaped}"${more}`;
}

/** U+FEFF, which some editors write at the start of UTF-8 files. */
const BYTE_ORDER_MARK = "\uFEFF";

interface Token {
  readonly text: string;
  readonly quoted: boolean;
  /** The bytes of a character-string, after escapes. */
  readonly bytes: Buffer;
}

interface LogicalLine {
  readonly line: number;
  readonly leadingSpace: boolean;
  readonly tokens: Token[];
}

function* logicalLines(text: string): Generator<LogicalLine> {
  let tokens: Token[] = [];
  let depth = 0;
  let start = 1;
  let leadingSpace = false;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (depth === 0) {
      start = index + 1;
      leadingSpace = /^[ \t]/.test(line);
    }
    depth = tokenise(line, tokens, depth, index + 1);
    if (depth === 0 && tokens.length > 0) {
      yield { line: start, leadingSpace, tokens };
      tokens = [];
    }
  }
  if (depth !== 0) throw new LineSyntaxError(start, '"(" is never closed');
}

/** Splits one physical line into tokens and returns the open-parenthesis depth after it. */
function tokenise(line: string, tokens: Token[], depth: number, lineNumber: number): number {
  let position = 0;
  while (position < line.length) {
    const char = line[position] as string;
    if (char === ";") break;
    if (char === " " || char === "\t") position++;
    else if (char === "(") {
      depth++;
      position++;
    } else if (char === ")") {
      if (depth === 0) throw new LineSyntaxError(lineNumber, '")" without "("');
      depth--;
      position++;
    } else {
      const quoted = char === '"';
      const end = quoted ? closingQuote(line, position, lineNumber) : wordEnd(line, position);
      const raw = quoted ? line.slice(position + 1, end) : line.slice(position, end);
      const bytes = unescape(raw, lineNumber);
      tokens.push({ text: quoted ? raw : wordText(bytes), quoted, bytes });
      position = quoted ? end + 1 : end;
    }
  }
  return depth;
}

function closingQuote(line: string, start: number, lineNumber: number): number {
  for (let index = start + 1; index < line.length; index++) {
    if (line[index] === "\\") index++;
    else if (line[index] === '"') return index;
  }
  throw new LineSyntaxError(lineNumber, "a quoted string is not closed on its line");
}

function wordEnd(line: string, start: number): number {
  let index = start;
  while (index < line.length && !/[ \t;()"]/.test(line[index] as string)) {
    if (line[index] === "\\") index++;
    index++;
  }
  return Math.min(index, line.length);
}

/**
 * Decodes an unquoted word. Valid UTF-8 is read as UTF-8, so that a Unicode owner name can be
 * converted to its xn-- form. Other bytes, such as a `\DDD` escape over 127, map one to one.
 */
function wordText(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.includes("\uFFFD") ? bytes.toString("latin1") : text;
}

/** Applies `\DDD` (a decimal byte) and `\X` (X itself) escapes, returning the bytes. */
function unescape(raw: string, lineNumber: number): Buffer {
  const parts: Buffer[] = [];
  let index = 0;
  // Text between escapes is copied in slices, so a long string costs one pass, not one string
  // concatenation per character.
  for (let slash = raw.indexOf("\\"); slash >= 0; slash = raw.indexOf("\\", index)) {
    parts.push(Buffer.from(raw.slice(index, slash), "utf8"));
    const digits = raw.slice(slash + 1, slash + 4);
    if (/^\d{3}$/.test(digits)) {
      const value = Number(digits);
      if (value > 255) throw new LineSyntaxError(lineNumber, `escape \\${digits} is over 255`);
      parts.push(Buffer.from([value]));
      index = slash + 4;
    } else {
      parts.push(Buffer.from(raw[slash + 1] ?? "", "utf8"));
      index = slash + 2;
    }
  }
  parts.push(Buffer.from(raw.slice(index), "utf8"));
  return Buffer.concat(parts);
}

/** Adds the record of one logical line to `into` and returns the type of a skipped pseudo-record. */
function parseEntry(
  tokens: Token[],
  leadingSpace: boolean,
  state: ParseState,
  into: ZoneData,
): string | null {
  const first = tokens[0] as Token;
  if (!first.quoted && first.text.startsWith("$")) {
    parseDirective(tokens, state);
    return null;
  }
  let rest = tokens;
  if (!leadingSpace) {
    state.owner = absoluteName(first.text, state.origin);
    rest = tokens.slice(1);
  }
  if (state.owner === null)
    throw new SyntaxError("a record has no owner name and none came before");

  const fields = ttlAndClass(rest, state);
  const type = fields.type.toUpperCase();
  if (PSEUDO_RECORD_TYPES.has(type)) return type;
  const record = parseRecord(type, fields.rdata, fields.ttlSeconds, state.origin);
  state.owners.add(state.owner);
  if (type === "SOA") state.origins.add(state.owner);
  const list = into.get(state.owner) ?? [];
  list.push(record);
  into.set(state.owner, list);
  return null;
}

/**
 * Record types that DNS hosts accept in their zone files and exports but never send: the
 * server looks up the target name when queried and answers with its A and AAAA records.
 * PowerDNS and Google Cloud DNS call the type ALIAS, and other hosts call it ANAME.
 */
const PSEUDO_RECORD_TYPES = new Set(["ALIAS", "ANAME"]);

function pseudoRecordNote(source: string, line: number, type: string): string {
  return (
    `${source}, line ${line}: skipped the ${type} record, which the DNS host turns into A and ` +
    `AAAA answers when queried; the file's other records are read, but not those addresses`
  );
}

function parseDirective(tokens: Token[], state: ParseState): void {
  const [directive, value] = tokens;
  const name = directive?.text.toUpperCase();
  if (value === undefined) throw new SyntaxError(`${name ?? "$"} needs a value`);
  if (name === "$ORIGIN") {
    state.origin = absoluteName(value.text, state.origin);
    state.origins.add(state.origin);
  } else if (name === "$TTL") state.ttlSeconds = parseTtl(value.text);
  else throw new SyntaxError(`${name ?? ""} is not supported: use $ORIGIN and $TTL only`);
}

function ttlAndClass(
  tokens: Token[],
  state: ParseState,
): { ttlSeconds: number; type: string; rdata: Token[] } {
  let ttlSeconds = state.ttlSeconds;
  let index = 0;
  for (; index < 2 && index < tokens.length; index++) {
    const text = (tokens[index] as Token).text;
    if (/^\d/.test(text)) ttlSeconds = parseTtl(text);
    else if (/^(IN|CH|HS|CS)$/i.test(text)) continue;
    else break;
  }
  const type = tokens[index];
  if (type === undefined) throw new SyntaxError("a record has no type");
  return { ttlSeconds, type: type.text, rdata: tokens.slice(index + 1) };
}

const TTL_UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
};

/**
 * Parses a TTL in seconds (`3600`), or as BIND writes it: numbers with units s, m, h, d or w
 * in any case, one after another (`1h`, `1H30M`, `1w2d`).
 */
function parseTtl(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(?:\d+[smhdw])+$/i.test(text)) {
    throw new SyntaxError(
      `invalid TTL ${quoteExcerpt(text)}: give seconds or units such as 1h, 1d, 1h30m`,
    );
  }
  let seconds = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([smhdw])/gi)) {
    seconds += Number(count) * (TTL_UNIT_SECONDS[(unit ?? "").toLowerCase()] ?? 0);
  }
  return seconds;
}

/**
 * Resolves a possibly relative name against the origin (RFC 1035, section 5.1). A name with
 * non-ASCII characters is converted to its ASCII (xn--) form, as DNS servers store it.
 */
function absoluteName(text: string, origin: string): string {
  if (text === "@") {
    if (origin === "") throw new SyntaxError('"@" used before any $ORIGIN');
    return origin;
  }
  const name = asciiName(text);
  if (name.endsWith(".")) return normaliseName(name);
  if (origin === "")
    throw new SyntaxError(`relative name ${quoteExcerpt(text)} before any $ORIGIN`);
  return normaliseName(`${name}.${origin}`);
}

function asciiName(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const trailingDot = text.endsWith(".") ? "." : "";
  const ascii = domainToASCII(text);
  if (ascii === "") {
    throw new SyntaxError(
      `invalid name ${quoteExcerpt(text)}: it cannot be converted to its ASCII (xn--) form. Write the name ` +
        "with letters, digits and hyphens only",
    );
  }
  return ascii.endsWith(".") ? ascii : `${ascii}${trailingDot}`;
}

function parseRecord(type: string, rdata: Token[], ttlSeconds: number, origin: string): ZoneRecord {
  const one = (): string => {
    if (rdata.length !== 1) throw new SyntaxError(`${type} takes one value, found ${rdata.length}`);
    return (rdata[0] as Token).text;
  };
  switch (type) {
    case "A":
      if (!ipaddr.IPv4.isValidFourPartDecimal(one()))
        throw new SyntaxError(`invalid A ${quoteExcerpt(one())}`);
      return { type, ttlSeconds, data: one() };
    case "AAAA":
      if (!ipaddr.IPv6.isValid(one())) throw new SyntaxError(`invalid AAAA ${quoteExcerpt(one())}`);
      return { type, ttlSeconds, data: ipaddr.IPv6.parse(one()).toString() };
    case "PTR":
    case "CNAME":
    case "NS":
      return { type, ttlSeconds, data: absoluteName(one(), origin) };
    case "MX":
      return { type, ttlSeconds, data: parseMx(rdata, origin) };
    case "TXT":
      if (rdata.length === 0) throw new SyntaxError("TXT needs at least one string");
      rejectOversizedText(rdata);
      return { type, ttlSeconds, data: rdata.map((token) => decodeText(token.bytes)) };
    default:
      if (!isKnownRecordType(type)) {
        throw new SyntaxError(
          `unknown record type ${quoteExcerpt(type)}: check the spelling or use the TYPE<number> form`,
        );
      }
      return { type: "OTHER", rrtype: type, ttlSeconds, data: rdata.map((t) => t.text).join(" ") };
  }
}

/**
 * Maximum bytes of a TXT record's strings. Record data has a 16-bit length (RFC 1035, section
 * 3.2.1), so no DNS server can send more. One string over 255 bytes is still accepted, although
 * RFC 1035 caps a character-string at 255, so that a DKIM key pasted as one string reads.
 */
const MAX_TXT_BYTES = 65_535;

/** Throws a SyntaxError when the strings of a TXT record could not fit in one record. */
function rejectOversizedText(rdata: readonly { readonly bytes: Uint8Array }[]): void {
  const bytes = rdata.reduce((sum, token) => sum + token.bytes.length, 0);
  if (bytes <= MAX_TXT_BYTES) return;
  throw new SyntaxError(
    `the TXT record has ${bytes.toLocaleString("en-US")} bytes of text, more than the ` +
      `${MAX_TXT_BYTES.toLocaleString("en-US")} that one DNS record can carry: shorten it`,
  );
}

/**
 * Data types from the IANA "Resource Record (RR) TYPEs" registry that a master file may contain.
 * delist reads only A, AAAA, CNAME, MX, NS, PTR and TXT and keeps the others as text.
 */
const OTHER_RECORD_TYPES = new Set(
  [
    "SOA MD MF MB MG MR NULL WKS HINFO MINFO RP AFSDB X25 ISDN RT NSAP NSAP-PTR SIG KEY PX GPOS",
    "LOC NXT EID NIMLOC SRV ATMA NAPTR KX CERT A6 DNAME SINK APL DS SSHFP IPSECKEY RRSIG NSEC",
    "DNSKEY DHCID NSEC3 NSEC3PARAM TLSA SMIMEA HIP NINFO RKEY TALINK CDS CDNSKEY OPENPGPKEY",
    "CSYNC ZONEMD SVCB HTTPS DSYNC HHIT BRID SPF UINFO UID GID UNSPEC NID L32 L64 LP EUI48",
    "EUI64 URI CAA AVC DOA AMTRELAY RESINFO WALLET CLA IPN TA DLV",
  ]
    .join(" ")
    .split(" "),
);

/** Checks for a registered data type or the RFC 3597 generic form, such as `TYPE65534`. */
function isKnownRecordType(type: string): boolean {
  return OTHER_RECORD_TYPES.has(type) || /^TYPE\d{1,5}$/.test(type);
}

function parseMx(rdata: Token[], origin: string): RecordDataMap["MX"] {
  const [priority, exchange] = rdata;
  if (
    rdata.length !== 2 ||
    priority === undefined ||
    exchange === undefined ||
    !/^\d+$/.test(priority.text)
  ) {
    throw new SyntaxError('MX takes a preference and a host name, such as "10 mail.example.com."');
  }
  const host = exchange.text === "." ? "" : absoluteName(exchange.text, origin);
  return { priority: Number(priority.text), exchange: host };
}

function decodeText(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.includes("\uFFFD") ? bytes.toString("latin1") : text;
}
