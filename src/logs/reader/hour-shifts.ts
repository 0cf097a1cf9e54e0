/**
 * Copies written in another time zone. `--timezone` applies to every input, so a copy of
 * mail.log whose classic stamps a relay in +01:00 wrote reads an hour later than mail.log, and
 * no line of it matches. `RecordFingerprints` looks up a sample of a later input's unmatched
 * id lines at whole-hour offsets and counts the hits here, and the reader names a clear offset
 * in a note. The lines are still counted, because an offset found this way is a guess.
 * NOTE: zones a half or quarter hour off (+05:30, +05:45) are not tried.
 */
import { inputNameInText } from "./input-names.js";

/** Maximum unmatched id lines of one input looked up at other hours. */
export const MAX_SHIFT_SAMPLES = 1000;

/** Whole-hour offsets tried, -14 to +14 hours without 0, as zone offsets run. */
export const HOUR_SHIFTS: readonly number[] = Array.from(
  { length: 29 },
  (_, index) => index - 14,
).filter((hours) => hours !== 0);

// Minimum hits at one offset for a note, and its minimum share of the samples, so that a few
// chance matches of a busy log give none.
const MIN_HITS = 5;
const MIN_SHARE = 0.5;

/** An input whose id lines repeat an earlier input's at a whole-hour offset. */
export interface HourShiftedCopy {
  readonly name: string;
  readonly earlierInput: string;
  /** The later input's stamps minus the earlier input's, in hours. */
  readonly hours: number;
  /** Sampled lines found at that offset. */
  readonly lines: number;
}

/** Counter of the hour offsets at which the sampled lines of one input were found. */
export class HourShiftCounts {
  samples = 0;
  private readonly hits = new Map<number, number>();
  private earlierInput = "";

  /** Counts a sampled line found in `earlierInput` at `hours` of offset. */
  addHit(hours: number, earlierInput: string): void {
    this.hits.set(hours, (this.hits.get(hours) ?? 0) + 1);
    this.earlierInput = earlierInput;
  }

  /** Returns the offset that most samples of input `name` were found at, or null. */
  shiftedCopy(name: string): HourShiftedCopy | null {
    let best: HourShiftedCopy | null = null;
    for (const [hours, lines] of this.hits) {
      if (best === null || lines > best.lines) {
        best = { name, earlierInput: this.earlierInput, hours, lines };
      }
    }
    if (best === null || best.lines < MIN_HITS || best.lines < this.samples * MIN_SHARE) {
      return null;
    }
    return best;
  }
}

/** Returns the note on an input that `shifted` names. */
export function hourShiftNote(shifted: HourShiftedCopy): string {
  const span = Math.abs(shifted.hours) === 1 ? "1 hour" : `${Math.abs(shifted.hours)} hours`;
  const direction = shifted.hours > 0 ? "later" : "earlier";
  const name = inputNameInText(shifted.name);
  return (
    `${name} repeats lines of ${inputNameInText(shifted.earlierInput)} with the same queue or ` +
    `message id, pid and text, ${span} ${direction} (${shifted.lines} of the lines checked). ` +
    `Its stamps are likely in another time zone, so its lines were counted twice. Read ${name} ` +
    `in a run of its own with its own --timezone, or leave it out.`
  );
}
