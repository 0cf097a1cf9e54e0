/**
 * The summary of one bounce input, and the rule that decides whether a message that could not
 * be read is an error or is skipped. An input given on the command line that cannot be used
 * at all is an error, so the commands exit 2. A message inside a folder, maildir or mbox that
 * cannot be read is skipped and counted, as a garbled log line is, and the run's other results
 * decide the exit status.
 */
import type { BounceKind } from "./types.js";

/** How many skipped messages a summary keeps the error of; the rest are only counted. */
export const MAX_SKIPPED_SAMPLES = 3;

/** A message or file that could not be read, with the error that names it and what to do. */
export interface SkippedMessage {
  /** The file, or the mbox message as `FILE#N` (1-based). */
  readonly name: string;
  readonly error: string;
}

/** The messages read and skipped of one input (a file, an mbox, standard input). */
export interface BounceFileSummary {
  /** The input as given, or a file found in a directory or maildir. */
  readonly file: string;
  /**
   * Messages read, whatever their kind. A message that could not be read is counted only in
   * `skipped` or `errors`, and data that is no mail message is not counted here either.
   */
  readonly messages: number;
  /** Messages of each kind; `none` counts messages that are no bounce, report or reply. */
  readonly kinds: Readonly<Record<BounceKind | "none", number>>;
  /** Recipient results from this input. */
  readonly recipients: number;
  /**
   * Why an input given on the command line cannot be used, with what to do: it could not be
   * opened or read to its end, or none of its messages could be read.
   */
  readonly errors: readonly string[];
  /**
   * Messages or files that could not be read and were skipped, because other messages of the
   * same command-line input could be read.
   */
  readonly skipped: number;
  /** The first skipped messages (at most `MAX_SKIPPED_SAMPLES`) with their errors. */
  readonly skippedSamples: readonly SkippedMessage[];
  /**
   * Messages read in part (over the size limit, cut inside the delivery report, or with
   * ISO-2022-JP escape sequences cut short), each with what was left out.
   */
  readonly notes: readonly string[];
}

/** Collects the counts of one source while its messages are read. */
export class SummaryBuilder {
  /** Messages decoded without an error, whatever their kind. */
  messages = 0;
  recipients = 0;
  readonly notes: string[] = [];
  readonly kinds: Record<BounceKind | "none", number> = {
    dsn: 0,
    bounce: 0,
    "auto-reply": 0,
    feedback: 0,
    none: 0,
  };
  private readonly inputErrors: string[] = [];
  private failures = 0;
  private readonly failureSamples: SkippedMessage[] = [];

  constructor(readonly file: string) {}

  /** Records an error that makes the named input unusable, whatever else it contains. */
  addInputError(error: string): void {
    this.inputErrors.push(error);
  }

  /** Records a message or file that could not be read. */
  addFailure(name: string, error: string): void {
    this.failures++;
    if (this.failureSamples.length < MAX_SKIPPED_SAMPLES) this.failureSamples.push({ name, error });
  }

  /** True when the source gave neither a message, nor data, nor an error. */
  isEmpty(): boolean {
    return this.messages === 0 && this.failures === 0 && this.inputErrors.length === 0;
  }

  /**
   * Builds the summary. `inputUsable` is false when no message of the command-line input
   * that this source belongs to could be read: its failures are then errors, not skipped.
   */
  build(inputUsable: boolean): BounceFileSummary {
    // One object literal for both cases: spreading a shared part into two literals cost about
    // 5 % of readBounces' CPU time on 500 small .eml files (2-core EPYC, load average 2).
    return {
      file: this.file,
      messages: this.messages,
      kinds: { ...this.kinds },
      recipients: this.recipients,
      errors: inputUsable ? [...this.inputErrors] : this.unusableErrors(),
      skipped: inputUsable ? this.failures : 0,
      skippedSamples: inputUsable ? [...this.failureSamples] : [],
      notes: [...this.notes],
    };
  }

  /** Returns the errors of a source whose command-line input gave no readable message. */
  private unusableErrors(): string[] {
    const errors = [...this.inputErrors, ...this.failureSamples.map((sample) => sample.error)];
    const unnamed = this.failures - this.failureSamples.length;
    if (unnamed > 0) {
      errors.push(
        `${unnamed.toLocaleString("en-US")} more messages of "${this.file}" could not be read ` +
          `either; check that it is an mbox file or a bounce message`,
      );
    }
    return errors;
  }
}

/**
 * Returns the notes on the messages skipped in a run: how many, the first few by name, what
 * that means for the results and what to do, then the error of each message named.
 */
export function skippedNotes(files: readonly BounceFileSummary[]): string[] {
  const total = files.reduce((sum, file) => sum + file.skipped, 0);
  if (total === 0) return [];
  const samples = files.flatMap((file) => file.skippedSamples).slice(0, MAX_SKIPPED_SAMPLES);
  const names = samples.map((sample) => `"${sample.name}"`);
  if (total > samples.length)
    names.push(`${(total - samples.length).toLocaleString("en-US")} more`);
  const messages = total === 1 ? "1 message" : `${total.toLocaleString("en-US")} messages`;
  const they = total === 1 ? "it" : "they";
  const them = total === 1 ? "it" : "them";
  const summary =
    `Skipped ${messages} in bounce folders or mbox files because ${they} could not be read ` +
    `(${names.join(", ")}). Any recipients in ${them} are left out, and the exit status does ` +
    `not count ${them}. Fix or remove ${them}; ${errorsFollow(total, samples.length)}.`;
  return [summary, ...samples.map((sample) => sample.error)];
}

function errorsFollow(total: number, listed: number): string {
  if (total === 1) return "its error follows";
  if (total === listed) return "their errors follow";
  return `the errors of the first ${listed} follow`;
}
