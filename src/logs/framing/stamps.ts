/**
 * Character-level readers for the timestamp styles of mail logs. They work on char codes
 * instead of regular expressions because every input line passes through them.
 */

import { utcMs } from "../../time/civil.js";

// Month (0–11) by the letters of its English abbreviation: index (A-Z, a-z, a-z) as
// `(first - 65) * 676 + (second - 97) * 26 + (third - 97)`, -1 elsewhere. A typed-array load
// is cheaper than slicing the three letters and looking them up, and every line needs it.
const MONTH_BY_LETTERS = new Int8Array(26 * 26 * 26).fill(-1);
["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].forEach(
  (name, month) => {
    MONTH_BY_LETTERS[monthIndex(name.charCodeAt(0), name.charCodeAt(1), name.charCodeAt(2))] =
      month;
  },
);

function monthIndex(first: number, second: number, third: number): number {
  return (first - 65) * 676 + (second - 97) * 26 + (third - 97);
}

/** Returns the month (0–11) of an English abbreviation (`Jan` … `Dec`) at `start`, or -1. */
export function monthAt(text: string, start: number): number {
  const first = text.charCodeAt(start);
  const second = text.charCodeAt(start + 1);
  const third = text.charCodeAt(start + 2);
  if (!(first >= 65 && first <= 90 && second >= 97 && second <= 122)) return -1;
  if (!(third >= 97 && third <= 122)) return -1;
  return MONTH_BY_LETTERS[monthIndex(first, second, third)] ?? -1;
}

/** Returns the value of `count` decimal digits at `start`, or -1 when one is not a digit. */
export function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    // Past the end of the text charCodeAt returns NaN, which fails this test too.
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True when `text` has `HH:MM:SS` at `start` with plausible values (second 60 is a leap second). */
export function isClockAt(text: string, start: number): boolean {
  if (text.charCodeAt(start + 2) !== 58 || text.charCodeAt(start + 5) !== 58) return false;
  const hour = digitsAt(text, start, 2);
  const minute = digitsAt(text, start + 3, 2);
  const second = digitsAt(text, start + 6, 2);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
}

/** True when `text` has `YYYY-MM-DD` at `start` with a month of 1–12 and a day of 1–31. */
export function isIsoDateAt(text: string, start: number): boolean {
  if (text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45) return false;
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  return digitsAt(text, start, 4) >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/**
 * Reads `YYYY-MM-DD?HH:MM:SS` (any separator at index 10) into its fields, each digit once.
 * A framer keeps one reader, so reading allocates nothing.
 */
export class IsoDateTime {
  year = 0;
  /** Month 0–11, as `Date.UTC` takes it. */
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;

  /** Reads the 19 characters at `start`; returns false when they are no valid date and time. */
  read(text: string, start: number): boolean {
    if (text.charCodeAt(start + 4) !== 45 || text.charCodeAt(start + 7) !== 45) return false;
    if (text.charCodeAt(start + 13) !== 58 || text.charCodeAt(start + 16) !== 58) return false;
    const year = digitsAt(text, start, 4);
    const month = digitsAt(text, start + 5, 2);
    const day = digitsAt(text, start + 8, 2);
    const hour = digitsAt(text, start + 11, 2);
    const minute = digitsAt(text, start + 14, 2);
    const second = digitsAt(text, start + 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return false;
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return false;
    }
    this.year = year;
    this.month = month - 1;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    return true;
  }
}

/**
 * Reads a classic syslog stamp and its space (`Mar  4 09:15:02 `, `Sep 8 07:46:30 `, or
 * `Mar 04 09:15:02.596853 ` of `journalctl -o short-precise`) into its fields. It reads no
 * year, so the date may be one that no year has.
 */
export class ClassicStamp {
  /** Month 0–11, as `Date.UTC` takes it. */
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;
  millisecond = 0;
  private readonly tail = new StampTail();

  /** Returns the index after the stamp and its space at `start`, or -1 when none is there. */
  read(text: string, start: number): number {
    const month = monthAt(text, start);
    if (month < 0 || text.charCodeAt(start + 3) !== 32) return -1;

    let clockStart = start + 7;
    let day: number;
    if (text.charCodeAt(start + 4) === 32) {
      day = digitsAt(text, start + 5, 1);
    } else if (text.charCodeAt(start + 5) === 32) {
      day = digitsAt(text, start + 4, 1);
      clockStart = start + 6;
    } else {
      day = digitsAt(text, start + 4, 2);
    }
    if (day < 1 || day > 31 || text.charCodeAt(clockStart - 1) !== 32) return -1;

    if (text.charCodeAt(clockStart + 2) !== 58 || text.charCodeAt(clockStart + 5) !== 58) {
      return -1;
    }
    const hour = digitsAt(text, clockStart, 2);
    const minute = digitsAt(text, clockStart + 3, 2);
    const second = digitsAt(text, clockStart + 6, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return -1;
    }

    let stampEnd = clockStart + 8;
    let millisecond = 0;
    if (text.charCodeAt(stampEnd) !== 32) {
      // `journalctl -o short-precise` adds microseconds: `Mar 04 09:15:02.596853 `.
      if (text.charCodeAt(stampEnd) !== 46) return -1;
      const tail = this.tail.read(text, stampEnd);
      if (tail.hasOffset || text.charCodeAt(tail.end) !== 32) return -1;
      millisecond = tail.millisecond;
      stampEnd = tail.end;
    }

    this.month = month;
    this.day = day;
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.millisecond = millisecond;
    return stampEnd + 1;
  }
}

/**
 * Reads `[.fraction][Z|±HH:MM|±HHMM]` after `HH:MM:SS`. The result is left in the fields, so a
 * framer can keep one reader and allocate nothing per line.
 */
export class StampTail {
  /** Milliseconds from the fraction (`.481230` → 481). */
  millisecond = 0;
  /** True when the stamp has `Z` or `±HH[:]MM`; false for a naive (local) time. */
  hasOffset = false;
  /** Offset east of UTC in minutes; 0 when `hasOffset` is false. */
  offsetMinutes = 0;
  /** Index just after the stamp. */
  end = 0;

  /** Reads the tail at `start` into the fields and returns this reader. */
  read(text: string, start: number): this {
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
    this.millisecond = millisecond;
    this.hasOffset = false;
    this.offsetMinutes = 0;
    this.end = index;

    const zoneChar = text.charCodeAt(index);
    if (zoneChar === 90) {
      this.hasOffset = true;
      this.end = index + 1;
    } else if (zoneChar === 43 || zoneChar === 45) {
      this.readOffset(text, index, zoneChar === 45 ? -1 : 1);
    }
    return this;
  }

  private readOffset(text: string, index: number, sign: number): void {
    const hours = digitsAt(text, index + 1, 2);
    const colon = text.charCodeAt(index + 3) === 58 ? 1 : 0;
    const minutes = digitsAt(text, index + 3 + colon, 2);
    if (hours < 0 || minutes < 0) return;
    this.hasOffset = true;
    this.offsetMinutes = sign * (hours * 60 + minutes);
    this.end = index + 5 + colon;
  }
}

/** True for the char code of an ASCII digit. */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Reads a TAI64N label (`@` and 24 hex digits, as daemontools multilog and s6-log write them)
 * at `start` and returns its instant in ms, or -1. daemontools' tai64n takes the system clock
 * as TAI seconds since 1970-01-01 00:00:10 TAI, so the label is 2^62 + 10 + the Unix seconds,
 * then 8 hex digits of nanoseconds.
 * NOTE: leap seconds are ignored as in that convention; a writer that counts them (true TAI)
 * reads up to 27 s late.
 */
export function tai64nAt(text: string, start: number): number {
  if (text.charCodeAt(start) !== 64 || !text.startsWith("40000000", start + 1)) return -1;
  const seconds = hexAt(text, start + 9, 8);
  const nanoseconds = hexAt(text, start + 17, 8);
  if (seconds < 0 || nanoseconds < 0 || nanoseconds > 999_999_999) return -1;
  return (seconds - 10) * 1000 + Math.floor(nanoseconds / 1_000_000);
}

function hexAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i) | 0x20;
    let digit = code - 48;
    if (digit < 0 || digit > 9) digit = code >= 97 && code <= 102 ? code - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/**
 * Reads Roundcube's stamp `[20-Oct-2020 14:56:10 +0100]` at the start of `text` and returns
 * its instant in ms, or -1. Its default date format always carries an offset.
 */
export function bracketedStampTime(text: string): number {
  if (text.charCodeAt(0) !== 91 || text.charCodeAt(3) !== 45 || text.charCodeAt(7) !== 45) {
    return -1;
  }
  const day = digitsAt(text, 1, 2);
  const month = monthAt(text, 4);
  const year = digitsAt(text, 8, 4);
  if (day < 1 || day > 31 || month < 0 || year < 0 || text.charCodeAt(12) !== 32) return -1;
  if (!isClockAt(text, 13) || text.charCodeAt(21) !== 32) return -1;
  const zone = new StampTail().read(text, 22);
  if (!zone.hasOffset || text.charCodeAt(zone.end) !== 93) return -1;
  const hour = digitsAt(text, 13, 2);
  const minute = digitsAt(text, 16, 2);
  const second = digitsAt(text, 19, 2);
  return utcMs(year, month, day, hour, minute, second, 0) - zone.offsetMinutes * 60_000;
}
