import { isLeapYear, leapYearBefore } from "../../time/civil.js";
import type { WallClock } from "./wall-clock.js";
import { YearTracker } from "./year.js";

// The most days each month (0–11) can have; February's 29 is checked against the year.
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A year without Feb 29 that a `Feb 29` stamp would have got, and the leap year it got. */
export interface LeapDayMove {
  readonly fromYear: number;
  readonly toYear: number;
}

/** The lines skipped because `--year` gave their `Feb 29` stamp a year without that day. */
export interface LeapDaySkip {
  /** The year without Feb 29 that the stamps fell in. */
  readonly year: number;
  readonly lines: number;
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
  // Counts of the lines skipped by `skipLeapDay`, keyed by the year without Feb 29 of their stamps.
  private skippedLeapDays = new Map<number, number>();

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

  /**
   * Starts a new file set whose last line was written at `referenceMs` (its mtime, or now).
   * `yearsBack` is taken off the year inferred for its first line (see `YearTracker`).
   */
  restart(referenceMs: number, yearsBack = 0): void {
    this.years = this.newYearTracker(referenceMs, yearsBack);
    this.lastKey = -1;
    this.moves = [];
    this.skippedLeapDays = new Map();
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

  /**
   * The `Feb 29` stamps since the last `restart` that `--year` put in a year without that day,
   * counted by that year, in the order first seen.
   */
  get leapDaySkips(): readonly LeapDaySkip[] {
    return [...this.skippedLeapDays].map(([year, lines]) => ({ year, lines }));
  }

  /** Takes the year and month (0–11) of a dated line, so that classic stamps continue from it. */
  observe(year: number, month: number): void {
    this.years.observe(year, month);
  }

  /**
   * Returns the instant of a stamp (month 0–11), or NaN for a date that no year has (`Apr 31`).
   * A `Feb 29` stamp whose year has no such day is dated in the leap year before when the year
   * was inferred (see `moveLeapDay`), and is NaN when `--year` set it (see `skipLeapDay`).
   */
  timeOf(month: number, day: number, hour: number, minute: number, second: number): number {
    const key = ((month * 32 + day) * 24 + hour) * 3600 + minute * 60 + second;
    if (key === this.lastKey) return this.lastTime;
    if (day > (MAX_DAYS[month] ?? 31)) return NaN;
    this.stampRead = true;

    const secondOfDay = (hour * 60 + minute) * 60 + second;
    let year = this.years.yearFor(month, day, secondOfDay);
    if (month === 1 && day === 29 && !isLeapYear(year)) {
      if (this.fixedYear !== null) return this.skipLeapDay(year);
      year = this.moveLeapDay(year);
    }
    const time = this.wallClock.toEpoch(year, month, day, hour, minute, second, 0);
    this.lastKey = key;
    this.lastTime = time;
    return time;
  }

  // A `Feb 29` stamp was written in a leap year, so `year` is a wrong guess. A log is read
  // after it was written, so a year guessed from its mtime or from the current time is too
  // late rather than too early, and the nearest leap year before `year` is taken. The stamps
  // after it continue from that year, so a log
  // that goes on into March stays in it. The caller notes each move (`leapDayMoves`).
  // NOTE: the lines before it keep the later year. The reader moves a file set's first line
  // back before reading it (`leapDayYearsBack`), but not standard input, which it reads once.
  private moveLeapDay(year: number): number {
    const leapYear = leapYearBefore(year);
    this.years.observe(leapYear, 1);
    const known = this.moves.some((move) => move.fromYear === year && move.toYear === leapYear);
    if (!known) this.moves.push({ fromYear: year, toYear: leapYear });
    return leapYear;
  }

  // With `--year`, the admin stated the year, so a `Feb 29` stamp in a year without that day is
  // an invalid date, and moving it to a leap year would split one log across two years. The
  // line is skipped like `Apr 31`, and counted for the note that names `year`.
  private skipLeapDay(year: number): number {
    this.skippedLeapDays.set(year, (this.skippedLeapDays.get(year) ?? 0) + 1);
    return NaN;
  }

  // The tracker compares wall-clock times, so the reference is shifted by the zone's offset
  // and its UTC fields read as the local date and time.
  private newYearTracker(referenceMs: number, yearsBack = 0): YearTracker {
    const offsetMinutes = this.wallClock.timeZone.offsetMinutesAt(referenceMs);
    return new YearTracker(this.fixedYear, referenceMs + offsetMinutes * 60_000, yearsBack);
  }
}
