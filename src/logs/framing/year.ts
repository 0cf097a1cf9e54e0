import { utcMs } from "../../time/civil.js";

/**
 * How far past the reference a first line may be and still belong to the reference year:
 * 14 hours, the largest UTC offset in use. No line is written after its file's mtime, but
 * when the log's zone differs from the one delist reads it in (`--timezone`, or the
 * machine's zone), its clock can read up to about that much later. A first line further
 * past the reference is from the year before.
 */
export const FUTURE_SLACK_MS = 14 * 60 * 60 * 1000;

/**
 * Year inference for classic syslog timestamps (`Mar  4 09:15:02`), which carry no year.
 *
 * The first line's year comes from a reference: the `--year` option, else the wall-clock time
 * of the file's modification time (when the last line was written), else of the current time.
 * A log is assumed to span less than a year, so the first line gets the latest year in which
 * its date and time are not later than the reference (plus `FUTURE_SLACK_MS`). After that, a
 * month that jumps back by six or more starts the next year: December to January, or August to
 * February in a log pieced together from several years. A jump forward by more than six is a
 * late line from the year before. Smaller steps back are out-of-order lines in the same year,
 * such as rotated files joined newest first (`zcat -f mail.log*`) or a clock change.
 */
export class YearTracker {
  private year: number | null = null;
  private lastMonth = -1;
  private inferred: number | null = null;

  /**
   * @param fixedYear year of the first line, from `--year`; later rollovers still count.
   * @param referenceWallMs wall-clock time of the last line (file mtime shifted by the log's
   *   UTC offset, so that its UTC fields read as the local date), else now.
   * @param yearsBack years taken off the year that the reference gives the first line, so that
   *   the log's `Feb 29` lines fall in a leap year. It is not used with `fixedYear`.
   */
  constructor(
    private readonly fixedYear: number | null,
    private readonly referenceWallMs: number,
    private readonly yearsBack = 0,
  ) {}

  /**
   * Returns the year for a line in `month` (0–11) and remembers the month. `day` (1–31) and
   * `secondOfDay` place the first line against the reference; they default to the start of
   * the month.
   */
  yearFor(month: number, day = 1, secondOfDay = 0): number {
    if (this.year === null && this.fixedYear !== null) {
      this.year = this.fixedYear;
    } else if (this.year === null) {
      this.year = this.firstYear(month, day, secondOfDay) - this.yearsBack;
      this.inferred = this.year;
    } else if (month <= this.lastMonth - 6) {
      this.year += 1;
    } else if (month > this.lastMonth + 6) {
      // A late December line after the log has already moved into January.
      return this.year - 1;
    }
    this.lastMonth = month;
    return this.year;
  }

  /**
   * The year that the reference, less `yearsBack`, gave the first line, or null when
   * `fixedYear` or a dated line before it set the year, or no line was read.
   */
  get inferredYear(): number | null {
    return this.inferred;
  }

  /**
   * Takes the year and month (0–11) of a line whose stamp has a year (RFC 3339, Exim), so
   * classic stamps after it in a mixed-style file continue from that date. A dated line
   * overrides `fixedYear` and the reference.
   */
  observe(year: number, month: number): void {
    this.year = year;
    this.lastMonth = month;
  }

  // The latest year, from the one after the reference's back to the one before it, in which
  // the line is not later than the reference plus the slack. The year after matters only
  // for a first line on New Year's Day read with a reference late on December 31.
  private firstYear(month: number, day: number, secondOfDay: number): number {
    const latest = this.referenceWallMs + FUTURE_SLACK_MS;
    const referenceYear = new Date(this.referenceWallMs).getUTCFullYear();
    for (let year = referenceYear + 1; year >= referenceYear; year--) {
      if (utcMs(year, month, day, 0, 0, secondOfDay, 0) <= latest) return year;
    }
    return referenceYear - 1;
  }
}
