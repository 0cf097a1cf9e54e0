import type { WallClock } from "./wall-clock.js";
import { YearTracker } from "./year.js";

// The most days each month (0–11) can have; February's 29 is checked against the year.
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A year without Feb 29 that a `Feb 29` stamp would have got, and the leap year it got. */
export interface LeapDayMove {
  readonly fromYear: number;
  readonly toYear: number;
}

/**
 * Turns the fields of classic syslog stamps (`Mar  4 09:15:02`), which carry no year, into
 * instants: the year from a `YearTracker`, the wall-clock time through a `WallClock` in the
 * log's zone.
 * Consecutive lines usually share a stamp, so the last stamp and its instant are kept, and
 * a match skips the year and zone arithmetic.
 */
export class ClassicClock {
  private years: YearTracker;
  private lastKey = -1;
  private lastTime = 0;
  private stampRead = false;
  private moves: LeapDayMove[] = [];

  /**
   * @param wallClock converter of naive times in the log's zone, shared with the other naive
   *   stamps of the file set.
   * @param fixedYear year of the first line (`--year`), or null to infer it.
   */
  constructor(
    private readonly wallClock: WallClock,
    private readonly fixedYear: number | null,
  ) {
    this.years = this.newYearTracker(Date.now());
  }

  /** Starts a new file set whose last line was written at `referenceMs` (its mtime, or now). */
  restart(referenceMs: number): void {
    this.years = this.newYearTracker(referenceMs);
    this.lastKey = -1;
    this.moves = [];
  }

  /** Whether `timeOf` took a stamp since this clock was made, so the year was needed. */
  get hasReadStamp(): boolean {
    return this.stampRead;
  }

  /** The year inferred for the first stamp since the last `restart`, as `YearTracker` has it. */
  get inferredYear(): number | null {
    return this.years.inferredYear;
  }

  /**
   * The distinct moves of `Feb 29` stamps out of a year without that day since the last
   * `restart`, in the order they happened.
   */
  get leapDayMoves(): readonly LeapDayMove[] {
    return this.moves;
  }

  /** Takes the year and month (0–11) of a dated line, so that classic stamps continue from it. */
  observe(year: number, month: number): void {
    this.years.observe(year, month);
  }

  /**
   * Returns the instant of a stamp (month 0–11), or NaN for a date that no year has (`Apr 31`).
   * A `Feb 29` stamp whose year has no such day is dated in the leap year before (see
   * `moveLeapDay`).
   */
  timeOf(month: number, day: number, hour: number, minute: number, second: number): number {
    const key = ((month * 32 + day) * 24 + hour) * 3600 + minute * 60 + second;
    if (key === this.lastKey) return this.lastTime;
    if (day > (MAX_DAYS[month] ?? 31)) return NaN;
    this.stampRead = true;

    const secondOfDay = (hour * 60 + minute) * 60 + second;
    let year = this.years.yearFor(month, day, secondOfDay);
    if (month === 1 && day === 29 && !isLeapYear(year)) year = this.moveLeapDay(year);
    const time = this.wallClock.toEpoch(year, month, day, hour, minute, second, 0);
    this.lastKey = key;
    this.lastTime = time;
    return time;
  }

  // A `Feb 29` stamp was written in a leap year, so `year` is a wrong guess or a wrong
  // `--year`. A log is read after it was written, so a year guessed from its mtime or from
  // the current time is too late rather than too early, and the nearest leap year before
  // `year` is taken, for `--year` too. The stamps after it continue from that year, so a log
  // that goes on into March stays in it. The caller notes each move (`leapDayMoves`).
  private moveLeapDay(year: number): number {
    let leapYear = year - 1;
    while (!isLeapYear(leapYear)) leapYear -= 1;
    this.years.observe(leapYear, 1);
    const known = this.moves.some((move) => move.fromYear === year && move.toYear === leapYear);
    if (!known) this.moves.push({ fromYear: year, toYear: leapYear });
    return leapYear;
  }

  // The tracker compares wall-clock times, so the reference is shifted by the zone's offset
  // and its UTC fields read as the local date and time.
  private newYearTracker(referenceMs: number): YearTracker {
    const offsetMinutes = this.wallClock.timeZone.offsetMinutesAt(referenceMs);
    return new YearTracker(this.fixedYear, referenceMs + offsetMinutes * 60_000);
  }
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
