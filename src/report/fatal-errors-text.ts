/** The MTA's fatal errors in the text and Markdown reports of `delist diagnose`. */
import type { FatalErrorsReport } from "../diagnose/fatal-errors.js";
import type { Painter } from "./colour.js";
import { plural, shortTime, wrap } from "./wrap.js";

/** The heading of the section, and the label of its Markdown paragraph. */
export const FATAL_ERRORS_HEADING = "MTA fatal errors";

/**
 * Returns the sentence on the fatal errors, such as "3 fatal lines of the MTA's start
 * command or daemons, from … to …. Each ends the program that wrote it: …. The first:"
 */
export function fatalErrorsSentence(report: FatalErrorsReport): string {
  const period =
    report.first === report.last
      ? `at ${shortTime(report.first)}`
      : `from ${shortTime(report.first)} to ${shortTime(report.last)}`;
  return `${plural(report.count, "fatal line")} of the MTA's start command or daemons, ${period}. Each ends the program that wrote it: until the cause is fixed, the MTA does not start or the daemon fails again, and mail that needs it waits in the queue. The first:`;
}

/** Renders the fatal errors for a terminal, or no lines when the log shows none. */
export function fatalErrorsSection(report: FatalErrorsReport | null, paint: Painter): string[] {
  if (report === null) return [];
  const { sample } = report;
  return [
    paint.bold(FATAL_ERRORS_HEADING),
    ...wrap(fatalErrorsSentence(report), "  "),
    ...wrap(`${sample.text} (${sample.file}:${sample.line})`, "    "),
    "",
  ];
}
