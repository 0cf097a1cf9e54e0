/**
 * Lines dated where no mail log can be: before 1990, or more than a day after the run. A host
 * without a battery-backed clock logs 1970 until NTP sets its time, and a clock set years
 * ahead dates a line in the future. One such line among thousands would move the first block,
 * the end of a block and the span of the report, so it is counted and set aside instead.
 */
import { formatInstant, type TimeZone } from "../time/zone.js";
import { inputNameInText } from "./reader/input-names.js";

/** Lines dated before this (1990-01-01 UTC) come from a clock that was not set. */
export const EARLIEST_LOG_MS = Date.UTC(1990, 0, 1);

/** Lines dated more than this after the run come from a clock set ahead. */
const FUTURE_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * Counter of the lines dated outside the times a log can have, in total and for the input
 * being read.
 */
export class ClockFaults {
  /** Lines set aside in all inputs. */
  lines = 0;

  private readonly latestMs: number;
  private inputLines = 0;
  private first: { readonly line: number; readonly time: number } | null = null;

  /**
   * `now` is the time of the run. `hasYearlessStamps` returns whether a classic syslog stamp
   * was read, whose year the reader guessed or `--year` gave: a line of such a log dated in
   * the future has the wrong year, and the note on future lines asks for `--year` instead.
   */
  constructor(
    now: number,
    private readonly hasYearlessStamps: () => boolean,
  ) {
    this.latestMs = now + FUTURE_SLACK_MS;
  }

  /** Starts the count of the next input. */
  startInput(): void {
    this.inputLines = 0;
    this.first = null;
  }

  /**
   * Counts line `line` dated `time` and returns true when it is to be set aside.
   * NOTE: a log whose clock was years ahead for all its lines is set aside whole.
   */
  isFault(time: number, line: number): boolean {
    if (time >= EARLIEST_LOG_MS && time <= this.latestMs) return false;
    if (time > this.latestMs && this.hasYearlessStamps()) return false;
    this.lines += 1;
    this.inputLines += 1;
    this.first ??= { line, time };
    return true;
  }

  /** Returns the note on the lines of input `name` that were set aside, or null for none. */
  inputNote(name: string, timeZone: TimeZone): string | null {
    const first = this.first;
    if (first === null) return null;
    const single = this.inputLines === 1;
    const lines = single ? "1 line" : `${this.inputLines.toLocaleString("en-US")} lines`;
    const when = `${formatInstant(first.time, timeZone)} at line ${first.line.toLocaleString("en-US")}`;
    const lineOrFirst = single ? "" : "the first ";
    return (
      `Set aside ${lines} of ${inputNameInText(name)} dated before 1990 or more than a day ` +
      `after this run, ${lineOrFirst}${when}: the server's clock was not set or was wrong. ` +
      `${single ? "It is counted but changes" : "They are counted but change"} no time, block ` +
      `or verdict in the report.`
    );
  }
}
