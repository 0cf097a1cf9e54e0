/** Text layout helpers for reports meant to be read at 80 columns. */

/** Report width in columns. */
export const WIDTH = 80;

/**
 * Wraps `text` to `width` columns, prefixing the first line with `first` and the others with
 * `rest` (usually spaces of the same length). Words longer than a line (URLs, long reply
 * tokens) are kept whole rather than broken.
 */
export function wrap(
  text: string,
  first = "",
  rest = " ".repeat(first.length),
  width = WIDTH,
): string[] {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    const prefix = lines.length === 0 ? first : rest;
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
      continue;
    }
    line = empty ? prefix + word : `${line} ${word}`;
    empty = false;
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * Wraps like `wrap`, but breaks a word that is longer than a whole line (a script path, binary
 * junk) instead of letting it run past `width`. Such a word starts on the current line and
 * breaks after its last `/` that fits, so path components stay whole, else at the width.
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
      const room = width - line.length - (empty ? 0 : 1);
      if (word.length <= room) {
        line = empty ? line + word : `${line} ${word}`;
        empty = false;
        break;
      }
      // A word that fits on a line of its own goes there, as in `wrap`.
      if (!empty && (word.length <= width - rest.length || room < 1)) {
        lines.push(line);
        line = rest;
        empty = true;
        continue;
      }
      const cut = breakPoint(word, room);
      lines.push(empty ? line + word.slice(0, cut) : `${line} ${word.slice(0, cut)}`);
      line = rest;
      empty = true;
      word = word.slice(cut);
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

// Returns how many chars of an overlong word go on a line with `room` columns left: up to its
// last `/` in the second half of the room, else all of the room short of a `\xNN` escape that
// the break would split, and at least one char.
function breakPoint(word: string, room: number): number {
  if (room <= 1) return 1;
  const slash = word.lastIndexOf("/", room - 1);
  if (slash >= Math.floor(room / 2)) return slash + 1;
  const escape = word.lastIndexOf("\\x", room - 1);
  if (escape > 0 && escape + 4 > room) return escape;
  return room;
}

/** Pads or cuts `text` to exactly `width` characters. */
export function column(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
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

/** Formats a count with its noun, singular or plural. */
export function plural(value: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count(value)} ${value === 1 ? noun : pluralNoun}`;
}
