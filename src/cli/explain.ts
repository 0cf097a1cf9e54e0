import type { Command } from "commander";
import { SMTP_STAGE_NAMES } from "../knowledge/categories.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import type { ExplainedReply } from "../reply/types.js";
import { showHiddenInReport } from "../report/log-text.js";
import { wrap } from "../report/wrap.js";
import type { SetExitCode } from "./commands.js";
import type { CliIo } from "./io.js";

/** Version of the JSON output of `delist explain`; docs/explain.schema.json describes it. */
export const EXPLAIN_SCHEMA_VERSION = 1;

const WIDTH = 80;

/** Options of `delist explain`. */
export interface ExplainOptions {
  readonly format: string;
}

/** Adds `delist explain TEXT…`: one SMTP reply or pasted bounce text, decoded. */
export function registerExplain(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command("explain")
    .summary("explain SMTP replies, log lines or pasted bounce text")
    .description(
      "Explain an SMTP reply: what the receiver decided, why, and what to fix. The words are " +
        "joined with spaces; give - to read the reply from standard input. Pasted log lines " +
        "and replies are explained one by one. Exit status: 0 when every reply is " +
        "a success (a 2xx reply code, or a 2.x.x enhanced code without one), 1 otherwise, " +
        "2 for bad options or input that is no reply (empty, binary data, a mail log). " +
        "Such input prints nothing on standard output, in every format, and standard error " +
        "says why.",
    )
    .argument("[text...]", "the reply text, or - for standard input")
    .option("-f, --format <format>", "output format: text, json or markdown", "text")
    .action(async (words: string[], options: ExplainOptions) => {
      // The reply classifier and the bounce parser load only for this command.
      const { runExplain } = await import("./explain-run.js");
      setExitCode(await runExplain(words, options, io));
    });
}

/** Returns whether the reply reports a success, which sets the exit status of `delist explain`. */
export function isSuccess(explained: ExplainedReply): boolean {
  return outcomeOf(explained) === "success";
}

/**
 * One explained reply with the recipients of a pasted bounce that got it; no recipients for a
 * reply given alone.
 */
export interface RecipientReply {
  readonly reply: ExplainedReply;
  readonly recipients: readonly string[];
}

/**
 * The JSON object of `--format json`: every field of the first explained reply, its
 * recipients, the schema version, and the other replies: the other distinct replies of a
 * pasted bounce, or the other pasted log lines and replies.
 */
export function renderJson(replies: readonly RecipientReply[]): string {
  const [first, ...others] = replies;
  const output = {
    schemaVersion: EXPLAIN_SCHEMA_VERSION,
    ...(first === undefined ? {} : jsonFields(first)),
    otherReplies: others.map(jsonFields),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

function jsonFields({ reply, recipients }: RecipientReply): Record<string, unknown> {
  return {
    replyCode: reply.replyCode,
    enhancedStatus: reply.enhancedStatus,
    provider: reply.provider,
    category: reply.category,
    ruleId: reply.ruleId,
    permanent: reply.permanent,
    summary: reply.summary,
    fix: reply.fix,
    reference: reply.reference,
    findings: reply.findings,
    text: reply.text,
    stage: reply.stage,
    remoteHost: reply.remoteHost,
    remoteIp: reply.remoteIp,
    judgedIp: reply.judgedIp,
    providerToken: reply.providerToken,
    recipients,
  };
}

/**
 * Text for people: the explanation of each reply, under a heading with its number when the
 * input has more than one reply, and with its recipients when the replies come from a pasted
 * bounce.
 */
export function renderTextReplies(replies: readonly RecipientReply[], colour: boolean): string {
  return joinReplies(replies, (reply) => renderText(reply, colour), "");
}

/** Markdown of each reply, with the same headings as `renderTextReplies`. */
export function renderMarkdownReplies(replies: readonly RecipientReply[]): string {
  return joinReplies(replies, renderMarkdown, "**");
}

function joinReplies(
  replies: readonly RecipientReply[],
  render: (reply: ExplainedReply) => string,
  emphasis: string,
): string {
  if (replies.length === 1 && replies[0] !== undefined) return render(replies[0].reply);
  const explained = replies.map(({ reply, recipients }, index) => {
    const number = `Reply ${index + 1} of ${replies.length}`;
    const heading = recipients.length === 0 ? number : `${number}, for ${recipients.join(", ")}`;
    return `${emphasis}${heading}${emphasis}\n\n${render(reply)}`;
  });
  // Replies split from pasted log lines or replies have no recipients, and no bounce to save.
  const fromBounce = replies.some(({ recipients }) => recipients.length > 0);
  const hint = fromBounce ? `\n${wrapLines(BOUNCES_HINT, WIDTH).join("\n")}\n` : "";
  return `${explained.join("\n")}${hint}`;
}

const BOUNCES_HINT =
  "For one result per recipient with its bounce reason, save the bounce to a file and run " +
  "`delist bounces FILE`.";

/**
 * Text for people, wrapped at 80 columns; ANSI colour only when `colour` is true. Hidden
 * characters of the reply (a right-to-left override, zero-width spaces) are shown as escapes
 * such as `\u202e`, so the terminal shows what the reply holds.
 */
export function renderText(reply: ExplainedReply, colour: boolean): string {
  const explained = showHiddenInReport(reply);
  const style = (code: string | null, text: string): string =>
    colour && code !== null ? `\u001b[${code}m${text}\u001b[0m` : text;
  const lines: string[] = [];

  const provider =
    explained.provider === null ? "receiver unknown" : PROVIDER_NAMES[explained.provider];
  const outcome = style(OUTCOME_COLOURS[outcomeOf(explained)], outcomeLabel(explained));
  lines.push(`${style("1", codesOf(explained))}  ${provider}  ${outcome}`);
  lines.push(`Category: ${explained.category} (rule ${explained.ruleId})`, "");
  lines.push(...wrapLines(explained.summary, WIDTH), "");

  lines.push(style("1", "What to do:"));
  explained.fix.forEach((step, index) => {
    const prefix = `  ${index + 1}. `;
    lines.push(
      ...wrapLines(step, WIDTH - prefix.length).map(
        (line, row) => (row === 0 ? prefix : " ".repeat(prefix.length)) + line,
      ),
    );
  });
  lines.push("");

  const rows = details(explained);
  if (rows.length > 0) {
    const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 2;
    lines.push(...rows.map(([label, value]) => `${label}:`.padEnd(labelWidth) + value), "");
  }
  const replyText = wrapLines(explained.text, WIDTH - 2);
  lines.push(style("1", "Reply text:"));
  lines.push(...(replyText.length === 0 ? ["(empty)"] : replyText).map((line) => `  ${line}`));
  return `${lines.join("\n")}\n`;
}

/**
 * Markdown for a ticket or a chat: the same parts as the text output, with the reply quoted
 * in a code block so that Markdown does not change it. Hidden characters are shown as escapes,
 * as in the text output.
 */
export function renderMarkdown(reply: ExplainedReply): string {
  const explained = showHiddenInReport(reply);
  const provider =
    explained.provider === null ? "receiver unknown" : PROVIDER_NAMES[explained.provider];
  const lines = [
    `### ${codesOf(explained)} · ${provider} · ${outcomeLabel(explained)}`,
    "",
    `Category: \`${explained.category}\` (rule \`${explained.ruleId}\`)`,
    "",
    explained.summary,
    "",
    "**What to do**",
    "",
    ...explained.fix.map((step, index) => `${index + 1}. ${step}`),
    "",
  ];
  const rows = details(explained);
  if (rows.length > 0) {
    lines.push(...rows.map(([label, value]) => `- **${label}:** ${value}`), "");
  }
  const fence = "`".repeat(Math.max(3, longestBacktickRun(explained.text) + 1));
  lines.push("**Reply text**", "", fence, explained.text, fence);
  return `${lines.join("\n")}\n`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** The meaning of a reply for the mail, from the class of its reply code or enhanced code. */
type Outcome =
  | "success"
  | "intermediate reply"
  | "temporary failure"
  | "permanent failure"
  | "expired after retries"
  | "outcome unknown";

const OUTCOME_COLOURS: Record<Outcome, string | null> = {
  success: "32",
  "intermediate reply": null,
  "temporary failure": "33",
  "permanent failure": "31",
  "expired after retries": "31",
  "outcome unknown": null,
};

// Follows the outcome of a reply without codes whose rule decided it, so that the reader can
// tell it from an outcome that a reply code gives.
const FROM_TEXT_NOTE = " (from the reply text)";

/**
 * Returns the outcome of the reply. A rule that calls the reply permanent overrides a 4xx
 * code, and a 5xx reply that is not permanent (a recipient that the bounce reports as delayed)
 * is a temporary failure. A temporary reply after which the message expired in the queue has
 * an outcome of its own, because the message failed but the reply's cause may pass. A text with neither a reply code nor an enhanced code takes its
 * outcome from its rule, when the rule's replies are all permanent or all temporary, or from
 * the Action of the pasted DSN that carried it. Otherwise its outcome is unknown, because the
 * `permanent: false` that the classifier then gives it does not make it a temporary failure.
 */
function outcomeOf(explained: ExplainedReply): Outcome {
  const { replyCode, enhancedStatus } = explained;
  const digit = replyCode === null ? (enhancedStatus?.charAt(0) ?? null) : String(replyCode)[0];
  if (digit === "2") return "success";
  if (explained.permanenceSource === "expired") return "expired after retries";
  if (explained.permanent) return "permanent failure";
  if (digit === "3") return "intermediate reply";
  if (digit === "4" || digit === "5") return "temporary failure";
  return explained.permanenceSource === null ? "outcome unknown" : "temporary failure";
}

/** Returns the outcome as the header shows it, with a note when only the rule decided it. */
function outcomeLabel(explained: ExplainedReply): string {
  const outcome = outcomeOf(explained);
  const codeless = explained.replyCode === null && explained.enhancedStatus === null;
  const fromText = codeless && explained.permanenceSource === "rule";
  return fromText ? `${outcome}${FROM_TEXT_NOTE}` : outcome;
}

/** Formats the reply code and the enhanced code, or names the one that is missing. */
function codesOf(explained: ExplainedReply): string {
  const { replyCode, enhancedStatus } = explained;
  if (replyCode !== null) {
    return enhancedStatus === null ? String(replyCode) : `${replyCode} ${enhancedStatus}`;
  }
  return enhancedStatus === null ? "no reply code" : `${enhancedStatus} (no reply code)`;
}

function details(explained: ExplainedReply): [string, string][] {
  const rows: [string, string | null][] = [
    ["Judged IP", explained.judgedIp],
    ["Token", explained.providerToken],
    ["Stage", explained.stage === null ? null : SMTP_STAGE_NAMES[explained.stage]],
    ["Remote host", remote(explained)],
    ["Findings", explained.findings.length === 0 ? null : explained.findings.join(", ")],
    ["Reference", explained.reference],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== null);
}

function remote(explained: ExplainedReply): string | null {
  if (explained.remoteHost === null) return explained.remoteIp;
  return explained.remoteIp === null
    ? explained.remoteHost
    : `${explained.remoteHost} [${explained.remoteIp}]`;
}

/** Splits text into lines of at most `width` columns, as `wrap` does; none for blank text. */
function wrapLines(text: string, width: number): string[] {
  const lines = wrap(text, "", "", width);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}
