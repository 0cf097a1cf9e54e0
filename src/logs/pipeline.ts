/**
 * The bottom of the log pipeline: inputs → sources → bytes → lines → records → parsers, with
 * every line accounted for in a `ReadSummary`.
 */
import type { MtaName } from "./events.js";
import { ClockFaults } from "./clock-faults.js";
import type { LogRecord, RecordParser } from "./record.js";
import type { TimeZone } from "../time/zone.js";
import { LineFramer, type FrameOutcome } from "./framing/framer.js";
import { QuietMessages, type QuietSource } from "./framing/quiet.js";
import { ParserDispatcher } from "./reader/dispatch.js";
import { decodeLatin1 } from "./reader/latin1.js";
import {
  ByteLineSplitter,
  checkMaxLineBytes,
  CUT_BY_NUL_RUN,
  DEFAULT_MAX_LINE_BYTES,
  NO_NUL,
  textAfterInnerNulRun,
  type NulMark,
} from "./reader/lines.js";
import { isEximRejectLog, isRejectLogHeaderLine } from "./reader/exim-log-files.js";
import { RecordFingerprints } from "./reader/cross-copies.js";
import { cutLineCopyNote, fileWithLineStarting, type RecordSpan } from "./reader/cut-lines.js";
import { hourShiftNote } from "./reader/hour-shifts.js";
import { containerZoneNote, unzonedLinesNote } from "./framing/container-zones.js";
import { leapDayYearsBack, type LeapDayCorrection } from "./reader/leap-day-years.js";
import { nextFileStarts } from "./reader/next-file-starts.js";
import { logRoleOf, MailLogCopies, type LogRole } from "./reader/mail-copies.js";
import { STDIN_FILE } from "./reader/input-names.js";
import { readSource } from "./reader/read.js";
import { mailLogsAt } from "./reader/time-spans.js";
import { ReplayedLines, replayedLinesNote } from "./reader/replayed-lines.js";
import { dropSameContent, type SameContentInput } from "./reader/same-content.js";
import { dropSameStdin } from "./reader/same-stdin.js";
import { exportShapeOf } from "./reader/export-shapes.js";
import { unreadInputError, type InputLineCounts } from "./reader/unread-inputs.js";
import {
  binaryInputNames,
  isNoLogLinesNote,
  noLogLinesNote,
  uncountedBinaryNotes,
  unterminatedLineNote,
} from "./reader/notes.js";
import {
  planInputsWithNotes,
  type FileSource,
  type PlannedInput,
  type StdinSource,
} from "./reader/sources.js";
import {
  MAX_SAMPLES,
  SAMPLE_CHARS,
  type InferredYear,
  type InputSummary,
  type LeapDayShift,
  type LeapDayYear,
  type LineSample,
  type ReadProgress,
  type ReadSummary,
  type SkippedLeapDay,
} from "./reader/summary.js";

const EMPTY_BUFFER = Buffer.alloc(0);

// Unrecognised lines kept per input to tell the journalctl mode it was exported in.
const HEAD_LINES = 3;

/** Options of `readLogs`. */
export interface ReadLogsOptions {
  /** Zone of timestamps without an offset, from `resolveTimeZone`. */
  readonly timeZone: TimeZone;
  /** Year of the first classic-syslog line of each file set (`--year`); else inferred. */
  readonly year?: number | undefined;
  /** Directory that relative inputs and globs start from; default `process.cwd()`. */
  readonly cwd?: string | undefined;
  /** The stream read for `-`. */
  readonly stdin?: NodeJS.ReadableStream | undefined;
  /** Maximum bytes kept of one line; default `DEFAULT_MAX_LINE_BYTES` (64 KiB). */
  readonly maxLineBytes?: number | undefined;
  /** Called after each chunk (1 MiB for files) with the bytes read so far. */
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
  /**
   * Called with an input's name when a FIFO has given no data `FIFO_WAIT_MS` after its read
   * started, as when no process writes to it. The read goes on waiting.
   */
  readonly onFifoWait?: ((name: string) => void) | undefined;
  /** The time of the run, after which lines are dated in the future (default: now). */
  readonly now?: number | undefined;
}

/** Time in ms after which a FIFO without data is reported through `onFifoWait`. */
export const FIFO_WAIT_MS = 2000;

/**
 * Reads `inputs` (files, directories, globs, `-`) in order, rotated sets oldest first, frames
 * every line with one `LineFramer`, hands each record to the first parser that accepts its
 * program, and calls `finish()` on every parser after the last input. When the inputs contain
 * both mail logs and general logs such as syslog, the mail logs are read first, and the MTA
 * and helper program records that a general log copies from them are counted but not parsed
 * (see `MailLogCopies`). When the inputs contain more than one file set, the records of an
 * input that repeat those of another file set read before are counted but not parsed too, and so
 * are the records of a rotated file that an earlier file of its set contains (see
 * `RecordFingerprints`). A missing, unreadable or unsupported input is reported in the summary and
 * the others are still read. It prints nothing. It rejects only for misuse (an invalid
 * `maxLineBytes`) or when a parser throws.
 */
export async function readLogs(
  inputs: readonly string[],
  parsers: readonly RecordParser[],
  options: ReadLogsOptions,
): Promise<ReadSummary> {
  const run = new ReadRun(parsers, options);
  const planned = await planInputsWithNotes(inputs, options.cwd ?? process.cwd());
  const { unique, duplicates } = await dropSameContent(planned.inputs);
  const checked = await dropSameStdin(unique, options.stdin);
  const plan = checked.unique;
  if (checked.duplicate !== null) duplicates.push(checked.duplicate);
  run.stdin = checked.stdin;
  run.sameContent.push(...duplicates);
  run.planNotes.push(...planned.notes);
  run.regularFiles = plan.filter(
    (input): input is FileSource => input.type === "file" && input.sizeBytes !== null,
  );
  const totalBytes = totalSize(plan);
  const roles = plan.map((input) => (input.type === "file" ? logRoleOf(input.path) : null));
  const findCopies = roles.includes("mail") && roles.includes("general");
  const fileSets = fileSetCount(plan);
  const hasRotatedSet = plan.some((input) => input.type === "file" && input.continuesPrevious);
  const comparesInputs = fileSets > 1 || hasRotatedSet;
  if (comparesInputs) run.findCopiesAcrossInputs(fileSets);
  let nextStarts = new Map<FileSource, number>();

  // NOTE: a FIFO is read in its place among the inputs, so one that nothing writes to holds back
  // the files after it. Reading those first would change the order in which the parsers see
  // the lines of different file sets, and verdicts depend on that order.
  for (const [index, input] of plan.entries()) {
    if (input.type === "failed") {
      run.addFailed(input.name, input.error);
      continue;
    }
    const correction = await leapDayCorrectionAt(plan, index, options);
    const role = findCopies ? (roles[index] ?? null) : null;
    if (comparesInputs && input.type === "file" && !input.continuesPrevious) {
      nextStarts = await nextFileStarts(plan, index, options.timeZone);
    }
    const setPlace = {
      lastOfSet: isLastOfSet(plan, index),
      nextFileStart: input.type === "file" ? (nextStarts.get(input) ?? -Infinity) : -Infinity,
    };
    await run.read(input, totalBytes, role, correction, setPlace);
  }
  run.dispatcher.finish();
  return run.summary();
}

// The `Feb 29` correction of the file set that starts at `plan[index]`, or null for a file that
// continues a set, with the `year` option, and for a set with standard input or a FIFO, which
// cannot be read twice.
async function leapDayCorrectionAt(
  plan: readonly PlannedInput[],
  index: number,
  options: ReadLogsOptions,
): Promise<LeapDayCorrection | null> {
  const first = plan[index];
  if (options.year !== undefined || first?.type !== "file" || first.continuesPrevious) return null;
  const files: FileSource[] = [first];
  for (const next of plan.slice(index + 1)) {
    if (next.type !== "file" || !next.continuesPrevious) break;
    files.push(next);
  }
  if (files.some((file) => file.sizeBytes === null)) return null;
  return leapDayYearsBack(files, options.timeZone);
}

// The notes of an input without a single record. A text file such as a README would otherwise
// pass unnoticed among the logs, so it gets a note, which replaces the note on a last line
// without a line end. A binary file keeps its own note, reworded to state that its lines were
// not counted.
function recordlessNotes(
  name: string,
  split: {
    readonly lines: number;
    readonly unrecognised: number;
    readonly binary: boolean;
    readonly head: readonly string[];
  },
  notes: readonly string[],
): readonly string[] {
  if (split.binary) return uncountedBinaryNotes(name, notes);
  if (split.unrecognised === 0) return notes;
  const unterminated = unterminatedLineNote(name, split.lines);
  const noLogLines = noLogLinesNote(name, split.lines, exportShapeOf(split.head));
  return [...notes.filter((note) => note !== unterminated), noLogLines];
}

// `notes` of input `name` with the note that its last line, cut short, was left out as a copy
// of a line of `fullCopy`, in place of the note on a last line without a line end.
function withCutLineNote(
  name: string,
  split: { readonly lines: number },
  notes: readonly string[],
  fullCopy: string,
): string[] {
  const unterminated = unterminatedLineNote(name, split.lines);
  const otherNotes = notes.filter((note) => note !== unterminated);
  return [...otherNotes, cutLineCopyNote(name, split.lines, fullCopy)];
}

// `inputs` with an error on each input whose lines were almost all unread (see
// `unreadInputError`), when another input gave records. `counts` has the line counts and
// records of each input read as text, at the same index, and null for the others.
function withUnreadErrors(
  inputs: readonly InputSummary[],
  counts: readonly (ReadInputCounts | null)[],
): InputSummary[] {
  const withRecords = counts.filter((entry) => entry !== null && entry.records > 0).length;
  return inputs.map((input, index) => {
    const entry = counts[index] ?? null;
    if (entry === null || input.error !== null) return input;
    const othersHaveRecords = withRecords > (entry.records > 0 ? 1 : 0);
    const error = othersHaveRecords ? unreadInputError(entry) : null;
    if (error === null) return input;
    // The error replaces the note that the input held no log lines.
    const notes = input.notes.filter((note) => !isNoLogLinesNote(input.name, note));
    return { ...input, error, notes };
  });
}

// The line counts of one input and the records it gave.
interface ReadInputCounts extends InputLineCounts {
  readonly records: number;
}

// A file's place in its rotated set: whether it is the set's newest file, and the earliest
// first record time of the later files (see `nextFileStarts`), or -Infinity when unknown.
interface SetPlace {
  readonly lastOfSet: boolean;
  readonly nextFileStart: number;
}

// Whether no later file of the rotated set of `plan[index]` follows it. A file that failed to
// open is passed over.
function isLastOfSet(plan: readonly PlannedInput[], index: number): boolean {
  for (const next of plan.slice(index + 1)) {
    if (next.type === "failed") continue;
    return !(next.type === "file" && next.continuesPrevious);
  }
  return true;
}

// The number of file sets among the readable inputs: a rotated set counts once.
function fileSetCount(plan: readonly PlannedInput[]): number {
  let count = 0;
  for (const input of plan) {
    if (input.type === "stdin" || (input.type === "file" && !input.continuesPrevious)) count += 1;
  }
  return count;
}

// The bytes that the readable inputs will give, or null when stdin or a FIFO is among them.
function totalSize(plan: readonly PlannedInput[]): number | null {
  let total = 0;
  for (const input of plan) {
    if (input.type === "failed") continue;
    if (input.type === "stdin" || input.sizeBytes === null) return null;
    total += input.sizeBytes;
  }
  return total;
}

// The state of one `readLogs` call. `onLine` and `onRecord` run for every line and record,
// so they only count and compare.
class ReadRun {
  readonly dispatcher: ParserDispatcher;
  private readonly framer: LineFramer;
  private readonly maxLineBytes: number;
  private readonly inputs: InputSummary[] = [];
  // The line counts of each entry of `inputs`, or null for an input not read as text.
  private readonly lineCounts: (ReadInputCounts | null)[] = [];
  // The first unrecognised lines of the input being read.
  private unrecognisedHead: string[] = [];
  readonly sameContent: SameContentInput[] = [];
  readonly planNotes: string[] = [];
  /** The stream read for `-`, after `dropSameStdin` compared it with the files. */
  stdin: AsyncIterable<Buffer> | undefined;
  private readonly unrecognisedSamples: LineSample[] = [];
  private readonly unparsedSamples: LineSample[] = [];
  private file = "";
  // The first input of the file set being read, which gave the framer its year reference.
  private fileSetName: string | null = null;
  private readonly inferredYears: InferredYear[] = [];
  private readonly leapDayShifts: LeapDayShift[] = [];
  // The `Feb 29` correction of the file set being read, or null.
  private leapDayCorrection: LeapDayCorrection | null = null;
  private readonly leapDayYears: LeapDayYear[] = [];
  private readonly skippedLeapDays: SkippedLeapDay[] = [];
  // The bytes of the line being framed, for the samples of unrecognised and unparsed lines.
  private lineBuffer: Buffer = EMPTY_BUFFER;
  private lineStart = 0;
  private lineEnd = 0;
  // The number of the line being framed, or 0 while `frameOpenLines` frames a line left open.
  private lineNumber = 0;
  private bytesRead = 0;
  private counts = {
    lines: 0,
    blank: 0,
    records: 0,
    unrecognised: 0,
    overlong: 0,
    nul: 0,
    nulCutRecords: 0,
    rejectLogHeaderLines: 0,
    joinedPartialLines: 0,
  };
  private readonly copies = new MailLogCopies();
  // Whether the input being read is an Exim reject log, the records counted before it, and
  // whether its last record was left out as a copy (see `frameRejectLogLine`).
  private isRejectLog = false;
  private recordsBeforeInput = 0;
  private lastRecordCopied = false;
  // The program of the input's last record that a parser read, or null after a record left out
  // as a copy, and the input's last record if it was left out as a copy (see
  // `frameContinuationLine`).
  private lastReadProgram: string | null = null;
  private lastCopiedRecord: LogRecord | null = null;
  // Lines without log framing that a parser joined to the record before them.
  private continuationLines = 0;
  // The fingerprints that find records repeated across inputs, or null when the inputs are
  // one file set of one file, which saves the hashing of every record.
  private fingerprints: RecordFingerprints | null = null;
  /** The inputs that are regular files, which can be searched for the whole of a cut line. */
  regularFiles: readonly FileSource[] = [];
  // The splitter of the input being read. When its last line has no line end and other regular
  // files may have the whole line, `cutLine` is that line's bytes and `cutRecords` are the
  // records framed from it, which wait for the search (see `settleCutLine`).
  private splitter: ByteLineSplitter | null = null;
  private cutLine: Buffer | null = null;
  private cutRecords: { record: LogRecord; parser: RecordParser | null }[] = [];
  // The times of the first and last record of the input being read, copies included, and of
  // each regular file read before, by name, which bound the search for a cut line.
  private inputFirst = Infinity;
  private inputLast = -Infinity;
  private readonly fileSpans = new Map<string, RecordSpan>();
  // The content key of the last line that a quiet counter counted, which the counter returns
  // as its tag.
  private quietContentKey = 0;
  private readonly replays = new ReplayedLines();
  private bytes = { bytes: 0, decompressedBytes: 0 };
  private earliestTime = Infinity;
  private latestTime = -Infinity;
  private readonly clockFaults: ClockFaults;

  constructor(
    parsers: readonly RecordParser[],
    private readonly options: ReadLogsOptions,
  ) {
    this.dispatcher = new ParserDispatcher(parsers);
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    checkMaxLineBytes(this.maxLineBytes);
    this.framer = new LineFramer({
      timeZone: options.timeZone,
      year: options.year,
      maxLineBytes: this.maxLineBytes,
    });
    const framer = this.framer;
    this.clockFaults = new ClockFaults(options.now ?? Date.now(), () => framer.hasReadClassicStamp);
  }

  /**
   * Makes the run leave out the records that a file set read before contains, and the records
   * of a rotated file that an earlier file of its set contains. `fileSets` is the number of file
   * sets that the run reads.
   */
  findCopiesAcrossInputs(fileSets: number): void {
    const fingerprints = new RecordFingerprints(fileSets);
    this.fingerprints = fingerprints;
    this.readRecord = (record) => {
      if (this.clockFaults.isFault(record.time, record.line)) return;
      if (record.fromRepeatMarker !== true && this.isRepeat(record.time, record.host)) return;
      const parser = this.dispatcher.parserOf(record.program);
      if (parser !== null && this.isEarlierCopy(record, parser, fingerprints)) return;
      this.dispatchRecord(record, parser);
    };
  }

  addFailed(name: string, error: InputSummary["error"]): void {
    this.lineCounts.push(null);
    this.inputs.push({
      name,
      kind: null,
      compression: null,
      bytes: 0,
      decompressedBytes: 0,
      lines: 0,
      copiedLines: 0,
      error,
      changedWhileRead: null,
      trailingData: null,
      notes: [],
    });
  }

  /**
   * Reads one source. `role` is null unless the run has both mail logs and general logs. Then
   * the records of a mail log are added to the host spans in `copies`, and the records of a
   * general log are checked against those spans. `setPlace` places a rotated file in its set
   * for `RecordFingerprints.startInput`.
   */
  async read(
    source: FileSource | StdinSource,
    totalBytes: number | null,
    role: LogRole,
    leapDayCorrection: LeapDayCorrection | null = null,
    setPlace: SetPlace = { lastOfSet: true, nextFileStart: -Infinity },
  ): Promise<void> {
    const isFile = source.type === "file";
    const referenceMs = isFile ? source.modifiedMs : Date.now();
    const continuesPrevious = isFile && source.continuesPrevious;
    if (!continuesPrevious) {
      this.endFileSet();
      this.fileSetName = source.name;
      this.leapDayCorrection = leapDayCorrection;
    }
    const file = isFile ? source.name : STDIN_FILE;
    const correction = this.leapDayCorrection;
    const yearsBack = correction === null ? 0 : correction.fromYear - correction.toYear;
    this.framer.startFile(file, referenceMs, continuesPrevious, yearsBack);
    this.file = file;
    this.copies.startInput(source.name);
    this.isRejectLog = isFile && isEximRejectLog(source.path);
    this.recordsBeforeInput = this.counts.records;
    this.lastRecordCopied = false;
    this.lastReadProgram = null;
    this.lastCopiedRecord = null;
    const { lastOfSet, nextFileStart } = setPlace;
    this.fingerprints?.startInput(source.name, !continuesPrevious, lastOfSet, nextFileStart);
    this.inputFirst = Infinity;
    this.inputLast = -Infinity;
    this.replays.startFile();
    this.clockFaults.startInput();
    this.recordHandler = this.recordHandlerOf(role);
    // A line counted without a record would pass by the checks of mail and general logs.
    // The quiet counters compare it with earlier file sets themselves.
    this.framer.countQuietLines(role !== null ? null : this.quietOf);

    const countsBefore = { ...this.counts };
    const repeatsBefore = this.replays.repeats;
    const samplesBefore = this.unrecognisedSamples.length;
    this.unrecognisedHead = [];
    const splitter = new ByteLineSplitter(this.onLine, this.maxLineBytes);
    this.splitter = splitter;
    const overlongJoinedBefore = this.framer.overlongJoinedLines;
    const escapedNulBefore = this.framer.escapedNulLineCount;
    const onProgress = this.options.onProgress;
    const fifoWait = isFile && source.sizeBytes === null ? this.fifoWaitTimer(source.name) : null;
    const result = await readSource(source, splitter, {
      stdin: this.stdin,
      onBytes: (count) => {
        if (fifoWait !== null && count > 0) clearTimeout(fifoWait);
        this.bytesRead += count;
        onProgress?.({ bytesRead: this.bytesRead, totalBytes });
      },
      hasRecords: () => this.counts.records > countsBefore.records,
    }).finally(() => {
      if (fifoWait !== null) clearTimeout(fifoWait);
    });
    this.frameOpenLines();
    const fullCopy = await this.settleCutLine(source.name);
    if (isFile && this.inputFirst <= this.inputLast) {
      this.fileSpans.set(source.name, { first: this.inputFirst, last: this.inputLast });
    }

    this.lineBuffer = EMPTY_BUFFER;
    this.splitter = null;
    const copiedLines = this.copies.endInput();
    this.counts.lines += splitter.lines;
    const overlongJoined = this.framer.overlongJoinedLines - overlongJoinedBefore;
    this.counts.overlong += splitter.overlongLines + overlongJoined;
    this.counts.nul += splitter.nulLines + this.framer.escapedNulLineCount - escapedNulBefore;
    this.bytes.bytes += result.bytes;
    this.bytes.decompressedBytes += result.decompressedBytes;
    const kind = isFile ? (result.compression ?? "plain") : "stdin";
    const opened = result.bytes > 0 || result.error === null;
    const unrecognised = this.counts.unrecognised - countsBefore.unrecognised;
    const hasRecords = this.counts.records > countsBefore.records;
    if (hasRecords) this.copies.addReadInput(source.name);
    const binary = binaryInputNames([{ name: source.name, notes: result.notes }]).length > 0;
    // An image or other binary file among the logs has no log lines, so its lines, and the
    // NUL bytes that binary data is full of, stay out of the counts and samples. Its own line
    // count is then 0 too, so that the counts of the files add up to the total.
    const leftOut = binary && !hasRecords;
    if (leftOut) {
      this.counts = countsBefore;
      this.unrecognisedSamples.length = samplesBefore;
    }
    const head = this.unrecognisedHead;
    const split = { lines: splitter.lines, unrecognised, binary, head };
    const readNotes = hasRecords ? result.notes : recordlessNotes(source.name, split, result.notes);
    const repeats = this.replays.repeats - repeatsBefore;
    const notes =
      fullCopy === null ? [...readNotes] : withCutLineNote(source.name, split, readNotes, fullCopy);
    if (repeats > 0) notes.push(replayedLinesNote(source.name, repeats));
    const clockFaultNote = this.clockFaults.inputNote(source.name, this.options.timeZone);
    if (clockFaultNote !== null) notes.push(clockFaultNote);
    const shifted = this.fingerprints?.hourShiftedCopy() ?? null;
    if (shifted !== null) notes.push(hourShiftNote(shifted));
    const zones = this.framer.containerZoneOffsets;
    if (zones.length > 0) notes.push(containerZoneNote(source.name, zones));
    const unzoned = unzonedLinesNote(
      source.name,
      this.framer.containerStampZones,
      this.options.timeZone,
    );
    if (unzoned !== null) notes.push(unzoned);
    const blank = this.counts.blank - countsBefore.blank;
    const records = this.counts.records - countsBefore.records;
    const lineCounts = { name: source.name, lines: splitter.lines, blank, unrecognised, records };
    this.lineCounts.push(binary ? null : { ...lineCounts, unrecognisedHead: head });
    this.inputs.push({
      name: source.name,
      kind: opened ? kind : null,
      compression: result.compression,
      bytes: result.bytes,
      decompressedBytes: result.decompressedBytes,
      lines: leftOut ? 0 : splitter.lines,
      copiedLines,
      error: result.error,
      changedWhileRead: result.change,
      trailingData: result.trailingData,
      notes,
    });
  }

  // A timer that calls `onFifoWait` for the FIFO `name`, or null without that option. Opening a
  // FIFO waits until a process opens it for writing, and reading it waits for that process's
  // data, so without the call a FIFO that nothing writes to would stall the run with no output.
  private fifoWaitTimer(name: string): NodeJS.Timeout | null {
    const onFifoWait = this.options.onFifoWait;
    if (onFifoWait === undefined) return null;
    const timer = setTimeout(() => onFifoWait(name), FIFO_WAIT_MS);
    // The timer alone must not keep a finished run alive.
    timer.unref();
    return timer;
  }

  private readonly onLine = (
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    nul: NulMark,
  ): void => {
    this.lineBuffer = buffer;
    this.lineStart = start;
    this.lineEnd = end;
    this.lineNumber = line;
    // The splitter marks the input as ending without a line end before it passes that last line.
    if (this.splitter?.lastLineUnterminated === true && this.regularFiles.length > 1) {
      this.cutLine = Buffer.from(buffer.subarray(start, end));
    }
    if (nul === NO_NUL) this.frameLine(buffer, start, end, line);
    else this.frameNulLine(buffer, start, end, line, nul);
  };

  // Leaves out the records of the input's last line, cut short without a line end, when another
  // regular file has a line that starts with its bytes, and returns that file's name. Else it
  // passes the records to their parsers, as the last records of the input, and returns null.
  private async settleCutLine(name: string): Promise<string | null> {
    const cutLine = this.cutLine;
    const records = this.cutRecords;
    this.cutLine = null;
    this.cutRecords = [];
    if (cutLine === null || records.length === 0) return null;
    const others = this.regularFiles.filter((file) => file.name !== name);
    const time = records[0]?.record.time ?? -Infinity;
    const { timeZone, year } = this.options;
    const cut = { bytes: cutLine, time, timeZone, year };
    const fullCopy = await fileWithLineStarting(others, cut, this.fileSpans);
    for (const { record, parser } of records) {
      if (fullCopy === null || parser === null) this.dispatchRecord(record, parser);
      else this.countEarlierCopy(record.program, parser.mta ?? null, record.time, fullCopy);
    }
    return fullCopy;
  }

  // A crash can cut the record being written and leave NULs after it, and the first record
  // written after the restart then follows on the same line. The cut record is counted in
  // `nulCutRecords` and not framed, and the line is counted as the record after the run. A
  // line whose text after its last NUL run frames as no record is framed whole, as before.
  private frameNulLine(
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    nul: NulMark,
  ): void {
    if (nul === CUT_BY_NUL_RUN) {
      this.counts.nulCutRecords += 1;
      return;
    }
    const after = textAfterInnerNulRun(buffer, start, end);
    if (after > start) {
      this.lineStart = after;
      const outcome = this.framer.frameBytes(buffer, after, end, line, this.recordHandler);
      if (outcome === "record" || outcome === "partial") {
        this.counts.nulCutRecords += 1;
        if (outcome === "partial") this.counts.joinedPartialLines += 1;
        return;
      }
      this.lineStart = start;
    }
    this.frameLine(buffer, start, end, line);
  }

  private frameLine(buffer: Buffer, start: number, end: number, line: number): void {
    // An empty line frames as blank, so it is counted here without the framer, which is most
    // of the time spent on a file of only line ends.
    if (end === start) {
      this.counts.blank += 1;
      return;
    }
    const outcome = this.framer.frameBytes(buffer, start, end, line, this.recordHandler);
    this.countOutcome(outcome, buffer, start, end, line);
  }

  // Frames the container log lines whose last part the input did not contain (see
  // `LineFramer.takeOpenLines`). Each counts as the line its parts make, in place of the last
  // part, which was counted as a joined partial line when it came. The joined text is used as
  // the line's bytes in the checks for replayed lines and in samples.
  private frameOpenLines(): void {
    for (const open of this.framer.takeOpenLines()) {
      this.counts.joinedPartialLines -= 1;
      const bytes = Buffer.from(open.text, "latin1");
      this.lineBuffer = bytes;
      this.lineStart = 0;
      this.lineEnd = bytes.length;
      this.lineNumber = 0;
      const outcome = this.framer.frameOpenLine(open, this.recordHandler);
      this.countOutcome(outcome, bytes, 0, bytes.length, open.line);
    }
  }

  // Counts a line framed from `buffer[start, end)` by its outcome. A partial line of a
  // container log counts as joined to the line after it.
  private countOutcome(
    outcome: FrameOutcome,
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
  ): void {
    if (outcome === "blank") {
      this.counts.blank += 1;
    } else if (outcome === "partial") {
      this.counts.joinedPartialLines += 1;
    } else if (
      outcome === "unrecognised" &&
      !this.frameRejectLogLine(buffer, start, end) &&
      !this.frameContinuationLine(buffer, start, end)
    ) {
      this.counts.unrecognised += 1;
      this.sample(this.unrecognisedSamples, line);
      if (this.unrecognisedHead.length < HEAD_LINES) {
        const end = Math.min(this.lineEnd, this.lineStart + SAMPLE_CHARS);
        this.unrecognisedHead.push(decodeLatin1(this.lineBuffer, this.lineStart, end));
      }
    }
  }

  // Counts a line without log framing of an Exim reject log as a header line of the entry
  // before it, and returns false for other lines. A header line of an entry whose first line
  // was left out as a copy is left out too. Other header lines count as ignored.
  private frameRejectLogLine(buffer: Buffer, start: number, end: number): boolean {
    if (!this.isRejectLog || this.counts.records === this.recordsBeforeInput) return false;
    if (!isRejectLogHeaderLine(decodeLatin1(buffer, start, end))) return false;
    if (this.lastRecordCopied) this.copies.countHeaderLine();
    else this.counts.rejectLogHeaderLines += 1;
    return true;
  }

  // Hands a line without log framing to the parser of the input's last record, which may join
  // it to that record (see `RecordParser.continueRecord`), and returns true when it did. The
  // line then counts as ignored, as a reject log's header line does. After a record left out
  // as a copy, such as a panic log's configuration error that the main log read before also
  // has, a line that the parser would join counts as a copy too.
  private frameContinuationLine(buffer: Buffer, start: number, end: number): boolean {
    const copied = this.lastCopiedRecord;
    if (copied !== null) {
      const parser = this.dispatcher.parserOf(copied.program);
      const line = decodeLatin1(buffer, start, end);
      if (parser?.continuesCopiedRecord?.(copied.message, line) !== true) return false;
      // Exim's parser, the only one that joins such lines, joins one line to a record, so a
      // copied record takes one too.
      this.lastCopiedRecord = null;
      this.copies.countContinuationLine();
      return true;
    }
    if (this.lastReadProgram === null) return false;
    const parser = this.dispatcher.parserOf(this.lastReadProgram);
    if (parser?.continueRecord?.(decodeLatin1(buffer, start, end)) !== true) return false;
    this.continuationLines += 1;
    return true;
  }

  // The message starts of `program` whose lines need no record (see
  // `RecordParser.quietPrefixes` and `RecordParser.timedPrefixes`), counted as `onRecord`
  // counts a record that its parser ignores or parses.
  private readonly quietOf = (program: string): QuietMessages | null => {
    const parser = this.dispatcher.parserOf(program);
    if (parser === null) return null;
    const quiet = new QuietMessages();
    quiet.add(parser.quietPrefixes?.(program) ?? [], (time, _line, source, tag) => {
      const copy = source === null;
      if (this.readsQuietLine(program, time, source, tag)) {
        this.dispatcher.countQuiet(parser, time, copy);
      }
      return this.quietContentKey;
    });
    quiet.add(parser.timedPrefixes?.(program) ?? [], (time, line, source, tag) => {
      const copy = source === null;
      if (this.readsQuietLine(program, time, source, tag)) {
        this.dispatcher.countTimed(parser, time, { file: this.file, line }, copy);
      }
      return this.quietContentKey;
    });
    return quiet.isEmpty ? null : quiet;
  };

  // Whether a line that a quiet counter counts, dated `time`, goes to its parser, after the
  // checks that `readRecord` makes of a record. `source` and `tag` are the arguments of
  // `QuietCounter`. It counts the line among the records, unless it repeats a line of its own
  // file, and sets `quietContentKey` to the tag that the counter returns.
  private readsQuietLine(
    program: string,
    time: number,
    source: QuietSource | null,
    tag: number,
  ): boolean {
    const contentKey = source === null ? tag : this.contentKeyOf(program, source, time);
    this.quietContentKey = contentKey;
    if (this.clockFaults.isFault(time, this.lineNumber)) return false;
    this.widenInputSpan(time);
    if (source !== null && this.isRepeat(time, source.host)) return false;
    if (this.isEarlierQuietCopy(program, contentKey, time)) return false;
    this.counts.records += 1;
    this.widenSpan(time);
    return true;
  }

  // The content key (see `RecordFingerprints.contentKeyOfBytes`) of a line dated `time` that a
  // quiet counter counts, or 0 when the run does not compare its inputs at that time or the
  // line has no host.
  private contentKeyOf(program: string, source: QuietSource, time: number): number {
    const fingerprints = this.fingerprints;
    if (fingerprints === null || source.host === "" || !fingerprints.isActiveAt(time)) return 0;
    const { host, pid, buffer, messageStart, messageEnd } = source;
    const keyProgram = this.dispatcher.mtaOf(program) ?? program;
    return fingerprints.contentKeyOfBytes(host, keyProgram, pid, buffer, messageStart, messageEnd);
  }

  // Counts a line that a quiet counter counts as a copy, as `isEarlierCopy` counts a record,
  // when an input of an earlier file set contains the same line. `contentKey` is 0 for a line
  // that is not compared.
  private isEarlierQuietCopy(program: string, contentKey: number, time: number): boolean {
    const fingerprints = this.fingerprints;
    if (fingerprints === null || contentKey === 0) return false;
    const earlier = fingerprints.earlierCopyOf(contentKey, time);
    if (earlier === null) return false;
    this.countEarlierCopy(program, this.dispatcher.mtaOf(program), time, earlier);
    return true;
  }

  // Only records that a parser read (parsed or ignored) set the time span. An unparsed line,
  // such as a wrapped one, or a line of a program without a parser can carry a time far from
  // the mail log's, and the report lists such lines as skipped or not read.
  private readonly onRecord = (record: LogRecord): void => {
    if (this.clockFaults.isFault(record.time, record.line)) return;
    if (record.fromRepeatMarker !== true && this.isRepeat(record.time, record.host)) return;
    this.dispatchRecord(record, this.dispatcher.parserOf(record.program));
  };

  // Counts `record` as read and passes it to `parser`, which is null when no parser accepts its
  // program. Both record handlers end here, so a record left out as a copy of another file set
  // is the only one that skips it.
  private dispatchRecord(record: LogRecord, parser: RecordParser | null): void {
    this.widenInputSpan(record.time);
    if (this.cutLine !== null) {
      this.cutRecords.push({ record, parser });
      return;
    }
    this.counts.records += 1;
    this.lastRecordCopied = false;
    this.lastReadProgram = record.program;
    this.lastCopiedRecord = null;
    const outcome = this.dispatcher.dispatchTo(parser, record);
    if (outcome === "unparsed") this.sample(this.unparsedSamples, record.line);
    else if (outcome !== null) this.widenSpan(record.time);
  }

  // The handler that reads a record after the checks of mail and general logs: `onRecord`, or
  // the one that `findCopiesAcrossInputs` sets, which also leaves out copies. A run of one file
  // set, such as one large mail log, keeps `onRecord`, so its records pass no check for copies.
  private readRecord = this.onRecord;

  // Counts `record`, which `parser` reads, as a copy when an input of an earlier file set
  // contains the same record. The caller compares only the records of programs with a parser,
  // because only they are counted.
  private isEarlierCopy(
    record: LogRecord,
    parser: RecordParser,
    fingerprints: RecordFingerprints,
  ): boolean {
    const mta = parser.mta ?? null;
    const earlier = fingerprints.earlierCopy(record, mta);
    if (earlier === null) return false;
    this.countEarlierCopy(record.program, mta, record.time, earlier);
    // As for a copy in a general log, the header lines of a reject-log entry count with it.
    this.lastRecordCopied = true;
    this.lastCopiedRecord = record;
    return true;
  }

  // Counts a line of `program`, whose parser reads the lines of `mta` (null for other parsers),
  // as a copy of a line of the input `earlier`.
  private countEarlierCopy(
    program: string,
    mta: MtaName | null,
    time: number,
    earlier: string,
  ): void {
    this.widenInputSpan(time);
    this.counts.records += 1;
    this.lastReadProgram = null;
    this.lastCopiedRecord = null;
    const source = mta === null ? { program } : { mta };
    this.copies.countCopy(source, time, [earlier]);
  }

  // Whether the line being framed, dated `time` and logged by `host`, repeats an earlier line of
  // its file (see `ReplayedLines`). The copies that a repeat marker stands for are not passed
  // here.
  private isRepeat(time: number, host: string): boolean {
    return this.replays.isRepeat(time, host, this.lineBuffer, this.lineStart, this.lineEnd);
  }

  private widenInputSpan(time: number): void {
    if (time < this.inputFirst) this.inputFirst = time;
    if (time > this.inputLast) this.inputLast = time;
  }

  private widenSpan(time: number): void {
    if (time < this.earliestTime) this.earliestTime = time;
    if (time > this.latestTime) this.latestTime = time;
  }

  // Adds each record of a mail log, with its program unless it is an MTA's, to the spans that
  // general logs are checked against.
  private readonly onMailLogRecord = (record: LogRecord): void => {
    const program = this.dispatcher.mtaOf(record.program) === null ? record.program : null;
    this.copies.observeMailRecord(record.host, record.time, program);
    this.readRecord(record);
  };

  // Counts a record of a general log that a mail log also contains, and parses the others. An
  // MTA record in a span is a copy. A record of another program, such as OpenDKIM, is a copy
  // only when that program also wrote to the host's mail log, so kernel firewall lines, which
  // rsyslog does not write to mail.log, are still read.
  private readonly onGeneralLogRecord = (record: LogRecord): void => {
    this.widenInputSpan(record.time);
    const span = this.copies.spanCovering(record.host, record.time);
    if (span !== null) {
      const mta = this.dispatcher.mtaOf(record.program);
      if (mta !== null) {
        this.counts.records += 1;
        this.copies.countCopy({ mta }, record.time, mailLogsAt(span, record.time));
        this.lastRecordCopied = true;
        this.lastReadProgram = null;
        this.lastCopiedRecord = record;
        return;
      }
      if (this.copies.isMailProgram(record.host, record.program)) {
        this.counts.records += 1;
        const mailLogs = mailLogsAt(span, record.time);
        this.copies.countCopy({ program: record.program }, record.time, mailLogs);
        this.lastRecordCopied = true;
        this.lastReadProgram = null;
        this.lastCopiedRecord = record;
        return;
      }
    }
    this.readRecord(record);
  };

  // The handler of the records of the next input. It is set per input, so that the records of
  // a run without both mail logs and general logs pass no check.
  private recordHandler = this.onRecord;

  private recordHandlerOf(role: LogRole): (record: LogRecord) => void {
    if (role === "mail") return this.onMailLogRecord;
    if (role === "general") return this.onGeneralLogRecord;
    return this.readRecord;
  }

  // Keeps the line being framed as a sample. A container log line joined from parts is kept
  // from its first part, because its last part alone shows only the line's end.
  private sample(samples: LineSample[], line: number): void {
    if (samples.length >= MAX_SAMPLES) return;
    const joined = this.framer.joinedLineEndingAt(this.lineNumber);
    if (joined !== null) {
      samples.push({
        file: this.file,
        line: joined.line,
        text: joined.text.slice(0, SAMPLE_CHARS),
      });
      return;
    }
    const end = Math.min(this.lineEnd, this.lineStart + SAMPLE_CHARS);
    const text = decodeLatin1(this.lineBuffer, this.lineStart, end);
    samples.push({ file: this.file, line, text });
  }

  summary(): ReadSummary {
    this.endFileSet();
    const dispatcher = this.dispatcher;
    const hasSpan = this.earliestTime <= this.latestTime;
    return {
      inputs: withUnreadErrors(this.inputs, this.lineCounts),
      totals: {
        ...this.bytes,
        ...this.counts,
        parsed: dispatcher.parsed,
        ignored:
          dispatcher.ignored +
          this.counts.rejectLogHeaderLines +
          this.continuationLines +
          this.counts.joinedPartialLines,
        unparsed: dispatcher.unparsed,
        withoutParser: dispatcher.withoutParser,
        copiedLines: this.copiedLines(),
        evictedMessages: dispatcher.evictedMessages(),
        incompleteSplitLines: dispatcher.incompleteSplitLines(),
        duplicateLines: dispatcher.duplicates,
        repeatedDeliveryLines: dispatcher.repeatedDeliveryLines(),
        repeatMarkerRecords: this.framer.repeatMarkerRecords,
        exactRepeatLines: this.replays.repeats,
        clockFaultLines: this.clockFaults.lines,
      },
      programsWithoutParser: dispatcher.programsWithoutParser(),
      earliestTime: hasSpan ? this.earliestTime : null,
      latestTime: hasSpan ? this.latestTime : null,
      unrecognisedSamples: this.unrecognisedSamples,
      unparsedSamples: this.unparsedSamples,
      sameContent: this.sameContent,
      copiedInputs: this.copies.copies,
      planNotes: this.planNotes,
      unusedYear: this.unusedYear(),
      hasYearlessStamps: this.framer.hasReadClassicStamp,
      inferredYears: this.inferredYears,
      leapDayShifts: this.leapDayShifts,
      yearOption: this.options.year ?? null,
      leapDayYears: this.leapDayYears,
      skippedLeapDays: this.skippedLeapDays,
    };
  }

  // Records the year the framer inferred for the file set read last, if it inferred one, and
  // the years its `Feb 29` stamps were moved from or skipped in.
  private endFileSet(): void {
    const name = this.fileSetName;
    const year = this.framer.inferredYear;
    const correction = this.leapDayCorrection;
    if (name !== null && year !== null && correction !== null) {
      const yearsBack = correction.fromYear - correction.toYear;
      this.leapDayShifts.push({
        name,
        inferredYear: year + yearsBack,
        firstLineYear: year,
        leapDayFromYear: correction.fromYear,
        leapYear: correction.toYear,
      });
    } else if (name !== null && year !== null) {
      this.inferredYears.push({ name, year });
    }
    if (name !== null) {
      for (const move of this.framer.leapDayMoves) this.leapDayYears.push({ name, ...move });
      for (const skip of this.framer.leapDaySkips) this.skippedLeapDays.push({ name, ...skip });
    }
    this.fileSetName = null;
    this.leapDayCorrection = null;
  }

  private copiedLines(): number {
    return this.copies.copies.reduce((sum, copy) => sum + copy.lines, 0);
  }

  private unusedYear(): number | null {
    const year = this.options.year;
    if (year === undefined || this.counts.records === 0) return null;
    return this.framer.hasReadClassicStamp ? null : year;
  }
}
