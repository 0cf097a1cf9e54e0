/**
 * rsyslog's `$EscapeControlCharactersOnReceive`, on by default in the rsyslog documentation,
 * writes each control character of a message as `$ControlCharacterEscapePrefix` and three octal
 * digits, so a tab becomes `#011` with a `#` prefix. journald keeps the tab, so a line has two
 * spellings in the logs of one host.
 * NOTE: only the `#` prefix is decoded, so escapes written with another prefix (`\011`) still
 * keep a line apart from its journald copy.
 */

// `#`, the escape prefix that rsyslog writes.
const ESCAPE_PREFIX = 35;
const ZERO = 48;
const SEVEN = 55;
// Octal values of the control characters: 000 to 037, and 177 (DEL).
const FIRST_PRINTABLE = 0o40;
const DELETE = 0o177;

/**
 * Returns `text` with each `#NNN` escape of a control character (`#000` to `#037` and `#177`)
 * replaced by that character, or `text` itself when it has none. Other `#` sequences stay.
 */
export function unescapeControlCharacters(text: string): string {
  let escape = text.indexOf("#");
  if (escape < 0) return text;
  let result = "";
  let copied = 0;
  for (; escape >= 0; escape = text.indexOf("#", escape + 1)) {
    const value = octalAt(text, escape + 1);
    if (value < 0 || (value >= FIRST_PRINTABLE && value !== DELETE)) continue;
    result += text.slice(copied, escape) + String.fromCharCode(value);
    copied = escape + 4;
    escape += 3;
  }
  return copied === 0 ? text : result + text.slice(copied);
}

/** Returns whether `code` is the char code of `#`, which starts every escape. */
export function isEscapePrefix(code: number): boolean {
  return code === ESCAPE_PREFIX;
}

// Returns the value of the three octal digits at `start`, or -1 when there are none.
function octalAt(text: string, start: number): number {
  let value = 0;
  for (let index = start; index < start + 3; index++) {
    const code = text.charCodeAt(index);
    if (!(code >= ZERO && code <= SEVEN)) return -1;
    value = value * 8 + code - ZERO;
  }
  return value;
}
