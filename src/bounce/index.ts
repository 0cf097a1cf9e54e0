/**
 * Reading bounce messages from files, mboxes, maildirs, directories and standard input into
 * one result per recipient, with a summary per input. This is what `delist bounces` prints
 * and what `delist diagnose --bounces` feeds to its analysers.
 */
import { fileError } from "../input/file-error.js";
import { createReplyClassifier, type ReplyClassifier } from "../reply/classify.js";
import { decodeMessage } from "./decode.js";
import { expandSources, MAX_MESSAGE_BYTES, readSource, type SourceMessage } from "./input.js";
import { truncatedNote, truncatedWithoutResults } from "./limits.js";
import type { BounceKind, BounceResult } from "./types.js";

export type { BounceAction, BounceKind, BounceReason, BounceResult } from "./types.js";
export { BOUNCE_REASONS } from "./types.js";
export { decodeMessage } from "./decode.js";

/** What was read from one input (a file, an mbox, standard input). */
export interface BounceFileSummary {
  /** The input as given, or a file found in a directory or maildir. */
  readonly file: string;
  /** Messages read, whatever their kind; data that is no mail message is not counted. */
  readonly messages: number;
  /** Messages of each kind; `none` counts messages that are no bounce, report or reply. */
  readonly kinds: Readonly<Record<BounceKind | "none", number>>;
  /** Recipient results from this input. */
  readonly recipients: number;
  /** Problems that stopped a message or the whole input from being read, with what to do. */
  readonly errors: readonly string[];
  /** Messages read only in part (over the size limit), with what was left out. */
  readonly notes: readonly string[];
}

/** The results of one run over bounce inputs. */
export interface BounceRun {
  readonly results: BounceResult[];
  readonly files: BounceFileSummary[];
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
 * Reads every input and decodes each message in turn, holding one message at a time. A
 * missing file, an oversized or unparsable message is an error in that input's summary, and
 * the run goes on. Never throws for bad input.
 */
export async function readBounces(
  inputs: readonly string[],
  options: ReadBouncesOptions,
): Promise<BounceRun> {
  const classifier = options.classifier ?? createReplyClassifier();
  const results: BounceResult[] = [];
  const files: BounceFileSummary[] = [];

  for (const source of await expandSources(inputs, options.cwd)) {
    if (source.type === "failed") {
      files.push(emptySummary(source.name, [source.error]));
      continue;
    }
    const summary = new SummaryBuilder(source.name);
    try {
      const messages = readSource(
        source,
        options.stdin ?? process.stdin,
        options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      );
      for await (const message of messages) {
        results.push(...(await decodeOne(message, classifier, summary)));
      }
    } catch (error) {
      summary.errors.push(fileError(source.name, error).message);
    }
    files.push(summary.build());
  }
  return { results, files };
}

async function decodeOne(
  message: SourceMessage,
  classifier: ReplyClassifier,
  summary: SummaryBuilder,
): Promise<BounceResult[]> {
  if ("error" in message) {
    summary.messages++;
    summary.errors.push(message.error);
    return [];
  }
  // Data that is no mail message is an unreadable input, not a message.
  const junk = binaryJunk(message.raw, message.name);
  if (junk !== null) {
    summary.errors.push(junk);
    return [];
  }
  summary.messages++;
  try {
    const decoded = await decodeMessage(message.raw, message.name, classifier);
    const full = message.truncatedFrom;
    if (decoded.error !== null && full === undefined) {
      summary.errors.push(decoded.error);
      return [];
    }
    summary.kinds[decoded.kind ?? "none"]++;
    summary.recipients += decoded.results.length;
    if (full !== undefined) {
      // Nothing found in the head means the report, if any, lies in the part not read.
      const size = message.raw.length;
      if (decoded.results.length === 0) {
        summary.errors.push(truncatedWithoutResults(message.name, full, size));
      } else {
        summary.notes.push(truncatedNote(message.name, full, size));
      }
    }
    return decoded.results;
  } catch (error) {
    summary.errors.push(
      `cannot parse "${message.name}" as a mail message: ${errorText(error)}; ` +
        `check that the file is one message in RFC 5322 format`,
    );
    return [];
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function emptySummary(file: string, errors: string[]): BounceFileSummary {
  const builder = new SummaryBuilder(file);
  builder.errors.push(...errors);
  return builder.build();
}

class SummaryBuilder {
  messages = 0;
  recipients = 0;
  readonly errors: string[] = [];
  readonly notes: string[] = [];
  readonly kinds: Record<BounceKind | "none", number> = {
    dsn: 0,
    bounce: 0,
    "auto-reply": 0,
    feedback: 0,
    none: 0,
  };

  constructor(readonly file: string) {}

  build(): BounceFileSummary {
    return {
      file: this.file,
      messages: this.messages,
      kinds: { ...this.kinds },
      recipients: this.recipients,
      errors: [...this.errors],
      notes: [...this.notes],
    };
  }
}
