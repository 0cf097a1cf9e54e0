import { LogAnalyser, type LogFacts } from "../analysis/analyser.js";
import { createLogParsers } from "../logs/parsers.js";
import { readLogs, type ReadLogsOptions } from "../logs/pipeline.js";
import { decodeForDisplay } from "../logs/reader/display.js";
import type { ReadSummary } from "../logs/reader/summary.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { InputReport } from "./types.js";
import { formatInstant, type TimeZone } from "../time/zone.js";

/** The result of reading and analysing logs, before the diagnosis is built. */
export interface LogRun {
  readonly facts: LogFacts;
  readonly summary: ReadSummary;
}

/**
 * Reads the logs with every parser delist has, feeds the events to a fresh analyser, and
 * returns the facts with the reading summary. Nothing is printed.
 */
export async function analyseLogs(
  inputs: readonly string[],
  options: ReadLogsOptions,
): Promise<LogRun> {
  const analyser = new LogAnalyser(createReplyClassifier());
  const parsers = createLogParsers((event) => analyser.handle(event));
  const summary = await readLogs(inputs, parsers, options);
  return { facts: analyser.finish(), summary };
}

/** Describes what was read for the report. */
export function inputReport(run: LogRun, timeZone: TimeZone): InputReport {
  const { summary, facts } = run;
  const totals = summary.totals;
  const samples = [...summary.unparsedSamples, ...summary.unrecognisedSamples].slice(0, 5);
  return {
    files: summary.inputs.map((input) => ({
      name: input.name,
      kind: input.kind ?? "unread",
      bytes: input.bytes,
      lines: input.lines,
      error: input.error === null ? null : input.error.message,
    })),
    timeZone: timeZone.name,
    firstTime: summary.earliestTime === null ? null : formatInstant(summary.earliestTime, timeZone),
    lastTime: summary.latestTime === null ? null : formatInstant(summary.latestTime, timeZone),
    lines: totals.lines,
    records: totals.records,
    parsed: totals.parsed,
    ignored: totals.ignored,
    unparsed: totals.unparsed,
    unrecognised: totals.unrecognised,
    blank: totals.blank,
    otherPrograms: Object.fromEntries(
      summary.programsWithoutParser.map((entry) => [entry.program, entry.records]),
    ),
    overlong: totals.overlong,
    withNul: totals.nul,
    mtas: [...facts.server.mtas],
    skippedSamples: samples.map((sample) => ({
      file: sample.file,
      line: sample.line,
      time: null,
      text: decodeForDisplay(sample.text),
    })),
  };
}
