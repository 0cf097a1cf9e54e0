import { PROVIDER_NAMES } from "../knowledge/providers.js";
import {
  readBounces,
  type BounceFileSummary,
  type BounceResult,
  type BounceRun,
} from "../bounce/index.js";
import { columns, truncateColumns, wrap, wrapBreakingWords, wrapItems } from "../report/wrap.js";
import type { BouncesOptions } from "./bounces.js";
import {
  EXIT_OK,
  EXIT_PROBLEMS,
  EXIT_USAGE,
  parseFormat,
  UsageError,
  type CliIo,
  type OutputFormat,
} from "./io.js";

/** Version of the JSON output of `delist bounces`; docs/bounces.schema.json describes it. */
export const BOUNCES_SCHEMA_VERSION = 1;

const WIDTH = 80;

// Lines of reply text per recipient in the text output. Of the 495 replies in Sisimai's test
// bounces, 81% take at most three lines at 80 columns and 96% at most six. A longer reply is
// cut with `…`, and the JSON output has all of it.
const MAX_REPLY_LINES = 6;

/** Runs `delist bounces` and returns the exit status. */
export async function runBounces(
  files: string[],
  options: BouncesOptions,
  io: CliIo,
): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  if (options.summary === true && format !== "json") {
    throw new UsageError("--summary works with --format json only: add --format json");
  }
  if (files.length === 0) {
    throw new UsageError('no input: give bounce files, directories or maildirs, or "-"');
  }
  const run = await readBounces(files, { cwd: io.cwd, stdin: io.stdin });
  io.stdout.write(renderOutput(run, format, options.summary === true));
  for (const file of run.files) {
    for (const error of file.errors) io.stderr.write(`delist: ${error}\n`);
    for (const note of file.notes) io.stderr.write(`delist: note: ${note}\n`);
  }
  for (const note of run.notes) io.stderr.write(`delist: note: ${note}\n`);
  return exitCode(run.results, run.files);
}

/**
 * Returns 2 when an input named on the command line could not be used or no input held a
 * message, else 1 when a recipient failed, else 0. A delayed recipient has not failed yet.
 * The caller prints the other results first. Messages skipped inside a folder or mbox do not
 * count, just as garbled log lines do not.
 */
function exitCode(results: readonly BounceResult[], files: readonly BounceFileSummary[]): number {
  if (files.some((file) => file.errors.length > 0)) return EXIT_USAGE;
  if (files.every((file) => file.messages === 0)) return EXIT_USAGE;
  return results.some(isFailure) ? EXIT_PROBLEMS : EXIT_OK;
}

// A spam complaint counts as a failure. An automatic reply does not, and neither does a
// delayed recipient, because the MTA still retries it.
function isFailure(result: BounceResult): boolean {
  if (result.kind === "auto-reply" || isRetrying(result)) return false;
  return result.reason !== "delivered";
}

function renderOutput(run: BounceRun, format: OutputFormat, summary: boolean): string {
  if (format !== "json") return renderText(run);
  return summary ? renderJsonSummary(run) : renderJson(run.results);
}

/** The JSON of `--format json`: an array of results, each with the schema version. */
export function renderJson(results: readonly BounceResult[]): string {
  return `${JSON.stringify(versioned(results), null, 2)}\n`;
}

/**
 * Renders the JSON of `--format json --summary`: one object with the results as `renderJson`
 * prints them, the totals of the headline and one summary per input, with its skipped messages.
 */
export function renderJsonSummary(run: BounceRun): string {
  const output = {
    schemaVersion: BOUNCES_SCHEMA_VERSION,
    messages: sum(run.files, (file) => file.messages),
    recipients: run.results.length,
    duplicates: run.duplicates,
    retrying: run.results.filter(isRetrying).length,
    skipped: sum(run.files, (file) => file.skipped),
    unreadable: sum(run.files, (file) => file.errors.length),
    inputs: run.files.map((file) => ({
      name: file.file,
      messages: file.messages,
      kinds: file.kinds,
      recipients: file.recipients,
      errors: file.errors,
      skipped: file.skipped,
      skippedMessages: file.skippedSamples,
      notes: file.notes,
    })),
    results: versioned(run.results),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

function versioned(results: readonly BounceResult[]): object[] {
  return results.map((result) => ({
    schemaVersion: BOUNCES_SCHEMA_VERSION,
    ...result,
    retrying: isRetrying(result),
  }));
}

// A delayed recipient has not failed: the sending MTA still retries it (RFC 3464 section
// 2.3.3, Action).
function isRetrying(result: BounceResult): boolean {
  return result.action === "delayed";
}

function sum(
  files: readonly BounceFileSummary[],
  count: (file: BounceFileSummary) => number,
): number {
  return files.reduce((total, file) => total + count(file), 0);
}

/** Text for people: a count per reason and provider, then one entry per recipient. */
export function renderText(run: {
  readonly results: readonly BounceResult[];
  readonly files: readonly BounceFileSummary[];
  readonly duplicates: number;
}): string {
  const lines = [...wrapItems(headline(run), "", "  ", WIDTH), ...noBounceLines(run.files), ""];
  if (run.results.length > 0) {
    lines.push(...summaryTable(run.results), "");
    for (const result of run.results) lines.push(...recipientLines(result));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Builds the summary line as comma-separated items, so that a wrapped line breaks only between
 * two notes: "1 recipient in 2 messages from 2 inputs (1 not a bounce", "1 skipped)".
 */
function headline(run: {
  readonly results: readonly BounceResult[];
  readonly files: readonly BounceFileSummary[];
  readonly duplicates: number;
}): string[] {
  const { results, files } = run;
  const messages = files.reduce((sum, file) => sum + file.messages, 0);
  const none = files.reduce((sum, file) => sum + file.kinds.none, 0);
  const skipped = files.reduce((sum, file) => sum + file.skipped, 0);
  const errors = files.reduce((sum, file) => sum + file.errors.length, 0);
  const parts = [`${results.length} recipient${plural(results.length)}`];
  parts.push(`in ${messages} message${plural(messages)}`);
  parts.push(`from ${files.length} input${plural(files.length)}`);
  const notes = [];
  if (none > 0) notes.push(`${none} not a bounce`);
  if (skipped > 0) notes.push(`${skipped} skipped`);
  if (errors > 0) notes.push(`${errors} unreadable`);
  if (run.duplicates > 0)
    notes.push(`${run.duplicates} duplicate${plural(run.duplicates)} dropped`);
  const summary = parts.join(" ");
  if (notes.length === 0) return [summary];
  const items = [`${summary} (${notes[0] ?? ""}`, ...notes.slice(1)];
  items[items.length - 1] += ")";
  return items;
}

/**
 * Builds the hint for inputs in which no message is a bounce, report or reply, which is what
 * a folder of ordinary mail looks like.
 */
function noBounceLines(files: readonly BounceFileSummary[]): string[] {
  const messages = files.reduce((sum, file) => sum + file.messages, 0);
  const none = files.reduce((sum, file) => sum + file.kinds.none, 0);
  if (messages === 0 || none < messages) return [];
  const subject = messages === 1 ? "The message is not" : `None of the ${messages} messages is`;
  return wrap(
    `${subject} a bounce, delivery status notification, complaint report or automatic ` +
      "reply. Check that you gave the folder or mbox where bounces arrive.",
  );
}

interface SummaryRow {
  readonly reason: string;
  readonly provider: string;
  all: number;
  hard: number;
  retrying: number;
}

/**
 * Builds the table of recipients per reason and provider, with the hard bounces and the
 * recipients still being retried among them, and a line that explains the retrying column.
 */
function summaryTable(results: readonly BounceResult[]): string[] {
  const counts = new Map<string, SummaryRow>();
  for (const result of results) {
    const provider = result.provider === null ? "unknown" : PROVIDER_NAMES[result.provider];
    const key = `${result.reason}\u0000${provider}`;
    const row = counts.get(key) ?? {
      reason: result.reason,
      provider,
      all: 0,
      hard: 0,
      retrying: 0,
    };
    row.all++;
    if (result.hardBounce) row.hard++;
    if (isRetrying(result)) row.retrying++;
    counts.set(key, row);
  }
  const rows = [...counts.values()].sort(
    (a, b) => b.all - a.all || a.reason.localeCompare(b.reason),
  );
  const header =
    `${"reason".padEnd(18)}${"provider".padEnd(22)}${"recipients".padStart(12)}` +
    `${"hard".padStart(8)}${"retrying".padStart(10)}`;
  const table = [
    header,
    "-".repeat(header.length),
    ...rows.map(
      (row) =>
        `${row.reason.padEnd(18)}${row.provider.slice(0, 21).padEnd(22)}` +
        `${String(row.all).padStart(12)}${String(row.hard).padStart(8)}` +
        `${String(row.retrying).padStart(10)}`,
    ),
  ];
  const retrying = rows.reduce((sum, row) => sum + row.retrying, 0);
  if (retrying === 0) return table;
  const recipients = retrying === 1 ? "1 recipient" : `${retrying} recipients`;
  const addresses = retrying === 1 ? "that address has" : "those addresses have";
  return [
    ...table,
    ...wrap(
      `retrying: the sending MTA is still retrying delivery to ${recipients} (Action ` +
        `delayed), so ${addresses} not failed.`,
    ),
  ];
}

function recipientLines(result: BounceResult): string[] {
  const source = `  from ${result.file}${result.remoteMta === null ? "" : ` via ${result.remoteMta}`}`;
  const notes = (result.notes ?? []).flatMap((note) => wrap(note, "  note: ", "        ", WIDTH));
  return [...headingLines(result), ...replyLines(result), ...notes, truncateColumns(source, WIDTH)];
}

/**
 * Returns the recipient with its reason, codes and outcome on one line. When that passes 80
 * columns, the recipient gets its own line and the rest goes indented below it. The address is
 * never cut with `…`, because list processors copy it, so one wider than a line is broken.
 */
function headingLines(result: BounceResult): string[] {
  const code = [result.replyCode, result.status].filter((part) => part !== null).join(" ");
  const details = `${result.reason}${code === "" ? "" : `  ${code}`}${outcome(result)}`;
  const line = `${result.recipient}  ${details}`;
  if (columns(line) <= WIDTH) return [line];
  const detailLine = `  ${details}`;
  return [
    ...wrapBreakingWords(result.recipient, "", "", WIDTH),
    ...(columns(detailLine) <= WIDTH ? [detailLine] : wrap(details, "  ", "  ", WIDTH)),
  ];
}

/**
 * Returns the reply wrapped at 80 columns, up to MAX_REPLY_LINES, and a line with the rule
 * that classified it and the provider's token. The reason is `blocked` both for Yahoo's BL21
 * (a Spamhaus listing) and for Outlook.com's S3150 (the hosting provider's range), so only
 * the reply, the rule and the token show which delisting step applies.
 */
function replyLines(result: BounceResult): string[] {
  if (result.diagnosticText === "") return [];
  const wrapped = wrap(result.diagnosticText, "  ", "  ", WIDTH);
  const shown = wrapped.slice(0, MAX_REPLY_LINES);
  if (wrapped.length > MAX_REPLY_LINES) {
    // The last shown line takes the rest of the text, so that `…` marks the cut.
    const rest = wrapped.slice(MAX_REPLY_LINES).map((line) => line.trim());
    shown[MAX_REPLY_LINES - 1] = [shown[MAX_REPLY_LINES - 1] ?? "", ...rest].join(" ");
  }
  const token = result.providerToken === null ? "" : `, token ${result.providerToken}`;
  const rule = `  category ${result.category} (rule ${result.ruleId})${token}`;
  return [...shown, rule].map((line) => truncateColumns(line, WIDTH));
}

// Returns the mark after the reason: a hard bounce (stop mailing the address), a delay, or a
// message that expired in the queue after a temporary reply.
function outcome(result: BounceResult): string {
  if (result.hardBounce) return "  hard: remove the address";
  if (result.action === "delayed") return "  delayed: still being retried";
  return isExpired(result) ? "  expired: resend when deferrals stop" : "";
}

// True for a recipient that failed after a temporary reply, the class of its reply code or
// else of its status, because the sending MTA gave up retrying it.
function isExpired(result: BounceResult): boolean {
  if (result.action !== "failed") return false;
  const code = result.replyCode === null ? result.status : String(result.replyCode);
  return code?.startsWith("4") ?? false;
}

function plural(count: number): string {
  return count === 1 ? "" : "s";
}
