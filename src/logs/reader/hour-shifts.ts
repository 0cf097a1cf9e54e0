/**
 * Copies written in another time zone. `--timezone` applies to every input, so a copy of
 * mail.log whose classic stamps a relay in +01:00 wrote reads an hour later than mail.log, and
 * no line of it matches. `RecordFingerprints` looks up a sample of a later input's unmatched
 * id lines at offsets of whole, half and quarter hours and counts the hits here, and the
 * reader names a clear offset in a note. The lines are still counted, because an offset found
 * this way is a guess.
 */
import type { MtaName } from "../events.js";
import { inputNameInText } from "./input-names.js";

/** Maximum unmatched id lines of one input looked up at other offsets. */
export const MAX_SHIFT_SAMPLES = 1000;

/**
 * Offsets tried, in minutes: every quarter hour from -14 to +14 hours without 0, whole hours
 * first. Zones such as +05:30, +05:45, +09:30 and -03:30 are a half or quarter hour off whole
 * hours, and so is their difference from `--timezone`. Zone offsets run from -12:00 to +14:00.
 */
export const ZONE_SHIFT_MINUTES: readonly number[] = quarterHourShifts();

function quarterHourShifts(): number[] {
  const quarterHours = Array.from({ length: 14 * 4 * 2 + 1 }, (_, index) => (index - 14 * 4) * 15);
  const shifts = quarterHours.filter((minutes) => minutes !== 0);
  const wholeHours = shifts.filter((minutes) => minutes % 60 === 0);
  return [...wholeHours, ...shifts.filter((minutes) => minutes % 60 !== 0)];
}

// Minimum hits at one offset for a note, and its minimum share of the samples, so that a few
// chance matches of a busy log give none.
const MIN_HITS = 5;
const MIN_SHARE = 0.5;

/** An input whose id lines repeat an earlier input's at an offset of whole or part hours. */
export interface HourShiftedCopy {
  readonly name: string;
  readonly earlierInput: string;
  /** The later input's stamps minus the earlier input's, in minutes. */
  readonly minutes: number;
  /** Sampled lines found at that offset. */
  readonly lines: number;
  /** The MTAs that wrote those lines, which decide what was compared (see `hourShiftNote`). */
  readonly mtas: readonly MtaName[];
}

/** Counter of the hour offsets at which the sampled lines of one input were found. */
export class HourShiftCounts {
  samples = 0;
  private readonly hits = new Map<number, { lines: number; mtas: Set<MtaName> }>();
  private earlierInput = "";

  /** Counts a sampled line of `mta` found in `earlierInput` at an offset of `minutes`. */
  addHit(minutes: number, earlierInput: string, mta: MtaName): void {
    const hit = this.hits.get(minutes);
    if (hit === undefined) {
      this.hits.set(minutes, { lines: 1, mtas: new Set([mta]) });
    } else {
      hit.lines += 1;
      hit.mtas.add(mta);
    }
    this.earlierInput = earlierInput;
  }

  /** Returns the offset that most samples of input `name` were found at, or null. */
  shiftedCopy(name: string): HourShiftedCopy | null {
    let best: HourShiftedCopy | null = null;
    for (const [minutes, { lines, mtas }] of this.hits) {
      if (best === null || lines > best.lines) {
        best = { name, earlierInput: this.earlierInput, minutes, lines, mtas: [...mtas] };
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
  const span = durationText(Math.abs(shifted.minutes));
  const direction = shifted.minutes > 0 ? "later" : "earlier";
  const name = inputNameInText(shifted.name);
  return (
    `${name} repeats lines of ${inputNameInText(shifted.earlierInput)} with the same ` +
    `${comparedFields(shifted.mtas)}, ${span} ${direction} (${shifted.lines} of the lines ` +
    "checked). " +
    `Its stamps are likely in another time zone, so its lines were counted twice. Read ${name} ` +
    `in a run of its own with its own --timezone, or leave it out.`
  );
}

/**
 * Returns what the lines of `mtas` were compared by. Postfix and Sendmail lines match by queue
 * id, pid and text. Exim lines match by message id and text only, because Exim's own main log
 * has no pid unless `log_selector = +pid` is set (see `RecordFingerprints.earlierCopy`).
 */
function comparedFields(mtas: readonly MtaName[]): string {
  const exim = mtas.includes("exim");
  const queueIds = mtas.some((mta) => mta !== "exim");
  if (exim && queueIds) {
    return "queue id, pid and text (Postfix and Sendmail lines) or message id and text (Exim lines)";
  }
  return exim ? "Exim message id and text" : "queue id, pid and text";
}

// `minutes` as `5 hours 30 minutes`, `1 hour` or `45 minutes`.
function durationText(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(hours === 1 ? "1 hour" : `${hours} hours`);
  if (rest > 0) parts.push(`${rest} minutes`);
  return parts.join(" ");
}
