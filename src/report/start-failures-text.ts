/** The MTA's start failures in the text and Markdown reports of `delist diagnose`. */
import type { StartFailuresReport } from "../diagnose/start-failures.js";
import type { Painter } from "./colour.js";
import { plural, shortTime, wrap } from "./wrap.js";

/** The heading of the section, and the label of its Markdown paragraph. */
export const START_FAILURES_HEADING = "MTA start failures";

/**
 * Returns the sentence on the start failures, such as "3 fatal lines of the MTA's start
 * command or daemons, from … to …. Each ends the program that wrote it, so the MTA or that
 * daemon stopped until a later start. The first:"
 */
export function startFailuresSentence(report: StartFailuresReport): string {
  const period =
    report.first === report.last
      ? `at ${shortTime(report.first)}`
      : `from ${shortTime(report.first)} to ${shortTime(report.last)}`;
  return `${plural(report.count, "fatal line")} of the MTA's start command or daemons, ${period}. Each ends the program that wrote it, so the MTA or that daemon stopped until a later start. The first:`;
}

/** Renders the start failures for a terminal, or no lines when the log shows none. */
export function startFailuresSection(report: StartFailuresReport | null, paint: Painter): string[] {
  if (report === null) return [];
  const { sample } = report;
  return [
    paint.bold(START_FAILURES_HEADING),
    ...wrap(startFailuresSentence(report), "  "),
    ...wrap(`${sample.text} (${sample.file}:${sample.line})`, "    "),
    "",
  ];
}
