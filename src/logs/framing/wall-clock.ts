import type { TimeZone } from "../../time/zone.js";

/**
 * Maximum time by which a line may be dated before the line above it and still count as a
 * late line. Syslog daemons and programs that buffer write lines a little out of order. The
 * time-goes-back note of `diagnose` allows the same 10 minutes.
 */
export const MAX_LATE_LINE_MS = 10 * 60_000;

/**
 * Converts the naive wall-clock times of consecutive log lines (classic syslog, Exim's main
 * log) into instants, and reads the hour that repeats when clocks go back as a server writes
 * it. A time in that hour has an earlier (summer) and a later (winter) instant. The earlier
 * one is taken unless it lies more than {@link MAX_LATE_LINE_MS} before the previous line
 * and the later one does not: then the wall clock went back with the zone's change, and the
 * later instant is taken. So the second pass through 02:00–02:59 on the night of a
 * fall-back follows the first one in time, and lines of either pass that come a little late
 * keep the reading of their pass.
 *
 * NOTE: the first line of a file set has no line before it, so a log that starts in the
 * second pass reads the rest of that pass in summer time, an hour early.
 */
export class WallClock {
  // The instant of the last naive time read in this file set.
  private previousMs = -Infinity;

  constructor(readonly timeZone: TimeZone) {}

  /** Starts a new file set, whose first line has no line before it. */
  restart(): void {
    this.previousMs = -Infinity;
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
    let time = zone.toEpoch(year, month, day, hour, minute, second, millisecond);
    // Only a step back costs the look-up of a later instant.
    if (time < this.previousMs - MAX_LATE_LINE_MS) {
      const later = zone.toLaterEpoch(year, month, day, hour, minute, second, millisecond);
      if (later >= this.previousMs - MAX_LATE_LINE_MS) time = later;
    }
    this.previousMs = time;
    return time;
  }
}
