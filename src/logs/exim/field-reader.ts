/**
 * A cursor over the space-separated fields of an Exim log line: `key=value`, `key="quoted
 * value"` with `\"` and `\\` escapes, and bare tokens such as `defer`, `(-44)`, `<parent@…>`
 * or `for`. It allocates nothing until a caller asks for a value, because it runs on every
 * line of the main log.
 */

/** Key of a bare token (no `key=`). */
export const KEY_NONE = 0;
/** Key longer than three characters; such keys are skipped by every caller. */
export const KEY_LONG = -1;

/** Packs a key of up to three ASCII characters into a number, first character lowest. */
export function keyCode(key: string): number {
  let code = 0;
  for (let i = key.length - 1; i >= 0; i--) code = code * 256 + key.charCodeAt(i);
  return code;
}

export const KEY_A = keyCode("A");
export const KEY_C = keyCode("C");
export const KEY_F = keyCode("F");
export const KEY_H = keyCode("H");
export const KEY_I = keyCode("I");
export const KEY_ID = keyCode("id");
export const KEY_P = keyCode("P");
export const KEY_R = keyCode("R");
export const KEY_S = keyCode("S");
export const KEY_T = keyCode("T");
export const KEY_U = keyCode("U");
export const KEY_X = keyCode("X");

/**
 * The mark that Exim writes with `log_selector = +dnssec` between the host name and the address
 * of a delivery line's `H=` field (`H=mx.example.net DS [192.0.2.10]:25`) when the DNS lookups
 * of that host were DNSSEC-validated (`d_hostlog` in Exim's `deliver.c`). On `<=` lines Exim
 * writes ` DS` before ` H=` instead, and on reject lines directly before it (`DSH=`), where the
 * callers' search for `H=` passes over it. The mark includes the spaces and the bracket, so only
 * a `DS` token directly before the address is read past.
 */
export const DNSSEC_MARK = " DS [";

const SPACE = 32;
const QUOTE = 34;
const OPEN_PAREN = 40;
const COLON = 58;
const EQUALS = 61;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;

/**
 * Reads fields one at a time with `next()`. When created for a delivery or error line, it
 * stops at the colon that ends the fields (`CV=yes: SMTP error…`, `T=t1 : return message…`,
 * `(-44): …`) and records in `textStart` where the free text after it begins.
 */
export class FieldReader {
  text = "";
  /** Packed key of the current field (see `keyCode`), `KEY_NONE` or `KEY_LONG`. */
  key = KEY_NONE;
  valueStart = 0;
  valueEnd = 0;
  /** True when the current value was double-quoted, so it may contain escapes. */
  quoted = false;
  /** Index where the free text after the fields begins, or -1 while there is none. */
  textStart = -1;
  /** Parts of the last `H=` field that `readHost` read. */
  hostName: string | null = null;
  hostHelo: string | null = null;
  hostIp: string | null = null;
  /**
   * The port after the address (`[192.0.2.1]:587`), which Exim writes when `log_selector` has
   * `+outgoing_port`, else null.
   */
  hostPort: number | null = null;

  private position = 0;
  private stopAtColon = false;

  /** Starts reading `text` at `start`. */
  reset(text: string, start: number, stopAtColon: boolean): void {
    this.text = text;
    this.position = start;
    this.stopAtColon = stopAtColon;
    this.textStart = -1;
  }

  /** Moves to the next field; false at the end of the line or of the fields. */
  next(): boolean {
    const start = this.skipSpaces();
    if (start < 0) return false;
    const text = this.text;

    // One- and two-character keys (`H=`, `CV=`) are most fields, so they are decided with the
    // fewest character reads; longer keys take the loop.
    let valueStart = start;
    this.key = KEY_NONE;
    const first = text.charCodeAt(start);
    if (first < 128 && KEY_CHARACTER[first] === 1) {
      const second = text.charCodeAt(start + 1);
      if (second === EQUALS) {
        this.key = first;
        valueStart = start + 2;
      } else if (text.charCodeAt(start + 2) === EQUALS && isKeyCharacter(second)) {
        this.key = first + second * 256;
        valueStart = start + 3;
      } else {
        const equals = keyEnd(text, start);
        if (equals > start) {
          this.key = equals - start <= 3 ? packKey(text, start, equals) : KEY_LONG;
          valueStart = equals + 1;
        }
      }
    }
    if (this.key !== KEY_NONE && text.charCodeAt(valueStart) === QUOTE) {
      this.readQuoted(valueStart);
      return true;
    }
    return this.readPlain(valueStart);
  }

  /** Moves to the next token without looking for `key=`: for addresses, which may hold `=`. */
  nextBare(): boolean {
    const start = this.skipSpaces();
    if (start < 0) return false;
    this.key = KEY_NONE;
    return this.readPlain(start);
  }

  /** Returns the current value, with `\"` and `\\` escapes resolved. */
  value(): string {
    const raw = this.text.slice(this.valueStart, this.valueEnd);
    return this.quoted && raw.includes("\\") ? unescapeQuoted(raw) : raw;
  }

  /** True when the current value equals `expected`. */
  valueIs(expected: string): boolean {
    return (
      this.valueEnd - this.valueStart === expected.length &&
      this.text.startsWith(expected, this.valueStart)
    );
  }

  /** Returns the current value as a non-negative integer, or null when it is not one. */
  integerValue(): number | null {
    if (this.valueEnd === this.valueStart) return null;
    let result = 0;
    for (let i = this.valueStart; i < this.valueEnd; i++) {
      const digit = this.text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return null;
      result = result * 10 + digit;
    }
    return result;
  }

  /** Returns the index after the last token read, where an unread rest of the line starts. */
  get offset(): number {
    return this.position;
  }

  /**
   * Reads the host of the current `H=` field in its three forms, `name [ip]`, `(helo) [ip]`
   * and `name (helo) [ip]`, each with an optional `:port` after the address, into
   * `hostName`, `hostHelo` and `hostIp`. A `DS` mark between the name and the address
   * (`name DS [ip]`, see `DNSSEC_MARK`) is read past.
   */
  readHost(): void {
    const text = this.text;
    this.hostName = null;
    this.hostHelo = null;
    this.hostIp = null;
    this.hostPort = null;

    let start = this.valueStart;
    let code = text.charCodeAt(start);
    if (code !== OPEN_PAREN && code !== OPEN_BRACKET) {
      this.hostName = text.slice(start, this.valueEnd);
      if (this.textStart >= 0) return;
      start = this.position + 1;
      if (text.startsWith(DNSSEC_MARK, start - 1)) {
        this.position = start + 2;
        start += 3;
      }
      code = text.charCodeAt(start);
    }
    if (code === OPEN_PAREN) {
      // A HELO argument may contain spaces, so the closing parenthesis ends it.
      const close = text.indexOf(")", start);
      if (close < 0) return;
      this.hostHelo = text.slice(start + 1, close);
      this.position = close + 1;
      start = close + 2;
      code = text.charCodeAt(start);
    }
    if (code === OPEN_BRACKET) this.readAddress(start);
  }

  private readAddress(start: number): void {
    const text = this.text;
    const close = text.indexOf("]", start);
    if (close < 0) return;
    this.hostIp = text.slice(start + 1, close);
    if (text.charCodeAt(close + 1) === COLON) this.hostPort = portAt(text, close + 2);
    let end = text.indexOf(" ", close);
    if (end < 0) end = text.length;
    this.position = end;
    if (this.stopAtColon && text.charCodeAt(end - 1) === COLON) this.markText(end);
  }

  private skipSpaces(): number {
    if (this.textStart >= 0) return -1;
    const text = this.text;
    let index = this.position;
    while (text.charCodeAt(index) === SPACE) index += 1;
    if (index >= text.length) {
      this.position = text.length;
      return -1;
    }
    return index;
  }

  private readPlain(valueStart: number): boolean {
    const text = this.text;
    let end = text.indexOf(" ", valueStart);
    if (end < 0) end = text.length;
    this.valueStart = valueStart;
    this.valueEnd = end;
    this.quoted = false;
    this.position = end;

    if (this.stopAtColon && text.charCodeAt(end - 1) === COLON) {
      this.markText(end);
      this.valueEnd = end - 1;
      // A lone ` : ` separates the fields from the text and is no field itself.
      if (this.key === KEY_NONE && end - valueStart === 1) return false;
    }
    return true;
  }

  private readQuoted(quote: number): void {
    const text = this.text;
    const close = closingQuote(text, quote + 1);
    this.valueStart = quote + 1;
    this.valueEnd = close;
    this.quoted = true;
    this.position = Math.min(close + 1, text.length);

    const after = this.position;
    const endsFields = text.charCodeAt(after) === COLON;
    if (
      this.stopAtColon &&
      endsFields &&
      (after + 1 === text.length || text.charCodeAt(after + 1) === SPACE)
    ) {
      this.markText(after + 1);
    }
  }

  // Records that the free text starts after the space that follows index `end`.
  private markText(end: number): void {
    this.textStart = Math.min(end + 1, this.text.length);
  }
}

// Returns the index of the quote that closes a value starting at `start`, skipping quotes
// escaped by an odd number of backslashes, or the text length when there is none.
function closingQuote(text: string, start: number): number {
  let quote = text.indexOf('"', start);
  while (quote >= 0) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

// KEY_CHARACTER[code] is 1 for letters, 2 for digits and `_`, 0 otherwise (codes below 128).
const KEY_CHARACTER = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
  const other = (code >= 48 && code <= 57) || code === 95;
  if (letter) KEY_CHARACTER[code] = 1;
  else if (other) KEY_CHARACTER[code] = 2;
}

function isKeyCharacter(code: number): boolean {
  return code < 128 && KEY_CHARACTER[code] !== 0;
}

// Returns the index of the `=` that ends a key (a letter, then up to seven letters, digits or
// `_`) starting at `start`, or -1.
function keyEnd(text: string, start: number): number {
  if (KEY_CHARACTER[text.charCodeAt(start)] !== 1) return -1;
  for (let index = start + 1; index < start + 9; index++) {
    const code = text.charCodeAt(index);
    if (code === EQUALS) return index;
    if (code >= 128 || KEY_CHARACTER[code] === 0) return -1;
  }
  return -1;
}

function packKey(text: string, start: number, end: number): number {
  let code = 0;
  for (let i = end - 1; i >= start; i--) code = code * 256 + text.charCodeAt(i);
  return code;
}

/** Resolves the `\"` and `\\` escapes of an Exim quoted value; other escapes stay as written. */
export function unescapeQuoted(raw: string): string {
  let result = "";
  let last = 0;
  for (let i = raw.indexOf("\\"); i >= 0 && i < raw.length - 1; i = raw.indexOf("\\", i)) {
    const next = raw.charCodeAt(i + 1);
    if (next === QUOTE || next === BACKSLASH) {
      result += raw.slice(last, i);
      last = i + 1;
    }
    i += 2;
  }
  return result + raw.slice(last);
}

/**
 * Returns the TCP port whose digits start at `start`, as after `[192.0.2.1]:`, or null when no
 * digits are there or they make no port (more than five digits, or above 65535).
 */
export function portAt(text: string, start: number): number | null {
  let port = 0;
  let index = start;
  for (; index < text.length && index - start <= 5; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) break;
    port = port * 10 + digit;
  }
  const digits = index - start;
  return digits === 0 || digits > 5 || port > 65535 ? null : port;
}
