/**
 * A bounce pasted whole into `delist explain`: a raw message with headers, or only the body
 * that a mail client shows. The reply inside it is found with the bounce decoder, so that
 * the explanation is about the receiver's reply and not about the MTA's boilerplate.
 * `isPastedBounce` in paste-detect.ts decides whether a text is such a paste.
 */
import type { SmtpStage } from "../knowledge/categories.js";
import { parseReply } from "../reply/parse.js";
import { recipientBlocks } from "./formats/blocks.js";
import { notificationPart } from "./formats/notification.js";
import { originalSender, readDrafts } from "./read.js";
import { parseBounceMessage } from "./mime.js";
import { MESSAGE_START, normalisePaste } from "./paste-detect.js";
import type { RecipientDraft } from "./types.js";

/** The reply of one failed recipient of a pasted bounce, with the host and stage around it. */
export interface PastedReply {
  /** The receiver's reply or the MTA's error text for the recipient. */
  readonly reply: string;
  readonly recipient: string;
  /** The host that returned the error, when the bounce names it. */
  readonly remoteMta: string | null;
  /** The SMTP command that the reply was sent for, when the bounce names it for the recipient. */
  readonly stage: SmtpStage | null;
  /**
   * True when the bounce reports the recipient as failed: a DSN's `Action: failed`, or a
   * non-delivery notice without a DSN part that is not a delay notice. The reporting MTA then gave
   * up on the recipient (RFC 3464 section 2.3.3), whatever class the reply has.
   */
  readonly actionFailed: boolean;
  /**
   * True when the bounce reports the recipient as delayed: a DSN's `Action: delayed`, or a
   * delay notice. The reporting MTA then still retries the recipient, whatever the reply code.
   */
  readonly delayed: boolean;
}

// The commands that the bounce readers name, as SMTP stages.
const COMMAND_STAGES: Readonly<Record<string, SmtpStage>> = {
  connect: "connect",
  helo: "helo",
  mail: "mail",
  rcpt: "rcpt",
  data: "data",
};

/**
 * Returns the replies of the failed recipients of a pasted bounce, in the bounce's order, or
 * an empty list when the decoder finds no recipient with error text (the caller then explains
 * the text as it is).
 */
export async function repliesFromPastedBounce(text: string): Promise<PastedReply[]> {
  const normalised = normalisePaste(text);
  // A body without headers gets a minimal header block, so the MIME parser reads it as a
  // message body and the decoder treats it as a bounce.
  const raw = MESSAGE_START.test(normalised)
    ? normalised
    : `From: MAILER-DAEMON\nSubject: Undelivered Mail Returned to Sender\n\n${normalised}`;
  const message = await parseBounceMessage(raw);
  const { kind, drafts } = readDrafts(message, originalSender(message));
  const blocks = recipientBlocks(notificationPart(message.text)).blocks;
  return drafts
    .filter((draft) => draft.diagnostic.trim() !== "")
    .map((draft) => ({
      reply: draft.diagnostic,
      recipient: draft.recipient,
      remoteMta: draft.remoteMta,
      stage: stageOf(draft, blocks.find((block) => block.recipient === draft.recipient)?.text),
      actionFailed: (kind === "dsn" || kind === "bounce") && draft.action === "failed",
      delayed: draft.action === "delayed",
    }));
}

/**
 * Returns the stage of a recipient's error. A DSN's Diagnostic-Code does not name the command,
 * but Postfix's text for the same recipient does ("in reply to end of DATA command"). That text
 * also distinguishes the end of DATA from the DATA command, and the readers' command does not.
 */
function stageOf(draft: RecipientDraft, blockText: string | undefined): SmtpStage | null {
  const fromBlock = blockText === undefined ? null : parseReply(blockText).stage;
  return fromBlock ?? (draft.command === null ? null : (COMMAND_STAGES[draft.command] ?? null));
}
