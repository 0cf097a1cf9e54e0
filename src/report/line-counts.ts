import type { InputReport } from "../diagnose/types.js";
import { count, plural } from "./wrap.js";

/** Maximum programs named in the list of other programs' lines; the rest are summed up. */
const MAX_LISTED_PROGRAMS = 6;

/**
 * Returns the counts of the lines read for the `Read` line of the reports, such as "6 lines,
 * 3 parsed, 0 ignored (…), 2 of other programs, 1 blank, 0 skipped (…)". The counts after the
 * first add up to it. Syslog repeat markers count as the records they stand for, so the
 * records they add are named after the lines, as in "6 lines (plus 2 records from repeat
 * markers)". That part and the counts of other programs, of lines copied from an earlier input and of
 * lines dropped as exact repeats (see `ReplayedLines`) are left out when they are 0. So is the
 * count of lines set aside for a wrong clock (see `ClockFaults`).
 */
export function lineCountsText(input: InputReport): string {
  const skipped = input.unparsed + input.unrecognised;
  const otherLines = otherProgramLines(input);
  const added = input.repeatMarkerRecords;
  const lines = plural(input.lines, "line");
  const parts = [
    added > 0 ? `${lines} (plus ${plural(added, "record")} from repeat markers)` : lines,
    `${count(input.parsed)} parsed`,
    `${count(input.ignored)} ignored (nothing to diagnose, such as connect and disconnect)`,
  ];
  if (otherLines > 0) parts.push(`${count(otherLines)} of other programs`);
  if (input.copiedLines > 0) parts.push(`${count(input.copiedLines)} copied from an earlier input`);
  if (input.exactRepeatLines > 0) {
    parts.push(`${count(input.exactRepeatLines)} dropped as exact repeats`);
  }
  if (input.clockFaultLines > 0) {
    parts.push(`${count(input.clockFaultLines)} set aside for a wrong clock`);
  }
  parts.push(
    `${count(input.blank)} blank`,
    `${count(skipped)} skipped (${count(input.unparsed)} unparsed, ${count(input.unrecognised)} without log framing)`,
  );
  return parts.join(", ");
}

/**
 * Lists the programs without a parser with their line counts, most first, or returns null when
 * there are none. Past `MAX_LISTED_PROGRAMS` the rest are named by their number and lines, so
 * that the list adds up to the count on the `Read` line.
 */
export function otherProgramsSentence(input: InputReport): string | null {
  const programs = Object.entries(input.otherPrograms).sort((a, b) => b[1] - a[1]);
  if (programs.length === 0) return null;
  const listed = programs
    .slice(0, MAX_LISTED_PROGRAMS)
    .map(([program, lines]) => `${program} ${count(lines)}`);
  const rest = programs.slice(MAX_LISTED_PROGRAMS);
  if (rest.length > 0) {
    const restLines = rest.reduce((sum, [, lines]) => sum + lines, 0);
    listed.push(
      `and ${plural(rest.length, "more program", "more programs")} with ${plural(restLines, "line")}`,
    );
  }
  return `Lines of other programs, not read: ${listed.join(", ")}.`;
}

function otherProgramLines(input: InputReport): number {
  return Object.values(input.otherPrograms).reduce((sum, lines) => sum + lines, 0);
}
