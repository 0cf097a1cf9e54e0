import { LogAnalyser, type LogFacts } from "../analysis/analyser.js";
import type { BounceInputAnalyser } from "../analysis/bounces.js";
import type { DroppedKeys } from "../analysis/dropped-keys.js";
import { createLogParsers } from "../logs/parsers.js";
import { readLogs, type ReadLogsOptions } from "../logs/pipeline.js";
import { decodeForDisplay } from "../logs/reader/display.js";
import { DEFAULT_MAX_LINE_BYTES } from "../logs/reader/lines.js";
import { binaryInputNames, unreadEncodingNoteOf } from "../logs/reader/notes.js";
import { MAIN_LOG_ADVICE } from "../logs/reader/export-shapes.js";
import { inputNameInText } from "../logs/reader/input-names.js";
import type { MtaName } from "../logs/events.js";
import type { CopiedLines } from "../logs/reader/mail-copies.js";
import { isEximPanicLog, isEximRejectLog } from "../logs/reader/exim-log-files.js";
import type { LineSample, ReadSummary } from "../logs/reader/summary.js";
import { LoggedBounceMatcher } from "../analysis/logged-bounces.js";
import { createReplyClassifier, type ReplyClassifier } from "../reply/classify.js";
import type { BounceRun } from "../bounce/index.js";
import type { BounceInputReport, InputReport, UnreadInput } from "./types.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
import {
  inferredYearNote,
  leapDayNote,
  leapDayShiftNote,
  skippedLeapDayNote,
} from "./inferred-year.js";
import { InputChecks, longSpanNotes } from "./input-checks.js";
import { listNames, plural } from "./findings/build.js";

/** The result of reading and analysing logs, before the diagnosis is built. */
export interface LogRun {
  readonly facts: LogFacts;
  readonly summary: ReadSummary;
  /** The bounce inputs read, or null when none were given. */
  readonly bounces: BounceRun | null;
  /** What the times of the log lines say about the input. */
  readonly checks: InputChecks;
}

/** Options of `analyseLogs`: the reading options plus bounce inputs. */
export interface AnalyseOptions extends ReadLogsOptions {
  /** Bounce messages to read next to the logs (`--bounces`). */
  readonly bounces?: readonly string[] | undefined;
  /** The time of the run, for lines dated in the future (default: now). */
  readonly now?: number | undefined;
}

/**
 * Reads the logs with every parser delist has, then any bounce messages, feeds everything to
 * a fresh analyser, and returns the facts with the reading summaries. Nothing is printed.
 */
export async function analyseLogs(
  inputs: readonly string[],
  options: AnalyseOptions,
): Promise<LogRun> {
  const classifier = createReplyClassifier();
  const analyser = new LogAnalyser(classifier);
  const checks = new InputChecks(options.now ?? Date.now());
  const bounceInputs = options.bounces ?? [];
  // The bounces are read first, so that each log event can be compared with them while it
  // passes. Standard input can be read only once, and the logs keep it when both name it.
  const bouncesFirst = !(inputs.includes("-") && bounceInputs.includes("-"));
  let bounces = bouncesFirst ? await readBounceInputs(bounceInputs, classifier, options) : null;
  const matcher = bounces === null ? null : new LoggedBounceMatcher(bounces.results);
  const parsers = createLogParsers((event) => {
    checks.observe(event);
    matcher?.observe(event);
    analyser.handle(event);
  });
  const summary = await readLogs(inputs, parsers, options);

  // NOTE: when the logs and --bounces both read standard input, the bounces come second and
  // are not compared with the log, so an attempt that both show counts twice.
  if (!bouncesFirst) bounces = await readBounceInputs(bounceInputs, classifier, options);
  for (const result of bounces?.results ?? []) {
    analyser.addBounce(result, matcher?.isLogged(result) ?? false);
  }
  return { facts: analyser.finish(), summary, bounces, checks };
}

/** Reads the bounce inputs, or returns null when none were given. */
async function readBounceInputs(
  inputs: readonly string[],
  classifier: ReplyClassifier,
  options: AnalyseOptions,
): Promise<BounceRun | null> {
  if (inputs.length === 0) return null;
  // The bounce readers (MIME parsing, postal-mime) load only for runs with bounces.
  const { readBounces } = await import("../bounce/index.js");
  return readBounces(inputs, {
    cwd: options.cwd ?? process.cwd(),
    classifier,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

/** Describes what was read for the report. */
export function inputReport(run: LogRun, timeZone: TimeZone): InputReport {
  const { summary, facts } = run;
  const totals = summary.totals;
  const samples = inLineOrder(
    [...summary.unparsedSamples, ...summary.unrecognisedSamples],
    summary.inputs.map((input) => input.name),
  ).slice(0, MAX_SKIPPED_SAMPLES);
  const bounces = bounceReport(run);
  return {
    files: summary.inputs.map((input) => ({
      name: input.name,
      kind: input.kind ?? "unread",
      bytes: input.bytes,
      lines: input.lines,
      copiedLines: input.copiedLines,
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
    copiedLines: totals.copiedLines,
    overlong: totals.overlong,
    withNul: totals.nul,
    nulCutRecords: totals.nulCutRecords,
    repeatMarkerRecords: totals.repeatMarkerRecords,
    exactRepeatLines: totals.exactRepeatLines,
    clockFaultLines: totals.clockFaultLines,
    evictedMessages: totals.evictedMessages,
    repeatedDeliveryLines: totals.repeatedDeliveryLines,
    mtas: [...facts.server.mtas],
    bounces,
    notes: [
      ...runNotes(run),
      ...copiedLinesNotes(summary.copiedInputs, timeZone),
      ...run.checks.notes(timeZone, summary.copiedInputs),
      ...longSpanNotes(
        summary.earliestTime,
        summary.latestTime,
        timeZone,
        summary.hasYearlessStamps,
      ),
      ...unreadBounceNotes(bounces),
    ],
    skippedSamples: samples.map((sample) => ({
      file: sample.file,
      line: sample.line,
      time: null,
      text: decodeForDisplay(sample.text),
    })),
  };
}

/** Maximum number of skipped-line samples in the report. */
const MAX_SKIPPED_SAMPLES = 5;

/**
 * Sorts the samples of skipped lines by input, in the order the inputs were given, and by line
 * within a file. A sample from a file of a given directory sorts with that directory, and a
 * file that matches no input (standard input) sorts last.
 */
function inLineOrder(samples: readonly LineSample[], inputs: readonly string[]): LineSample[] {
  const rank = (file: string): number => {
    const index = inputs.findIndex((name) => file === name || file.startsWith(`${name}/`));
    return index < 0 ? inputs.length : index;
  };
  return [...samples].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line);
}

/** Returns one note per input whose mail lines were left out as copies of an earlier input. */
function copiedLinesNotes(copies: readonly CopiedLines[], timeZone: TimeZone): string[] {
  return copies.map((copy) => {
    const programs = listNames([...copy.mtas.map((mta) => MTA_NAMES[mta]), ...copy.programs]);
    const earlier = copy.earlierInputs;
    const earlierNames = earlier.slice(0, 3);
    if (earlier.length > 3) earlierNames.push(`${earlier.length - 3} more`);
    const verb = earlier.length === 1 ? "contains" : "contain";
    const from = formatInstant(copy.firstTime, timeZone);
    const to = formatInstant(copy.lastTime, timeZone);
    const inputs = listNames(earlierNames);
    if (copy.headerLines === 0) {
      const lines = plural(copy.lines, `${programs} line`);
      return `Left out ${lines} of ${copy.name}: ${inputs} ${verb} the same lines for ${from} to ${to}.`;
    }
    const copied = plural(copy.lines - copy.headerLines, `${programs} line`);
    const headers = plural(copy.headerLines, "line");
    return `Left out ${plural(copy.lines, "line")} of ${copy.name}: ${inputs} ${verb} the same ${copied} for ${from} to ${to}, and the other ${headers} ${copy.headerLines === 1 ? "is" : "are"} the envelope and headers of rejected messages, which Exim writes only to its reject log.`;
  });
}

const MTA_NAMES: Readonly<Record<MtaName, string>> = {
  postfix: "Postfix",
  exim: "Exim",
  sendmail: "Sendmail",
};

/**
 * Returns a note that names the bounce files with errors, so that the input notes list them
 * like other input problems. The errors themselves are in the file entries of `bounces`.
 */
function unreadBounceNotes(bounces: BounceInputReport | null): string[] {
  const unread = (bounces?.files ?? []).filter((file) => file.errors.length > 0);
  if (unread.length === 0) return [];
  const names = unread.slice(0, 3).map((file) => `"${file.name}"`);
  if (unread.length > 3) names.push(`${(unread.length - 3).toLocaleString("en-US")} more`);
  const files =
    unread.length === 1 ? "1 bounce file" : `${unread.length.toLocaleString("en-US")} bounce files`;
  return [
    `${files} could not be read, or only in part (${names.join(", ")}), so the failed and ` +
      `delayed recipients in ${unread.length === 1 ? "it" : "them"} are missing from the report.`,
  ];
}

function bounceReport(run: LogRun): BounceInputReport | null {
  if (run.bounces === null) return null;
  const input = run.facts.bounceInput;
  return {
    files: run.bounces.files.map((file) => ({
      name: file.file,
      messages: file.messages,
      recipients: file.recipients,
      errors: file.errors,
      skipped: file.skipped,
    })),
    results: input.results,
    failed: input.failed,
    delayed: input.delayed,
    complaints: input.complaints,
    autoReplies: input.autoReplies,
    duplicates: run.bounces.duplicates,
  };
}

/**
 * Returns the sentences and read errors that explain why the input gives nothing to diagnose,
 * or null when it does. A diagnosis of input without a single mail log line would read "healthy",
 * which is worse than no answer. When no input could be read at all, the read errors alone
 * are the reason.
 */
export function unusableInputSentences(run: LogRun): string[] | null {
  const rejectLogs = rejectLogsWithoutMainLog(run.summary);
  if (rejectLogs !== null) return rejectLogSentences(rejectLogs);
  const bounceResults = run.bounces?.results.length ?? 0;
  if (run.facts.mtaEvents > 0 || bounceResults > 0) return null;
  const errors = run.summary.inputs.filter((input) => input.error !== null);
  const problems = errors.map((input) => input.error?.message ?? "").filter((text) => text !== "");
  for (const file of run.bounces?.files ?? []) problems.push(...file.errors);
  const totals = run.summary.totals;
  const binary = binaryInputNames(run.summary.inputs);
  if (totals.lines === 0 && binary.length === 0 && problems.length > 0) return problems;
  // A binary file without records adds no lines to the totals, so a run with such a file
  // and no counted lines is not empty.
  const empty = binary.length === 0 ? ": the input is empty" : "";
  const seen = totals.lines === 0 ? empty : ` in ${linesSeen(run.summary)}`;
  const binaryLine = binarySentences(run.summary.inputs, binary);
  // The counts do not name files, so the notes of each input name those without log lines,
  // such as a README.txt among the logs.
  const notes = run.summary.inputs
    .filter((input) => !binary.includes(input.name))
    .flatMap((input) => input.notes);
  const noLines = `no Postfix, Exim or Sendmail message or delivery lines found${seen}.`;
  // When only binary input was read, that is the reason, so it comes first.
  const headline =
    totals.lines === 0 && binary.length > 0 ? [...binaryLine, noLines] : [noLines, ...binaryLine];
  return [
    ...headline,
    ...overlongSentence(totals.overlong),
    ...notes,
    ...problems,
    MAIN_LOG_ADVICE,
  ];
}

// The sentences that name the binary inputs `binary` among `inputs`: one for the files that
// look binary, and the note of each file in a text encoding that delist does not read.
function binarySentences(
  inputs: readonly { readonly name: string; readonly notes: readonly string[] }[],
  binary: readonly string[],
): string[] {
  const looksBinary: string[] = [];
  const encodings: string[] = [];
  for (const name of binary) {
    const notes = inputs.find((input) => input.name === name)?.notes ?? [];
    const note = unreadEncodingNoteOf(name, notes);
    if (note === null) looksBinary.push(name);
    else encodings.push(note);
  }
  if (looksBinary.length === 0) return encodings;
  const verb = looksBinary.length === 1 ? "looks" : "look";
  const names = looksBinary.map(inputNameInText).join(", ");
  return [`${names} ${verb} like a binary file, not a text log.`, ...encodings];
}

/**
 * Returns the names of the Exim reject logs among the inputs when the inputs with lines are
 * only Exim reject and panic logs, else null. Their lines repeat the main log's rejects and
 * panics, so such a run shows no deliveries, and a verdict on it would mislead.
 */
function rejectLogsWithoutMainLog(summary: ReadSummary): string[] | null {
  const read = summary.inputs.filter((input) => input.lines > 0);
  const rejectLogs = read.filter((input) => isEximRejectLog(input.name));
  if (rejectLogs.length === 0) return null;
  const others = read.filter(
    (input) => !isEximRejectLog(input.name) && !isEximPanicLog(input.name),
  );
  return others.length === 0 ? rejectLogs.map((input) => input.name) : null;
}

function rejectLogSentences(names: readonly string[]): string[] {
  const isSingle = names.length === 1;
  return [
    `${listNames(names)} ${isSingle ? "is" : "are"} Exim's reject log${isSingle ? "" : "s"}: ${isSingle ? "it repeats" : "they repeat"} the reject lines of the main log and add${isSingle ? "s" : ""} the headers of rejected messages, but show${isSingle ? "s" : ""} no deliveries.`,
    `Give Exim's main log with ${isSingle ? "it" : "them"}: mainlog (/var/log/exim4/mainlog on Debian and Ubuntu) or exim_mainlog (/var/log/exim_mainlog on cPanel).`,
  ];
}

/** Builds the sentence on `overlong` lines cut at the line length limit; empty when none were. */
function overlongSentence(overlong: number): string[] {
  if (overlong === 0) return [];
  const limit = `${DEFAULT_MAX_LINE_BYTES / 1024} KiB`;
  if (overlong === 1) {
    return [`1 line was longer than the ${limit} line limit, so only its first ${limit} was read.`];
  }
  const lines = overlong.toLocaleString("en-US");
  return [
    `${lines} lines were longer than the ${limit} line limit, so only the first ${limit} of each was read.`,
  ];
}

/** Describes the lines of a run without mail log lines, naming only non-zero counts. */
function linesSeen(summary: ReadSummary): string {
  const totals = summary.totals;
  const number = (value: number): string => value.toLocaleString("en-US");
  const programs = summary.programsWithoutParser
    .slice(0, 3)
    .map((entry) => `${entry.program} ${number(entry.records)}`)
    .join(", ");
  const parts: Array<[number, string]> = [
    [totals.parsed, "parsed without a message or delivery"],
    // NOTE: the reader counts ignored lines in total only, so their programs are not named.
    [totals.ignored, "ignored as holding nothing delist uses"],
    [totals.unparsed, "of known programs that did not parse"],
    [totals.withoutParser, `of programs delist does not read (${programs})`],
    [totals.unrecognised, "without a log format delist reads"],
    [totals.blank, "blank"],
  ];
  const shown = parts
    .filter(([value]) => value > 0)
    .map(([value, text]) => `${number(value)} ${text}`);
  const lines = totals.lines === 1 ? "1 line" : `${number(totals.lines)} lines`;
  return `${lines} read: ${shown.join(", ")}`;
}

/**
 * Returns the inputs that gave almost no log line while other inputs were read (see
 * `unreadInputError`), with their error messages. The verdict states them first, because it
 * leaves out their mail.
 */
export function unreadInputErrors(run: LogRun): UnreadInput[] {
  return run.summary.inputs
    .filter((input) => input.error?.code === "no-log-format")
    .map((input) => ({ name: input.name, message: input.error?.message ?? "" }));
}

/**
 * True when a log was cut short while it was read (logrotate's `copytruncate`): lines were
 * lost without a read error, so the run counts as one whose input could not be read in full.
 * A file renamed or replaced during the read was still read to its end through the open handle.
 */
export function truncatedWhileRead(run: LogRun): boolean {
  return run.summary.inputs.some((input) => input.changedWhileRead?.code === "truncated");
}

function runNotes(run: LogRun): string[] {
  const notes: string[] = [];
  for (const file of run.bounces?.files ?? []) notes.push(...file.notes);
  notes.push(...(run.bounces?.notes ?? []));
  notes.push(...run.summary.planNotes);
  for (const copy of run.summary.sameContent) {
    notes.push(
      `Skipped ${copy.name}: it has the same content as ${copy.sameAs}, so its lines would have been counted twice.`,
    );
  }
  for (const input of run.summary.inputs) {
    if (input.changedWhileRead !== null) notes.push(input.changedWhileRead.message);
    if (input.trailingData !== null) notes.push(input.trailingData.message);
    notes.push(...input.notes);
  }
  const unusedYear = run.summary.unusedYear;
  if (unusedYear !== null) {
    notes.push(`--year ${unusedYear} was not used: these logs carry the year in their timestamps.`);
  }
  const yearNote = inferredYearNote(run.summary.inferredYears);
  if (yearNote !== null) notes.push(yearNote);
  const leapDayShift = leapDayShiftNote(run.summary.leapDayShifts);
  if (leapDayShift !== null) notes.push(leapDayShift);
  const leapDay = leapDayNote(run.summary.leapDayYears);
  if (leapDay !== null) notes.push(leapDay);
  const skippedLeapDay = skippedLeapDayNote(run.summary.skippedLeapDays, run.summary.yearOption);
  if (skippedLeapDay !== null) notes.push(skippedLeapDay);
  notes.push(...outsideLogNotes(run.facts.bounceInput));
  notes.push(...alreadyLoggedNotes(run.facts.bounceInput));
  const duplicates = run.summary.totals.duplicateLines;
  if (duplicates > 0) {
    notes.push(
      `${plural(duplicates, "line")} of queued messages repeated a line a few lines before, in the same second and file, and ${duplicates === 1 ? "was" : "were"} counted once. Syslog writes each line twice when two of its rules write mail lines to the same file.`,
    );
  }
  const repeated = run.summary.totals.repeatedDeliveryLines;
  if (repeated > 0) {
    notes.push(
      `${plural(repeated, "delivery line")} repeated a delivery that had already ended for the same queue id and recipient, with no new qmgr or cleanup line for the id in between, and ${repeated === 1 ? "was" : "were"} not counted again. A log that contains the same lines many times, such as a file appended to itself, causes this.`,
    );
  }
  const evicted = run.summary.totals.evictedMessages;
  if (evicted > 0) {
    notes.push(
      `${evicted.toLocaleString("en-US")} messages were dropped from correlation early because too many were open at once (a deferred queue of that size); their later lines were read without their sender and client, so per-account counts may be low and retries may count as new attempts.`,
    );
  }
  const incomplete = run.summary.totals.incompleteSplitLines;
  if (incomplete > 0) {
    notes.push(
      `Exim sent ${plural(incomplete, "line")} to syslog in numbered parts that never all came (a part out of order, more than 5 seconds after part 1, or missing). Each was read from the parts that came, so a reply or reason in it may be cut.`,
    );
  }
  const dropped = droppedOriginsNote(run.facts.origins.droppedOrigins);
  if (dropped !== null) notes.push(dropped);
  return notes;
}

/**
 * Returns the note on accounts and local programs dropped to bound memory, or null when none
 * was. An account that sent again after its drop is counted from its return only.
 */
function droppedOriginsNote(dropped: DroppedKeys): string | null {
  const count = dropped.count;
  if (count === 0) return null;
  const number = `${dropped.isExact ? "" : "about "}${count.toLocaleString("en-US")}`;
  const subject =
    count === 1 && dropped.isExact
      ? "1 account or local program with few messages was"
      : `${number} accounts or local programs with few messages were`;
  return (
    `${subject} dropped from the per-account analysis to bound memory. ` +
    "The counts of one that sent again start at its return and miss its earlier messages, " +
    "and the tables of delist logs mark its row."
  );
}

/**
 * Returns the note on failed and delayed recipients and spam complaints left out because they
 * are dated outside the mail log, with the same nouns as the input report's bounce line.
 */
function outsideLogNotes(input: BounceInputAnalyser): string[] {
  const parts: string[] = [];
  if (input.outsideLog > 0) {
    parts.push(plural(input.outsideLog, "failed or delayed recipient"));
  }
  if (input.complaintsOutsideLog > 0) {
    parts.push(plural(input.complaintsOutsideLog, "spam complaint"));
  }
  if (parts.length === 0) return [];
  const single = input.outsideLog + input.complaintsOutsideLog === 1;
  return [
    `${parts.join(" and ")} from the bounce messages ${single ? "is" : "are"} dated more than a ` +
      `day before or a week after the mail log, so ${single ? "it was" : "they were"} left out ` +
      `of the verdict and findings. Give the log of that time to include ${single ? "it" : "them"}.`,
  ];
}

/** Returns the note on failed and delayed recipients whose attempt the mail log also shows. */
function alreadyLoggedNotes(input: BounceInputAnalyser): string[] {
  const logged = input.alreadyLogged;
  if (logged === 0) return [];
  const recipients = plural(logged, "failed or delayed recipient");
  return [
    `${recipients} from the bounce messages ${logged === 1 ? "reports an attempt" : "report attempts"} ` +
      `that the mail log also shows (the same queue id, or the same recipient and reply within ` +
      `minutes), so ${logged === 1 ? "that attempt was" : "those attempts were"} counted once.`,
  ];
}
