/**
 * Reading bounce messages from files, mboxes, maildirs, directories and standard input into
 * one result per recipient, with a summary per input. This is what `delist bounces` prints
 * and what `delist diagnose --bounces` feeds to its analysers.
 */
import { fileError } from "../input/file-error.js";
import { createReplyClassifier, type ReplyClassifier } from "../reply/classify.js";
import { decodeMessage } from "./decode.js";
import { DuplicateBounceFilter, duplicateNote } from "./duplicates.js";
import {
  expandSources,
  MAX_MESSAGE_BYTES,
  readSource,
  type BounceSource,
  type ExpandedInput,
  type SourceMessage,
} from "./input.js";
import { truncatedNote, truncatedWithoutResults } from "./limits.js";
import { isPartLimitError, partLimitError } from "./mime-repair.js";
import { cutEscapeNote, cutReportNote } from "./unread-bounce.js";
import { skippedNotes, SummaryBuilder, type BounceFileSummary } from "./summary.js";
import type { BounceResult } from "./types.js";

export type { BounceAction, BounceKind, BounceReason, BounceResult } from "./types.js";
export type { BounceFileSummary, SkippedMessage } from "./summary.js";
export { BOUNCE_REASONS } from "./types.js";
export { decodeMessage } from "./decode.js";

/** The results of one run over bounce inputs. */
export interface BounceRun {
  readonly results: BounceResult[];
  readonly files: BounceFileSummary[];
  /**
   * Notes on the messages skipped as unreadable (how many, and the first few with their
   * errors), and on the results dropped as duplicates.
   */
  readonly notes: readonly string[];
  /**
   * Recipient results left out of `results` because an earlier message gave the same
   * Message-ID, queue id and recipient (see `DuplicateBounceFilter`).
   */
  readonly duplicates: number;
}

/** Options of `readBounces`. */
export interface ReadBouncesOptions {
  /** Directory that relative paths are resolved against. */
  readonly cwd: string;
  /** Read for the input `-`. */
  readonly stdin?: NodeJS.ReadableStream;
  /** Largest message read, in bytes (default `MAX_MESSAGE_BYTES`, 32 MiB). */
  readonly maxMessageBytes?: number;
  /** Classifier to share with other work of the run; a new one by default. */
  readonly classifier?: ReplyClassifier;
}

/**
 * Reads every input and decodes each message in turn, holding one message at a time. An input
 * that cannot be opened, or of which no message can be read, gets an error in its summary. A
 * message or file inside a folder, maildir or mbox that cannot be read is skipped and counted
 * when other messages of that input can be read. The run goes on in both cases: bad input
 * becomes an error or a note in the summary, not an exception.
 */
export async function readBounces(
  inputs: readonly string[],
  options: ReadBouncesOptions,
): Promise<BounceRun> {
  const readOptions = { ...options, classifier: options.classifier ?? createReplyClassifier() };
  const results: BounceResult[] = [];
  const files: BounceFileSummary[] = [];
  const duplicates = new DuplicateBounceFilter();

  for (const input of await expandSources(inputs, options.cwd)) {
    const builders: SummaryBuilder[] = [];
    for (const source of input.sources) {
      const builder = new SummaryBuilder(source.name);
      builders.push(builder);
      await readOneSource(source, input, readOptions, builder, { results, duplicates });
    }
    const usable = builders.some((builder) => builder.messages > 0);
    for (const builder of builders) files.push(builder.build(usable));
  }
  const duplicated = duplicateNote(duplicates.dropped);
  const notes = [...skippedNotes(files), ...(duplicated === null ? [] : [duplicated])];
  return { results, files, notes, duplicates: duplicates.dropped };
}

// A source that has the input's own name is the file or folder named on the command line, so
// a failure to open or read it is an error. A file found inside a named folder that cannot be
// read counts as one skipped message.
async function readOneSource(
  source: BounceSource,
  input: ExpandedInput,
  options: ReadBouncesOptions & { readonly classifier: ReplyClassifier },
  builder: SummaryBuilder,
  output: { readonly results: BounceResult[]; readonly duplicates: DuplicateBounceFilter },
): Promise<void> {
  const named = source.name === input.name;
  if (source.type === "failed") {
    if (named) builder.addInputError(source.error);
    else builder.addFailure(source.name, source.error);
    return;
  }
  try {
    const messages = readSource(
      source,
      options.stdin ?? process.stdin,
      options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    );
    for await (const message of messages) {
      const decoded = await decodeOne(message, options.classifier, builder);
      const unseen = output.duplicates.keepNew(decoded.messageId, decoded.results);
      builder.recipients -= decoded.results.length - unseen.length;
      // One push per result: a spread of 200,000 arguments overflows the call stack.
      for (const result of unseen) output.results.push(result);
    }
  } catch (error) {
    const message = isReadError(error)
      ? fileError(source.name, error).message
      : internalError(source.name, error);
    if (named) builder.addInputError(message);
    else builder.addFailure(source.name, message);
    return;
  }
  if (builder.isEmpty()) {
    builder.addFailure(
      source.name,
      `no mail message found in "${source.name}"; give .eml files, mbox files or maildirs`,
    );
  }
}

/** Decodes one message; returns its results, with none for a message that could not be read. */
async function decodeOne(
  message: SourceMessage,
  classifier: ReplyClassifier,
  summary: SummaryBuilder,
): Promise<{ readonly results: BounceResult[]; readonly messageId: string | null }> {
  // Each message counts once: as read (in `messages` and one kind) or as a failure.
  if ("error" in message) {
    summary.addFailure(message.name, message.error);
    return { results: [], messageId: null };
  }
  const junk = binaryJunk(message.raw, message.name);
  if (junk !== null) {
    summary.addFailure(message.name, junk);
    return { results: [], messageId: null };
  }
  try {
    const decoded = await decodeMessage(message.raw, message.name, classifier);
    const full = message.truncatedFrom;
    if (decoded.error !== null && full === undefined) {
      summary.addFailure(message.name, decoded.error);
      return { results: [], messageId: null };
    }
    if (full !== undefined) {
      // Nothing found in the head means the report, if any, lies in the part not read.
      const size = message.raw.length;
      if (decoded.results.length === 0) {
        summary.addFailure(message.name, truncatedWithoutResults(message.name, full, size));
        return { results: [], messageId: null };
      }
      summary.notes.push(truncatedNote(message.name, full, size));
    } else if (decoded.endsInsideReport) {
      summary.notes.push(cutReportNote(message.name));
    }
    for (const note of decoded.notes) summary.notes.push(note);
    if (decoded.cutEscapeSequences > 0) {
      summary.notes.push(cutEscapeNote(message.name, decoded.cutEscapeSequences));
    }
    summary.messages++;
    summary.kinds[decoded.kind ?? "none"]++;
    summary.recipients += decoded.results.length;
    return decoded;
  } catch (error) {
    // NOTE: a bug of delist inside decodeMessage also lands here and reads as a file that
    // does not parse, because this catch cannot distinguish parser errors from internal ones.
    summary.addFailure(
      message.name,
      isPartLimitError(error)
        ? partLimitError(message.name)
        : `cannot parse "${message.name}" as a mail message: ${errorText(error)}; ` +
            `check that the file is one message in RFC 5322 format`,
    );
    return { results: [], messageId: null };
  }
}

// 1 for the control bytes that text does not contain: all below SP except HT, LF, VT, FF,
// CR and ESC (which ISO-2022-JP text uses). A table lookup counts them about twice as fast
// as comparisons.
const CONTROL_BYTES = new Uint8Array(256).map((_, byte) =>
  byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b) ? 1 : 0,
);

/**
 * An error for data that is no mail message at all: mostly control bytes, or a first line
 * that is no header field. Such files (images, archives, binaries in a mail directory) would
 * otherwise parse as a message without headers.
 */
function binaryJunk(raw: Uint8Array, name: string): string | null {
  const head = raw.subarray(0, 64 * 1024);
  let controls = 0;
  for (let index = 0; index < head.length; index++) {
    controls += CONTROL_BYTES[head[index] ?? 0] ?? 0;
  }
  if (controls > head.length / 10 || !/^(?:[!-9;-~]+[ \t]*:|From )/.test(firstLine(head))) {
    return (
      `skipped "${name}": not a mail message (it does not start with a header field); ` +
      `give .eml files, mbox files or maildirs`
    );
  }
  return null;
}

/** Returns the first line that is not empty, decoded as Latin-1, without its line end. */
function firstLine(head: Uint8Array): string {
  let start = 0;
  while (start < head.length && (head[start] === 0x0a || head[start] === 0x0d)) start++;
  let end = head.indexOf(0x0a, start);
  if (end < 0) end = head.length;
  if (end > start && head[end - 1] === 0x0d) end--;
  return Buffer.from(head.buffer, head.byteOffset + start, end - start).toString("latin1");
}

/**
 * True for an error of opening or reading an input: a Node system error with an errno code,
 * or the damaged-gzip error of `gunzip`, which keeps the zlib error as its cause.
 */
function isReadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ("code" in error && typeof error.code === "string") return true;
  return isReadError(error.cause);
}

/** Builds the message for a failure of delist itself while it processed a readable input. */
function internalError(name: string, error: unknown): string {
  return (
    `internal error of delist while processing "${name}": ${errorText(error)}; ` +
    "the file itself may be fine, so please report this as a bug, with the file if you can"
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
