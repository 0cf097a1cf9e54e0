import { isPastedBounce } from "../bounce/paste-detect.js";
import {
  CONNECTION_FAILURE_RULE_IDS,
  failedConnectionHost,
  withFailedHost,
} from "../knowledge/rules/connection.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { ExplainedReply } from "../reply/types.js";
import {
  isSuccess,
  renderJson,
  renderMarkdown,
  renderText,
  type ExplainOptions,
} from "./explain.js";
import { MAX_STDIN_BYTES, readStdinText } from "./explain-input.js";
import {
  colourEnabled,
  EXIT_OK,
  EXIT_PROBLEMS,
  parseFormat,
  UsageError,
  type CliIo,
} from "./io.js";

/** Runs `delist explain` and returns the exit status. */
export async function runExplain(
  words: string[],
  options: ExplainOptions,
  io: CliIo,
): Promise<number> {
  const format = parseFormat(options.format, ["text", "json", "markdown"]);
  const input = await readReply(words, io);
  const explained = await explainInput(input);
  io.stdout.write(
    format === "json"
      ? renderJson(explained)
      : format === "markdown"
        ? renderMarkdown(explained)
        : renderText(explained, colourEnabled(io)),
  );
  return isSuccess(explained) ? EXIT_OK : EXIT_PROBLEMS;
}

/**
 * Explains a bare reply as it is. A whole pasted bounce is first reduced to the reply of its
 * first failed recipient, with that recipient and the remote host as hints.
 */
async function explainInput(input: string): Promise<ExplainedReply> {
  const classifier = createReplyClassifier();
  if (!isPastedBounce(input)) return withConnectionHost(classifier.explain(input), null);

  // The MIME parser and the bounce decoder load only for a pasted bounce.
  const { replyFromPastedBounce } = await import("../bounce/paste.js");
  const pasted = await replyFromPastedBounce(input);
  if (pasted === null) return withConnectionHost(classifier.explain(input), null);
  const explained = classifier.explain(pasted.reply, {
    recipient: pasted.recipient,
    relayHost: pasted.remoteMta,
  });
  return withConnectionHost(explained, pasted.remoteMta);
}

/**
 * Puts the host of a failed connection into the steps of its rule: the host that the text
 * names, else the one that the reply's wrapper or the bounce's Remote-MTA field names. Without
 * one, the steps describe in words which hosts to test.
 */
function withConnectionHost(explained: ExplainedReply, remoteMta: string | null): ExplainedReply {
  if (!CONNECTION_FAILURE_RULE_IDS.has(explained.ruleId)) return explained;
  // The wrapper's and Remote-MTA's names go through `failedConnectionHost` as well, because it
  // returns only a plain host name, so nothing else reaches the shell commands of the steps.
  const host =
    [explained.text, explained.remoteHost, remoteMta]
      .map((candidate) => (candidate === null ? null : failedConnectionHost(candidate)))
      .find((found) => found !== null) ?? null;
  return { ...explained, fix: withFailedHost(explained.fix, host) };
}

async function readReply(words: readonly string[], io: CliIo): Promise<string> {
  const input = words.length === 1 && words[0] === "-" ? await readStdin(io) : words.join(" ");
  if (input.trim() === "") {
    throw new UsageError(
      'no reply to explain: give the reply text as arguments, or "-" to read it from standard input',
    );
  }
  return input;
}

async function readStdin(io: CliIo): Promise<string> {
  const { text, truncated } = await readStdinText(io.stdin);
  if (truncated) {
    const limit = `${MAX_STDIN_BYTES / 1024 / 1024} MiB`;
    io.stderr.write(
      `delist: note: standard input is longer than ${limit}, so only its first ${limit} was read\n`,
    );
  }
  return text;
}
