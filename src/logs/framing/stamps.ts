/**
 * Character-level readers for the timestamp styles of mail logs. They work on char codes
 * instead of regular expressions because every input line passes through them.
 */

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** Returns the month (0–11) of an English abbreviation at `start`, or -1. */
export function monthAt(text: string, start: number): number {
  return MONTHS[text.slice(start, start + 3)] ?? -1;
}

/** Returns the value of `count` decimal digits at `start`, or -1 when one is not a digit. */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True when `text` has `HH:MM:SS` at `start` with plausible values. */
export function isClockAt(text: string, start: number): boolean {
  return (
    text.charCodeAt(start + 2) === 58 &&
    text.charCodeAt(start + 5) === 58 &&
    digitsAt(text, start, 2) <= 23 &&
    digitsAt(text, start, 2) >= 0 &&
    digitsAt(text, start + 3, 2) >= 0 &&
    digitsAt(text, start + 3, 2) <= 59 &&
    digitsAt(text, start + 6, 2) >= 0 &&
    digitsAt(text, start + 6, 2) <= 60
  );
}

/** True when `text` has `YYYY-MM-DD` at `start`. */
export function isIsoDateAt(text: string, start: number): boolean {
  return (
    text.charCodeAt(start + 4) === 45 &&
    text.charCodeAt(start + 7) === 45 &&
    digitsAt(text, start, 4) >= 0 &&
    digitsAt(text, start + 5, 2) >= 1 &&
    digitsAt(text, start + 5, 2) <= 12 &&
    digitsAt(text, start + 8, 2) >= 1 &&
    digitsAt(text, start + 8, 2) <= 31
  );
}

/** A fraction of a second and a zone offset read after `HH:MM:SS`. */
export interface StampTail {
  /** Milliseconds from the fraction (`.481230` → 481). */
  millisecond: number;
  /** Offset in minutes when the stamp has `Z` or `±HH[:]MM`, else null (naive time). */
  offsetMinutes: number | null;
  /** Index just after the stamp. */
  end: number;
}

/** Reads `[.fraction][Z|±HH:MM|±HHMM]` at `start`. */
export function readStampTail(text: string, start: number): StampTail {
  let index = start;
  let millisecond = 0;
  if (text.charCodeAt(index) === 46 || text.charCodeAt(index) === 44) {
    index += 1;
    let digits = 0;
    while (isDigit(text.charCodeAt(index))) {
      if (digits < 3) millisecond = millisecond * 10 + (text.charCodeAt(index) - 48);
      digits += 1;
      index += 1;
    }
    for (let i = digits; i < 3; i++) millisecond *= 10;
  }

  const zoneChar = text.charCodeAt(index);
  if (zoneChar === 90) return { millisecond, offsetMinutes: 0, end: index + 1 };
  if (zoneChar !== 43 && zoneChar !== 45) return { millisecond, offsetMinutes: null, end: index };

  const sign = zoneChar === 45 ? -1 : 1;
  const hours = digitsAt(text, index + 1, 2);
  const colon = text.charCodeAt(index + 3) === 58 ? 1 : 0;
  const minutes = digitsAt(text, index + 3 + colon, 2);
  if (hours < 0 || minutes < 0) return { millisecond, offsetMinutes: null, end: index };
  return { millisecond, offsetMinutes: sign * (hours * 60 + minutes), end: index + 5 + colon };
}

/** True for the char code of an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
