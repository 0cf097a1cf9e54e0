import type { Command } from "commander";
import type { SmtpStage } from "../knowledge/categories.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import { isPastedBounce, replyFromPastedBounce } from "../bounce/paste.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { ExplainedReply } from "../reply/types.js";
import type { SetExitCode } from "./commands.js";
import {
  colourEnabled,
  EXIT_OK,
  EXIT_PROBLEMS,
  parseFormat,
  UsageError,
  type CliIo,
} from "./io.js";

/** Version of the JSON output of `delist explain`; docs/explain.schema.json describes it. */
export const EXPLAIN_SCHEMA_VERSION = 1;

const WIDTH = 80;

const STAGE_NAMES: Record<SmtpStage, string> = {
  connect: "connection greeting",
  helo: "EHLO/HELO",
  starttls: "STARTTLS",
  auth: "AUTH",
  mail: "MAIL FROM",
  rcpt: "RCPT TO",
  data: "DATA",
  "end-of-data": "end of DATA",
  quit: "QUIT",
  other: "other command",
};

interface ExplainOptions {
  readonly format: string;
}

/** Adds `delist explain TEXT…`: one SMTP reply or pasted bounce text, decoded. */
export function registerExplain(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command("explain")
    .summary("explain one SMTP reply or pasted bounce text")
    .description(
      "Explain one SMTP reply: what the receiver decided, why, and what to fix. The words are " +
        "joined with spaces; give - to read the reply from standard input. Exit status: 0 for " +
        "a 2xx reply, 1 for any other reply, 2 for empty input or bad options.",
    )
    .argument("[text...]", "the reply text, or - for standard input")
    .option("--format <format>", "output format: text or json", "text")
    .action(async (words: string[], options: ExplainOptions) => {
      const format = parseFormat(options.format, ["text", "json"]);
      const input = await readReply(words, io);
      const explained = await explainInput(input);
      io.stdout.write(
        format === "json" ? renderJson(explained) : renderText(explained, colourEnabled(io)),
      );
      setExitCode(isSuccess(explained) ? EXIT_OK : EXIT_PROBLEMS);
    });
}

/**
 * Explains a bare reply as it is; a whole pasted bounce is first reduced to the reply of its
 * first failed recipient, with that recipient and the remote host as hints.
 */
async function explainInput(input: string): Promise<ExplainedReply> {
  const classifier = createReplyClassifier();
  const pasted = isPastedBounce(input) ? await replyFromPastedBounce(input) : null;
  if (pasted === null) return classifier.explain(input);
  return classifier.explain(pasted.reply, {
    recipient: pasted.recipient,
    relayHost: pasted.remoteMta,
  });
}

async function readReply(words: readonly string[], io: CliIo): Promise<string> {
  const input = words.length === 1 && words[0] === "-" ? await readAll(io.stdin) : words.join(" ");
  if (input.trim() === "") {
    throw new UsageError(
      'no reply to explain: give the reply text as arguments, or "-" to read it from standard input',
    );
  }
  return input;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function isSuccess(explained: ExplainedReply): boolean {
  return explained.replyCode !== null && explained.replyCode >= 200 && explained.replyCode < 300;
}

/** The JSON object of `--format json`: every field of the explained reply plus the schema version. */
export function renderJson(explained: ExplainedReply): string {
  const output = {
    schemaVersion: EXPLAIN_SCHEMA_VERSION,
    replyCode: explained.replyCode,
    enhancedStatus: explained.enhancedStatus,
    provider: explained.provider,
    category: explained.category,
    ruleId: explained.ruleId,
    permanent: explained.permanent,
    summary: explained.summary,
    fix: explained.fix,
    reference: explained.reference,
    findings: explained.findings,
    text: explained.text,
    stage: explained.stage,
    remoteHost: explained.remoteHost,
    remoteIp: explained.remoteIp,
    judgedIp: explained.judgedIp,
    providerToken: explained.providerToken,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** Text for people, wrapped at 80 columns; ANSI colour only when `colour` is true. */
export function renderText(explained: ExplainedReply, colour: boolean): string {
  const style = (code: string, text: string): string =>
    colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  const lines: string[] = [];

  const codes = [explained.replyCode ?? "no reply code", explained.enhancedStatus].filter(
    (part) => part !== null,
  );
  const provider =
    explained.provider === null ? "receiver unknown" : PROVIDER_NAMES[explained.provider];
  const kind = explained.permanent ? style("31", "permanent") : style("33", "temporary");
  lines.push(`${style("1", codes.join(" "))}  ${provider}  ${kind}`);
  lines.push(`${explained.category} (${explained.ruleId})`, "");
  lines.push(...wrap(explained.summary, WIDTH), "");

  lines.push(style("1", "What to do:"));
  explained.fix.forEach((step, index) => {
    const prefix = `  ${index + 1}. `;
    lines.push(
      ...wrap(step, WIDTH - prefix.length).map(
        (line, row) => (row === 0 ? prefix : " ".repeat(prefix.length)) + line,
      ),
    );
  });
  lines.push("");

  lines.push(...details(explained).map(([label, value]) => `${`${label}:`.padEnd(12)}${value}`));
  lines.push(
    "",
    style("1", "Reply text:"),
    ...wrap(explained.text, WIDTH - 2).map((line) => `  ${line}`),
  );
  return `${lines.join("\n")}\n`;
}

function details(explained: ExplainedReply): [string, string][] {
  const rows: [string, string | null][] = [
    ["Judged IP", explained.judgedIp],
    ["Token", explained.providerToken],
    ["Stage", explained.stage === null ? null : STAGE_NAMES[explained.stage]],
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

/** Splits text into lines of at most `width` characters at spaces; longer words stay whole. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((part) => part !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
