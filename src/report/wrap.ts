/** Text layout helpers for reports meant to be read at 80 columns. */

/** Report width in columns. */
export const WIDTH = 80;

/** The start of the word in which `shellQuote` writes a value with hidden characters. */
const PRINTF_WORD = '"$(printf ';

/**
 * The whitespace between two words. The space in a `"$(printf '...')"` word is no break,
 * because a command copied from two lines would run `printf` without its format.
 */
const WORD_BREAK = /(?<!"\$\(printf)\s+/g;

/**
 * A single-quoted shell word, such as `'my logs/mail.log'`, with any `'\''` that puts a quote
 * inside it. Whitespace inside it is no break either, because a command copied from two
 * lines would name another value. The quote must start a word or follow `=` or `(`, so that an
 * apostrophe inside a word ("isn't") starts none.
 */
const QUOTED_WORD = /(?<=^|[\s=(])'[^']*'(?:\\''[^']*')*/g;

/**
 * A code span of report text, such as `postqueue -f`. A command copied from two lines would
 * run without its arguments, so whitespace inside it is no break. Long commands of fix steps
 * get a line of their own (see `splitCommands`).
 */
const CODE_SPAN = /`[^`\n]+`/g;

/**
 * A date with its time, as `shortTime` writes it, and the time zone in brackets when one
 * follows, as in `2024-03-04 12:10:03+01:00 (Europe/Berlin)`. A line break inside it would
 * part the date from its time or the time from its zone.
 */
const DATE_TIME =
  /\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[+-]\d\d:\d\d)?(?: \((?:UTC|[+-]\d\d:\d\d|[A-Za-z]+(?:\/[\w+-]+)+)\))?/g;

/**
 * Splits `text` into words at `WORD_BREAK`, keeping each `QUOTED_WORD`, `CODE_SPAN` and
 * `DATE_TIME` whole.
 */
function splitWords(text: string): string[] {
  const quoted = [
    ...text.matchAll(QUOTED_WORD),
    ...text.matchAll(CODE_SPAN),
    ...text.matchAll(DATE_TIME),
  ].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
  const words: string[] = [];
  let start = 0;
  for (const match of text.matchAll(WORD_BREAK)) {
    const inQuotes = quoted.some((span) => match.index > span.start && match.index < span.end);
    if (inQuotes) continue;
    words.push(text.slice(start, match.index));
    start = match.index + match[0].length;
  }
  words.push(text.slice(start));
  return words.filter((word) => word.length > 0);
}

/**
 * Wraps `text` to `width` columns, prefixing the first line with `first` and the others with
 * `rest` (usually spaces of the same length). Words longer than a line (URLs, long reply
 * tokens) are kept whole rather than broken. East Asian wide characters count as two columns,
 * and a line may also break between two of them, as Japanese and Chinese text has no spaces.
 */
export function wrap(
  text: string,
  first = "",
  rest = " ".repeat(first.length),
  width = WIDTH,
): string[] {
  const lines: string[] = [];
  let line = first;
  let lineColumns = columns(first);
  let empty = true;
  for (const word of splitWords(text)) {
    splitAtWideCharacters(word).forEach((piece, index) => {
      const separator = empty || index > 0 ? "" : " ";
      const pieceColumns = columns(piece);
      if (!empty && lineColumns + separator.length + pieceColumns > width) {
        lines.push(line);
        line = rest + piece;
        lineColumns = columns(rest) + pieceColumns;
        return;
      }
      if (empty) {
        line = (lines.length === 0 ? first : rest) + piece;
        lineColumns = columns(line);
      } else {
        line += separator + piece;
        lineColumns += separator.length + pieceColumns;
      }
      empty = false;
    });
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Returns the terminal columns that `text` takes: two for an East Asian wide or fullwidth
 * character (see `isWide`), else one per code point.
 */
export function columns(text: string): number {
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i) ?? 0;
    if (code > 0xffff) i++;
    total += code >= 0x1100 && isWide(code) ? 2 : 1;
  }
  return total;
}

/** Cuts `text` to at most `width` columns, ending a cut text with `…`. */
export function truncateColumns(text: string, width: number): string {
  if (columns(text) <= width) return text;
  let end = 0;
  let used = 0;
  while (end < text.length) {
    const code = text.codePointAt(end) ?? 0;
    const next = used + (isWide(code) ? 2 : 1);
    if (next > width - 1) break;
    used = next;
    end += code > 0xffff ? 2 : 1;
  }
  return `${text.slice(0, end)}…`;
}

// The main blocks that terminals show two columns wide: Hangul Jamo, CJK symbols, kana and
// ideographs, Hangul syllables, compatibility ideographs, vertical and fullwidth forms, and
// the supplementary ideograph planes.
// NOTE: emoji and other wide symbols outside these blocks count as one column.
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

// Splits a word between every two wide characters next to each other, the places where a
// line may break without a space. A word without them, a printf word or a single-quoted word
// comes back whole.
function splitAtWideCharacters(word: string): string[] {
  if (word.includes(PRINTF_WORD) || /(?:^|[=(])'/.test(word)) return [word];
  const pieces: string[] = [];
  let start = 0;
  let previousWide = false;
  for (let i = 0; i < word.length; i++) {
    const code = word.codePointAt(i) ?? 0;
    const wide = code >= 0x1100 && isWide(code);
    if (wide && previousWide) {
      pieces.push(word.slice(start, i));
      start = i;
    }
    previousWide = wide;
    if (code > 0xffff) i++;
  }
  pieces.push(word.slice(start));
  return pieces;
}

/**
 * Wraps a comma-separated list of `items` like `wrap`, but breaks a line only between two items,
 * so that an item such as `550 5.7.1 ×827` stays on one line. An item wider than a whole line
 * is wrapped at its spaces.
 */
export function wrapItems(
  items: readonly string[],
  first = "",
  rest = " ".repeat(first.length),
  width = WIDTH,
): string[] {
  const lines: string[] = [];
  let text = "";
  items.forEach((item, index) => {
    const piece = index < items.length - 1 ? `${item},` : item;
    const prefix = lines.length === 0 ? first : rest;
    if (text !== "" && columns(`${prefix}${text} ${piece}`) > width) {
      lines.push(...wrap(text, prefix, rest, width));
      text = piece;
    } else {
      text = text === "" ? piece : `${text} ${piece}`;
    }
  });
  lines.push(...wrap(text, lines.length === 0 ? first : rest, rest, width));
  return lines;
}

/**
 * Wraps like `wrap`, but breaks a word that is longer than a whole line (a script path, binary
 * junk) instead of letting it run past `width`. Such a word starts on the current line and
 * breaks after its last `/` that fits, so path components stay whole, else at the width.
 * Widths are counted in columns as in `wrap`.
 */
export function wrapBreakingWords(
  text: string,
  first = "",
  rest = " ".repeat(first.length),
  width = WIDTH,
): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const whole of text.split(/\s+/).filter((word) => word.length > 0)) {
    let word = whole;
    while (word.length > 0) {
      const room = width - columns(line) - (empty ? 0 : 1);
      const wordColumns = columns(word);
      if (wordColumns <= room) {
        line = empty ? line + word : `${line} ${word}`;
        empty = false;
        break;
      }
      // A word that fits on a line of its own goes there, as in `wrap`.
      if (!empty && (wordColumns <= width - columns(rest) || room < 1)) {
        lines.push(line);
        line = rest;
        empty = true;
        continue;
      }
      const cut = breakPoint(word, charsWithin(word, room));
      lines.push(empty ? line + word.slice(0, cut) : `${line} ${word.slice(0, cut)}`);
      line = rest;
      empty = true;
      word = word.slice(cut);
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

// Returns how many chars of `word` fit in `room` columns, and at least its first code point.
function charsWithin(word: string, room: number): number {
  let end = 0;
  let used = 0;
  while (end < word.length) {
    const code = word.codePointAt(end) ?? 0;
    used += isWide(code) ? 2 : 1;
    if (used > room && end > 0) break;
    end += code > 0xffff ? 2 : 1;
  }
  return end;
}

// Returns how many of the first `room` chars of an overlong word (those that fit) go on the
// line: up to its last `/` in the second half of the room, else all of the room short of a
// `\xNN` escape that the break would split, and at least one char.
function breakPoint(word: string, room: number): number {
  if (room <= 1) return 1;
  const slash = word.lastIndexOf("/", room - 1);
  if (slash >= Math.floor(room / 2)) return slash + 1;
  const escape = word.lastIndexOf("\\x", room - 1);
  if (escape > 0 && escape + 4 > room) return escape;
  return room;
}

/** Minimum number of spaces between a table cell and the next column. */
export const COLUMN_GAP = 2;

/**
 * Pads or cuts `text` to exactly `width` terminal columns (see `columns`), ending with at least
 * two spaces so the next column never touches it. A cut text ends with `…` before the gap.
 */
export function column(text: string, width: number): string {
  const cell = truncateColumns(text, width - COLUMN_GAP);
  return `${cell}${" ".repeat(Math.max(0, width - columns(cell)))}`;
}

/** Formats a number with thousands separators. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** Shortens an ISO 8601 time for tables: `2024-03-05 22:09:51`, with the zone only when not UTC. */
export function shortTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "-";
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (match === null) return iso;
  return match[3] === "Z" ? `${match[1]} ${match[2]}` : `${match[1]} ${match[2]}${match[3]}`;
}

/**
 * An ISO 8601 time to the second with its zone, as `formatInstant` writes it. A colon after it
 * ends a clause, as in "… to 2024-03-04T23:58:49Z: if one …", unless a digit follows.
 */
const ISO_TIME = /\b(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d)(?!\d|:\d|\.\d)/g;

/**
 * Rewrites every ISO 8601 time in `text` as `shortTime` does, so that the sentences of a text
 * or Markdown report give times as its tables do. JSON keeps the ISO 8601 form.
 */
export function shortTimesIn(text: string): string {
  return text.replace(ISO_TIME, (iso: string) => shortTime(iso));
}

/** An ISO 8601 UTC time with milliseconds, as `Date.prototype.toISOString` writes it. */
const ISO_MILLISECONDS = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d{3}Z/g;

/**
 * Cuts the milliseconds off every ISO 8601 UTC time in `text`, so `2024-03-05T22:09:51.396Z`
 * reads `2024-03-05T22:09:51Z`. The time is truncated, not rounded.
 */
export function dropMilliseconds(text: string): string {
  return text.replace(ISO_MILLISECONDS, "$1Z");
}

/** Formats a count with its noun, singular or plural. */
export function plural(value: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count(value)} ${value === 1 ? noun : pluralNoun}`;
}

/**
 * Formats a duration given in hours: hours as given up to 48 ("31.5 h"), then days to one
 * decimal ("1,010.8 days").
 */
export function formatDuration(hours: number): string {
  if (hours <= 48) return `${hours} h`;
  const days = Math.round((hours / 24) * 10) / 10;
  const digits = { minimumFractionDigits: 1, maximumFractionDigits: 1 };
  return `${days.toLocaleString("en-US", digits)} days`;
}
