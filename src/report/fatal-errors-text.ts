/** The MTA's fatal errors in the text and Markdown reports of `delist diagnose`. */
import type { FatalErrorsReport, FatalKindReport } from "../diagnose/fatal-errors.js";
import { postfixInstanceOf } from "../logs/postfix/program.js";
import { DEFAULT_INSTANCE } from "../logs/postfix/queues.js";
import type { Painter } from "./colour.js";
import { plural, shortTime, wrap } from "./wrap.js";

/** The heading of the section, and the label of its Markdown paragraph. */
export const FATAL_ERRORS_HEADING = "MTA fatal errors";

/**
 * Returns the sentences on the fatal errors as a whole, such as "3 fatal lines of the MTA's
 * start command or daemons, from … to …. They fall into 2 kinds. A fatal line ends …"
 * Exim goes on after most panic lines, so a report with Exim kinds describes each MTA's case.
 */
export function fatalErrorsSentence(report: FatalErrorsReport): string {
  const kinds = report.kindsExact
    ? plural(report.kindCount, "kind")
    : `at least ${plural(report.kindCount + 1, "kind")}`;
  const exim = report.kinds.some((kind) => kind.mta === "exim");
  const postfix = report.kinds.some((kind) => kind.mta !== "exim");
  const lines = exim
    ? `${plural(report.count, postfix ? "fatal or panic line" : "panic line")} of the MTA`
    : `${plural(report.count, "fatal line")} of the MTA's start command or daemons`;
  return [
    `${lines}, ${period(report)}.`,
    `They fall into ${kinds}.`,
    ...(postfix ? [POSTFIX_EFFECT] : []),
    ...(exim ? [EXIM_EFFECT] : []),
  ].join(" ");
}

const POSTFIX_EFFECT =
  "A fatal line ends the program that wrote it: until the cause is fixed, the MTA does not " +
  "start or the daemon fails again, and mail that needs it waits in the queue.";

const EXIM_EFFECT =
  "After an Exim panic on a failed expansion or a file it could not open, the message at " +
  "hand is deferred or fails and Exim goes on; a configuration error or a log it cannot " +
  "write stops it.";

/**
 * Returns the heading of a kind: its program and host, lines and period, and whether it goes
 * on at the end of the log, such as "postfix/smtp on mx1: 5 fatal lines from … to …, still in
 * the last two hours of the log". The host is there when the log names more than one.
 */
export function fatalKindHeading(kind: FatalKindReport): string {
  const source = kind.host === null ? kind.program : `${kind.program} on ${kind.host}`;
  return `${source}: ${plural(kind.count, "fatal line")} ${period(kind)}, ${recencyText(kind)}`;
}

function recencyText(kind: FatalKindReport): string {
  if (kind.masterStartedAfter) {
    const master = masterName(kind.program);
    return kind.host === null ? `then ${master} started` : `then ${master} started on ${kind.host}`;
  }
  if (kind.ongoing) return "still in the last two hours of the log";
  return "none in the last two hours of the log";
}

/**
 * Returns "Postfix master", or "master of the Postfix instance postfix-out" when the tag
 * `program` is of an instance other than the default. Only that instance's master ends the
 * failure (see `FatalErrors.isEndedByStart`).
 */
function masterName(program: string): string {
  const instance = postfixInstanceOf(program);
  return instance === DEFAULT_INSTANCE
    ? "Postfix master"
    : `master of the Postfix instance ${instance}`;
}

/** Returns "and 2 more kinds with 3 lines" for the kinds not listed, or null when all are. */
export function moreFatalKindsText(report: FatalErrorsReport): string | null {
  if (report.otherLines === 0) return null;
  const unlisted = report.kindCount - report.kinds.length;
  const kinds = report.kindsExact
    ? plural(unlisted, "more kind")
    : `at least ${plural(unlisted + 1, "more kind")}`;
  return `and ${kinds} with ${plural(report.otherLines, "line")}`;
}

function period(span: { readonly first: string; readonly last: string }): string {
  return span.first === span.last
    ? `at ${shortTime(span.first)}`
    : `from ${shortTime(span.first)} to ${shortTime(span.last)}`;
}

/** Renders the fatal errors for a terminal, or no lines when the log shows none. */
export function fatalErrorsSection(report: FatalErrorsReport | null, paint: Painter): string[] {
  if (report === null) return [];
  const more = moreFatalKindsText(report);
  return [
    paint.bold(FATAL_ERRORS_HEADING),
    ...wrap(fatalErrorsSentence(report), "  "),
    ...report.kinds.flatMap((kind) => [
      ...wrap(fatalKindHeading(kind), "  ", "    "),
      ...wrap(
        `${kind.sample.file}:${kind.sample.line}: ${kind.sample.text}`,
        "    first: ",
        "      ",
      ),
      ...wrap(kind.fix, "    Fix: ", "      "),
    ]),
    ...(more === null ? [] : wrap(more, "  ")),
    "",
  ];
}
