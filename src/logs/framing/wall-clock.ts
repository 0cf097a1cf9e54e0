import type { TimeZone } from "../../time/zone.js";

/**
 * Maximum time by which a line may be dated before the latest line above it and still count
 * as a late line, outside the hour that repeats when clocks go back. Syslog daemons and
 * programs that buffer write lines a little out of order. The time-goes-back note of
 * `diagnose` allows the same 10 minutes.
 */
export const MAX_LATE_LINE_MS = 10 * 60_000;

/**
 * Converts the naive wall-clock times of consecutive log lines (classic syslog, Exim's main
 * log) into instants, and reads the hour that repeats when clocks go back as a server writes
 * it. A time in that hour has an earlier (summer) and a later (winter) instant, which lie one
 * shift apart (an hour in most zones). Each line is compared with a reference, the latest
 * instant read since the file set started or the clock was last changed:
 *
 * - A line at most {@link MAX_LATE_LINE_MS} before the reference is a late line, and keeps
 *   its earlier instant.
 * - In the repeated hour, a line whose earlier instant lies less than a third of the shift
 *   (20 minutes for an hour) before the reference is a late line of the first pass, and keeps
 *   that instant.
 * - A line whose later instant lies within two thirds of the shift (40 minutes) of the
 *   reference, before or after it, belongs to the second pass, or is a late line of it, and
 *   takes the later instant.
 * - Any other step back means that the server's clock was changed, or that the lines of a
 *   host with another clock follow in a merged log. The earlier instant is taken, and the
 *   reference follows it.
 *
 * A late line never moves the reference back, so the lines after it are still compared with
 * the lines before it.
 *
 * NOTE: a gap in the log can look like a late line. A server that writes nothing for more
 * than 40 minutes before its first line of the second pass gets that line read as a late
 * line of the first pass. The rest of the second pass then follows it, an hour early.
 *
 * NOTE: the first line of a file set has no line before it, so a log that starts in the
 * second pass reads the rest of that pass in summer time, an hour early.
 */
export class WallClock {
  // The latest instant read in this file set, or since the last clock change.
  private referenceMs = -Infinity;

  constructor(readonly timeZone: TimeZone) {}

  /** Starts a new file set, whose first line has no line before it. */
  restart(): void {
    this.referenceMs = -Infinity;
  }

  /** Converts a naive time of the next line (month 0–11) to milliseconds since the epoch. */
  toEpoch(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    millisecond: number,
  ): number {
    const zone = this.timeZone;
    const earlier = zone.toEpoch(year, month, day, hour, minute, second, millisecond);
    const stepBackMs = this.referenceMs - earlier;
    if (stepBackMs <= 0) {
      this.referenceMs = earlier;
      return earlier;
    }
    if (stepBackMs <= MAX_LATE_LINE_MS) return earlier;

    // Only a step back of more than MAX_LATE_LINE_MS costs the look-up of a later instant.
    // Outside the repeated hour `later` is NaN, so both comparisons below are false.
    const later = zone.toLaterEpoch(year, month, day, hour, minute, second, millisecond);
    const shiftMs = later - earlier;
    if (Math.abs(later - this.referenceMs) <= (shiftMs * 2) / 3) {
      if (later > this.referenceMs) this.referenceMs = later;
      return later;
    }
    if (stepBackMs < shiftMs / 3) return earlier;

    this.referenceMs = earlier;
    return earlier;
  }
}
