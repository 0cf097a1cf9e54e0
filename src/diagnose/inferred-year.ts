import type {
  InferredYear,
  LeapDayShift,
  LeapDayYear,
  SkippedLeapDay,
} from "../logs/reader/summary.js";
import { leapYearBefore } from "../time/civil.js";
import { STDIN_NAME } from "../logs/reader/sources.js";
import { listNames, plural } from "./findings/build.js";

/** Maximum number of inputs named for one year; the others are counted. */
const NAMES_PER_YEAR = 3;

/**
 * Builds the input note that names the year given to classic syslog stamps without `--year`,
 * and its source, or returns null when no year was inferred. Without the note, a log copied
 * without its modification time (`scp` without `-p`, a restore from backup) gets a wrong year
 * silently.
 */
export function inferredYearNote(years: readonly InferredYear[]): string | null {
  const [only] = years;
  if (only === undefined) return null;
  const advice = "Give --year if that is wrong.";
  if (years.length === 1) {
    const log = only.name === STDIN_NAME ? "standard input" : only.name;
    const source = only.name === STDIN_NAME ? "the current date" : "the file's modification time";
    return `The timestamps of ${log} carry no year, so delist took ${only.year} for its first line from ${source}. ${advice}`;
  }

  const byYear = new Map<number, string[]>();
  for (const { name, year } of years) {
    const names = byYear.get(year) ?? [];
    names.push(name === STDIN_NAME ? "standard input" : name);
    byYear.set(year, names);
  }
  const parts = [...byYear].map(([year, names]) => `${year} for ${namesOf(names)}`);
  const stdin = years.some(({ name }) => name === STDIN_NAME)
    ? " Standard input, which has none, was dated from the current date."
    : "";
  return (
    "The timestamps of these logs carry no year, so delist took the year of each log's first " +
    `line from the modification time of its oldest file: ${parts.join(", ")}.${stdin} ${advice}`
  );
}

/**
 * Builds the input note on `Feb 29` stamps that fell in an inferred year without that day and
 * were dated in the leap year before, or returns null when none were. With `--year`, such
 * lines are skipped instead (see `skippedLeapDayNote`).
 */
export function leapDayNote(moves: readonly LeapDayYear[]): string | null {
  const [only] = moves;
  if (only === undefined) return null;
  const advice = "Give --year with the year of the log's first line if that is wrong.";
  if (moves.length === 1) {
    const log = only.name === STDIN_NAME ? "standard input" : only.name;
    return (
      `Feb 29 does not exist in ${only.fromYear}, the year that delist guessed for the Feb 29 ` +
      `lines of ${log}, so they and the lines after them were dated ${only.toYear}, the leap ` +
      `year before, and any lines before them stay in ${only.fromYear}. ${advice}`
    );
  }

  const parts = moves.map(({ name, fromYear, toYear }) => {
    const log = name === STDIN_NAME ? "standard input" : name;
    return `${toYear} in place of ${fromYear} for ${log}`;
  });
  const listed = parts.slice(0, NAMES_PER_YEAR);
  if (parts.length > NAMES_PER_YEAR) listed.push(`${parts.length - NAMES_PER_YEAR} more`);
  return (
    "Feb 29 does not exist in the years that delist guessed for the Feb 29 lines of these " +
    "logs, so they and the lines after them were dated in the leap year before, and any lines " +
    `before them stay in the year guessed: ${listNames(listed)}. ${advice}`
  );
}

/**
 * Builds the input note on file sets dated years before their modification time gave, so that
 * their Feb 29 lines fall in a leap year, or returns null when none were.
 */
export function leapDayShiftNote(shifts: readonly LeapDayShift[]): string | null {
  const [only] = shifts;
  if (only === undefined) return null;
  const advice = "Give --year with the year of the log's first line if that is wrong.";
  if (shifts.length === 1) {
    const yearsBack = only.inferredYear - only.firstLineYear;
    return (
      `The timestamps of ${only.name} carry no year, and its modification time gave ` +
      `${only.inferredYear} for its first line. Its Feb 29 lines would then fall in ` +
      `${only.leapDayFromYear}, which has no Feb 29, so delist dated the whole log ` +
      `${plural(yearsBack, "year")} earlier: ${only.firstLineYear} for its first line and ` +
      `${only.leapYear} for its Feb 29 lines. ${advice}`
    );
  }

  const parts = shifts.map(
    (shift) => `${shift.firstLineYear} in place of ${shift.inferredYear} for ${shift.name}`,
  );
  const listed = parts.slice(0, NAMES_PER_YEAR);
  if (parts.length > NAMES_PER_YEAR) listed.push(`${parts.length - NAMES_PER_YEAR} more`);
  return (
    "The timestamps of these logs carry no year, and the years that their modification times " +
    "gave would put their Feb 29 lines in years without Feb 29, so delist dated each whole log " +
    `earlier, with its Feb 29 lines in a leap year. The first lines got ${listNames(listed)}. ` +
    advice
  );
}

/**
 * Builds the input note on lines skipped because `--year` put their `Feb 29` stamps in a year
 * without that day, or returns null when none were. The note counts the lines, names the
 * year and suggests the `--year` that dates them in the leap year before.
 */
export function skippedLeapDayNote(
  skips: readonly SkippedLeapDay[],
  yearOption: number | null,
): string | null {
  const [only] = skips;
  if (only === undefined || yearOption === null) return null;
  if (skips.length === 1) {
    const log = only.name === STDIN_NAME ? "standard input" : only.name;
    const leapYear = leapYearBefore(only.year);
    const suggested = yearOption - (only.year - leapYear);
    return (
      `Feb 29 does not exist in ${only.year}, the year that the Feb 29 lines of ${log} fall ` +
      `in with --year ${yearOption}, so its ${plural(only.lines, "line")} stamped Feb 29 ` +
      `${only.lines === 1 ? "was" : "were"} skipped. --year sets the year of the log's first ` +
      `line. If those lines are from Feb 29, ${leapYear}, give --year ${suggested}.`
    );
  }

  const parts = skips.map(({ name, year, lines }) => {
    const log = name === STDIN_NAME ? "standard input" : name;
    return `${plural(lines, "line")} of ${log} in ${year}`;
  });
  const listed = parts.slice(0, NAMES_PER_YEAR);
  if (parts.length > NAMES_PER_YEAR) listed.push(`${parts.length - NAMES_PER_YEAR} more logs`);
  return (
    `Feb 29 does not exist in the years that the Feb 29 lines of these logs fall in with ` +
    `--year ${yearOption}, so those lines were skipped: ${listNames(listed)}. --year sets ` +
    "the year of each log's first line, so give each log on its own with the --year that " +
    "puts its Feb 29 in a leap year."
  );
}

// Names up to `NAMES_PER_YEAR` inputs and counts the rest.
function namesOf(names: readonly string[]): string {
  if (names.length <= NAMES_PER_YEAR) return listNames(names);
  const more = names.length - NAMES_PER_YEAR;
  return listNames([...names.slice(0, NAMES_PER_YEAR), `${more} more`]);
}
