/**
 * Year inference for classic syslog timestamps (`Mar  4 09:15:02`), which carry no year.
 *
 * The first line's year comes from a reference: the `--year` option, else the wall-clock date
 * of the file's modification time (when the last line was written), else of the current time.
 * A log is assumed to span less than a year, so a first month later than the reference month
 * belongs to the year before. After that, a month that jumps back by more than six (December
 * to January) starts the next year, and a jump forward by more than six is a late line from
 * the year before. Smaller steps back are out-of-order lines in the same year.
 */
export class YearTracker {
  private year: number | null = null;
  private lastMonth = -1;

  /**
   * @param fixedYear year of the first line, from `--year`; later rollovers still count.
   * @param referenceWallMs wall-clock time of the last line (file mtime shifted by the log's
   *   UTC offset, so that its UTC fields read as the local date), else now.
   */
  constructor(
    private readonly fixedYear: number | null,
    private readonly referenceWallMs: number,
  ) {}

  /** Returns the year for a line in `month` (0–11) and remembers the month. */
  yearFor(month: number): number {
    if (this.year === null) {
      this.year = this.fixedYear ?? this.firstYear(month);
    } else if (month < this.lastMonth - 6) {
      this.year += 1;
    } else if (month > this.lastMonth + 6) {
      // A late December line after the log has already moved into January.
      return this.year - 1;
    }
    this.lastMonth = month;
    return this.year;
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

  private firstYear(month: number): number {
    const reference = new Date(this.referenceWallMs);
    const referenceYear = reference.getUTCFullYear();
    return month > reference.getUTCMonth() ? referenceYear - 1 : referenceYear;
  }
}
