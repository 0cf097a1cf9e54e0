import { isPastedBounce } from "../bounce/paste-detect.js";
import { COMCAST_PUBLIC_BLOCKLIST_RULE_ID, comcastListing } from "../knowledge/rules/comcast.js";
import {
  CONNECTION_FAILURE_RULE_IDS,
  failedConnectionHost,
  withFailedHost,
} from "../knowledge/rules/connection.js";
import { createReplyClassifier, type ReplyClassifier } from "../reply/classify.js";
import { splitPastedReplies } from "../reply/pasted-replies.js";
import type { ExplainedReply } from "../reply/types.js";
import {
  isSuccess,
  renderJson,
  renderMarkdownReplies,
  renderTextReplies,
  type ExplainOptions,
  type RecipientReply,
} from "./explain.js";
import { asExpired, isExpiredLogLine, withAction } from "./explain-action.js";
import { MAX_STDIN_BYTES, readStdinText } from "./explain-input.js";
import {
  colourEnabled,
  EXIT_OK,
  EXIT_PROBLEMS,
  hintTerminalStdin,
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
  const { replies, notReplies } = await explainInput(input);
  if (notReplies.length > 0) noteNotReplies(notReplies, io);
  io.stdout.write(
    format === "json"
      ? renderJson(replies)
      : format === "markdown"
        ? renderMarkdownReplies(replies)
        : renderTextReplies(replies, colourEnabled(io)),
  );
  return replies.every(({ reply }) => isSuccess(reply)) ? EXIT_OK : EXIT_PROBLEMS;
}

/** The explained replies of the input, and the pasted pieces that contain no reply. */
interface ExplainedInput {
  readonly replies: RecipientReply[];
  readonly notReplies: string[];
}

/**
 * Explains each reply of the input. A whole pasted bounce is first reduced to the replies of
 * its failed recipients, each with its recipient, remote host and stage as hints, and
 * recipients with the same reply share one explanation. Other text is split into its log
 * lines and replies, which are explained one by one.
 */
async function explainInput(input: string): Promise<ExplainedInput> {
  const classifier = createReplyClassifier();
  if (!isPastedBounce(input)) return explainPastedReplies(classifier, input);

  // The MIME parser and the bounce decoder load only for a pasted bounce.
  const { repliesFromPastedBounce } = await import("../bounce/paste.js");
  const pasted = await repliesFromPastedBounce(input);
  if (pasted.length === 0) return explainPastedReplies(classifier, input);

  const distinct = new Map<string, { reply: ExplainedReply; recipients: string[] }>();
  for (const pastedReply of pasted) {
    const explained = classifier.explain(pastedReply.reply, {
      recipient: pastedReply.recipient,
      relayHost: pastedReply.remoteMta,
      stage: pastedReply.stage,
    });
    const reply = withReplyDetails(withAction(explained, pastedReply), pastedReply.remoteMta);
    const key = JSON.stringify([
      reply.replyCode,
      reply.enhancedStatus,
      reply.ruleId,
      reply.permanent,
      reply.summary,
      reply.text,
    ]);
    const known = distinct.get(key);
    if (known === undefined) distinct.set(key, { reply, recipients: [pastedReply.recipient] });
    else known.recipients.push(pastedReply.recipient);
  }
  return { replies: [...distinct.values()], notReplies: [] };
}

/**
 * Explains each log line or reply of pasted text on its own, in order. When the text splits
 * into several pieces, a piece that contains no reply (a log line such as Postfix's "removed")
 * is left out and returned in `notReplies`, unless no piece contains a reply.
 */
function explainPastedReplies(classifier: ReplyClassifier, input: string): ExplainedInput {
  const explained = splitPastedReplies(input).map((piece) => {
    const reply = withReplyDetails(classifier.explain(piece), null);
    return { piece, reply: isExpiredLogLine(piece) ? asExpired(reply) : reply };
  });
  const withReply = explained.filter(({ reply }) => !isNoReply(reply));
  const explainedPieces = withReply.length === 0 ? explained : withReply;
  const leftOut = explained.filter((piece) => !explainedPieces.includes(piece));
  return {
    replies: explainedPieces.map(({ reply }) => ({ reply, recipients: [] })),
    notReplies: leftOut.map(({ piece }) => piece),
  };
}

/** True for a text in which the classifier found no reply code, status or known wording. */
function isNoReply(reply: ExplainedReply): boolean {
  return (
    reply.replyCode === null && reply.enhancedStatus === null && reply.ruleId === UNKNOWN_RULE_ID
  );
}

const UNKNOWN_RULE_ID = "generic.unknown";

// Characters of a left-out piece that the note quotes, enough to find the line in the paste.
const QUOTED_PIECE_CHARS = 60;

/** Writes a note naming the pasted pieces that were left out because they contain no reply. */
function noteNotReplies(notReplies: readonly string[], io: CliIo): void {
  const first = (notReplies[0] ?? "").trim().split("\n")[0] ?? "";
  const quoted =
    first.length > QUOTED_PIECE_CHARS ? `${first.slice(0, QUOTED_PIECE_CHARS)}…` : first;
  const note =
    notReplies.length === 1
      ? `1 pasted line has no SMTP reply and was not explained: "${quoted}"`
      : `${notReplies.length} pasted lines have no SMTP reply and were not explained. The first is "${quoted}".`;
  io.stderr.write(`delist: note: ${note}\n`);
}

/**
 * Adds to the summary and steps what this one reply names and its rule leaves general: the
 * host of a failed connection, and the public lists of a Comcast token.
 */
function withReplyDetails(explained: ExplainedReply, remoteMta: string | null): ExplainedReply {
  return withComcastLists(withConnectionHost(explained, remoteMta));
}

/**
 * Names the lists of a Comcast BL000xxx token and the listed IP in the summary and steps. The
 * rule itself names all three lists, because `delist diagnose` counts many replies under it.
 */
function withComcastLists(explained: ExplainedReply): ExplainedReply {
  if (explained.ruleId !== COMCAST_PUBLIC_BLOCKLIST_RULE_ID) return explained;
  if (explained.providerToken === null) return explained;
  const listing = comcastListing(explained.providerToken, explained.judgedIp);
  if (listing === null) return explained;
  return { ...explained, summary: listing.summary, fix: [...listing.fix] };
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
  hintTerminalStdin(io, "the reply");
  const { text, truncated } = await readStdinText(io.stdin);
  if (truncated) {
    const limit = `${MAX_STDIN_BYTES / 1024 / 1024} MiB`;
    io.stderr.write(
      `delist: note: standard input is longer than ${limit}, so only its first ${limit} was read\n`,
    );
  }
  return text;
}
