/**
 * What `readLogs` reports about a run: per input and in total, so that nothing is lost
 * silently. Texts in samples are latin1-decoded log bytes; show them through
 * `decodeForDisplay`.
 */
import type { InputChange } from "./changes.js";
import type { InputError } from "./errors.js";
import type { CopiedLines } from "./mail-copies.js";
import type { TrailingData } from "./gzip.js";
import type { SameContentInput } from "./same-content.js";

/** How an input was read: a plain or gzip file, or standard input (`-`). */
export type InputKind = "plain" | "gzip" | "stdin";

/** One input as it was read, in reading order. */
export interface InputSummary {
  /** The name as the user gave it, or as a directory or glob expansion spelled it. */
  readonly name: string;
  /** null when the input could not be opened or expanded. */
  readonly kind: InputKind | null;
  /** `gzip` when the bytes were gzip-compressed (stdin too), else null. */
  readonly compression: "gzip" | null;
  /** Bytes read from the file or stdin (compressed size for gzip). */
  readonly bytes: number;
  /** Bytes of log text after decompression. */
  readonly decompressedBytes: number;
  /** Lines read, blank ones included; a final line without `\n` counts. */
  readonly lines: number;
  /**
   * MTA and helper program records left out because an input read before contains the same
   * records: a mail log that a general log copies (see `MailLogCopies`), with the header lines
   * of the Exim reject log entries left out so, or an input of another file set (see
   * `RecordFingerprints`). 0 for other inputs.
   */
  readonly copiedLines: number;
  /** Why the input was not read, or not read to its end; null when it was. */
  readonly error: InputError | null;
  /** The truncation or replacement of the file during the read, or null when there was none. */
  readonly changedWhileRead: InputChange | null;
  /** Bytes after the end of the gzip data, which were ignored; null when there were none. */
  readonly trailingData: TrailingData | null;
  /**
   * Sentences about an input whose lines may mislead: binary content, a last line without
   * a line end, gzip data after plain text.
   */
  readonly notes: readonly string[];
}

/** A line kept as an example: the input name, its 1-based line number and its start. */
export interface LineSample {
  readonly file: string;
  readonly line: number;
  /** The first `SAMPLE_CHARS` characters of the line. */
  readonly text: string;
}

/** Maximum number of samples of each kind. */
export const MAX_SAMPLES = 5;
/** Characters kept of a sampled line. */
export const SAMPLE_CHARS = 200;

/** Records of one program that no parser accepts. */
export interface ProgramCount {
  readonly program: string;
  readonly records: number;
}

/** Counts over all inputs. */
export interface ReadTotals {
  readonly bytes: number;
  readonly decompressedBytes: number;
  readonly lines: number;
  /** Empty lines, or lines of only spaces, tabs, CRs and NULs. */
  readonly blank: number;
  /** Records framed; a repeat marker line gives one record per repetition. */
  readonly records: number;
  /** Lines in no known framing (no timestamp the framer reads, no syslog header). */
  readonly unrecognised: number;
  /** Records a parser understood. */
  readonly parsed: number;
  /**
   * Records a parser accepted but found nothing of use in, and the header lines of Exim reject
   * log entries that were not left out as copies (`rejectLogHeaderLines`). Lines without log
   * framing that a parser joined to the record before them, such as the reason of an Exim
   * configuration error, count here too, and so do the partial lines of container logs that
   * were joined to the line after them (`joinedPartialLines`).
   */
  readonly ignored: number;
  /**
   * Header lines of Exim reject log entries that were read with their entry (see
   * `isRejectLogHeaderLine`). They are also in `ignored`. Those of an entry left out as a copy
   * are in `copiedLines` instead.
   */
  readonly rejectLogHeaderLines: number;
  /** Records a parser accepted but could not parse. */
  readonly unparsed: number;
  /** Records of programs that no parser accepts (`dovecot` without a Dovecot parser). */
  readonly withoutParser: number;
  /**
   * MTA and helper program records left out as copies of records read before, with the header
   * lines of the Exim reject log entries left out so.
   */
  readonly copiedLines: number;
  /**
   * Parts of container log lines that the runtime split, joined to the part after them: a CRI
   * line tagged `P`, or a json-file object whose `log` does not end in `\n`. The line that the
   * parts make is counted by its last part, or by the last part that an input contains. They
   * are also in `ignored`.
   */
  readonly joinedPartialLines: number;
  /**
   * Lines cut to the maximum line length, and container log lines whose joined parts were
   * longer than it.
   */
  readonly overlong: number;
  /** Lines with NUL bytes. */
  readonly nul: number;
  /**
   * Records cut short by a run of NUL bytes, with more text after the run on the same line.
   * They are not read and not counted in `lines` or as skipped, because each such line is
   * counted by the text after its run, which is usually the first record written after the
   * restart.
   */
  readonly nulCutRecords: number;
  /**
   * Messages whose correlation state a parser evicted early to bound memory (too many open
   * at once); their later lines were correlated without their earlier ones.
   */
  readonly evictedMessages: number;
  /**
   * Lines that an MTA sent to syslog in numbered parts, such as Exim's `[1/2]` and `[2/2]`,
   * and that were read from the parts that came because a part was missing.
   */
  readonly incompleteSplitLines: number;
  /**
   * Records of queued messages that repeated a record a few lines before, in the same second
   * and file, and were ignored as double logging. They are also in `ignored`.
   */
  readonly duplicateLines: number;
  /**
   * Records that syslog repeat markers stood for beyond their own lines (N - 1 for a marker of
   * N copies), so that `lines` plus this number matches the records counted from the lines.
   */
  readonly repeatMarkerRecords: number;
  /**
   * Lines dropped because they repeated an earlier line of their file exactly (time and text)
   * after the file's time went back (see `ReplayedLines`). They are not in `records`.
   */
  readonly exactRepeatLines: number;
  /**
   * Delivery lines left out because they repeat a delivery that already ended for the same
   * open message (see `MessageStore.isFinished`). They are also in `ignored`.
   */
  readonly repeatedDeliveryLines: number;
  /**
   * Lines set aside because they are dated before 1990, or more than a day after the run in a
   * log whose stamps carry the year (see `ClockFaults`). They are not in `records`.
   */
  readonly clockFaultLines: number;
}

/** The result of `readLogs`. */
export interface ReadSummary {
  readonly inputs: readonly InputSummary[];
  readonly totals: ReadTotals;
  /** Records without a parser by program, most first. */
  readonly programsWithoutParser: readonly ProgramCount[];
  /**
   * Earliest and latest time (ms since the epoch) of the records that a parser parsed or
   * ignored, quiet lines included, or null when there are none. Unparsed records, records of
   * programs without a parser and copies of mail log lines leave the span as it is.
   */
  readonly earliestTime: number | null;
  readonly latestTime: number | null;
  /** Up to `MAX_SAMPLES` lines of each kind, in reading order. */
  readonly unrecognisedSamples: readonly LineSample[];
  readonly unparsedSamples: readonly LineSample[];
  /** Files not read because an earlier input has the same content. */
  readonly sameContent: readonly SameContentInput[];
  /** Inputs whose records were left out as copies of records read before. */
  readonly copiedInputs: readonly CopiedLines[];
  /** Notes on what the expansion of the inputs left out, such as subdirectories. */
  readonly planNotes: readonly string[];
  /**
   * The `year` option when records were read but none had a classic syslog stamp, whose year
   * it sets, so it had no effect; else null.
   */
  readonly unusedYear: number | null;
  /** True when a classic syslog stamp, which has no year, was read. */
  readonly hasYearlessStamps: boolean;
  /**
   * The file sets whose year was inferred, without the `year` option, in reading order. The
   * sets in `leapDayShifts` are not among them.
   */
  readonly inferredYears: readonly InferredYear[];
  /**
   * The file sets whose inferred year was moved back as a whole so that their `Feb 29` lines
   * fall in a leap year, in reading order.
   */
  readonly leapDayShifts: readonly LeapDayShift[];
  /** The `year` option, or null when it was not given. */
  readonly yearOption: number | null;
  /**
   * The file sets whose `Feb 29` stamps fell in a year without that day and were dated in the
   * leap year before, in reading order.
   */
  readonly leapDayYears: readonly LeapDayYear[];
  /**
   * The file sets with lines skipped because the `year` option put their `Feb 29` stamps in a
   * year without that day, in reading order. The lines are counted in `unrecognised` too.
   */
  readonly skippedLeapDays: readonly SkippedLeapDay[];
}

/** The year inferred for the first classic syslog stamp of one file set. */
export interface InferredYear {
  /**
   * The input whose modification time gave the year: the first file read of the set, or `-`
   * for standard input, which has none, so the current time gave it.
   */
  readonly name: string;
  readonly year: number;
}

/**
 * The years of one file set whose first line's inferred year was moved back so that its
 * `Feb 29` lines fall in a leap year.
 */
export interface LeapDayShift {
  /** The first file read of the set, whose modification time gave the year. */
  readonly name: string;
  /** The year that the modification time gave the first line. */
  readonly inferredYear: number;
  /** The year that the first line got, `inferredYear` less the years moved back. */
  readonly firstLineYear: number;
  /** The year without Feb 29 that the `Feb 29` lines would have fallen in. */
  readonly leapDayFromYear: number;
  /** The leap year that the `Feb 29` lines fall in. */
  readonly leapYear: number;
}

/** The year that the `Feb 29` stamps of one file set were moved from, and the year they got. */
export interface LeapDayYear {
  /** The first input of the file set, or `-` for standard input. */
  readonly name: string;
  /** The year without Feb 29 that the year option or the inference gave the stamps. */
  readonly fromYear: number;
  /** The leap year before `fromYear`, in which the stamps were dated. */
  readonly toYear: number;
}

/** The lines of one file set whose `Feb 29` stamps fell in a year without that day. */
export interface SkippedLeapDay {
  /** The first input of the file set, or `-` for standard input. */
  readonly name: string;
  /** The year without Feb 29: the `year` option, or a later one once the log passed a new year. */
  readonly year: number;
  readonly lines: number;
}

/** Bytes read so far and the total when known (null while stdin or a FIFO is among inputs). */
export interface ReadProgress {
  readonly bytesRead: number;
  readonly totalBytes: number | null;
}
