/**
 * A bounce pasted whole into `delist explain`: a raw message with headers, or only the body
 * that a mail client shows. The reply inside it is found with the bounce decoder, so that
 * the explanation is about the receiver's reply and not about the MTA's boilerplate.
 * `isPastedBounce` in paste-detect.ts decides whether a text is such a paste.
 */
import { originalSender, readDrafts } from "./read.js";
import { parseBounceMessage } from "./mime.js";
import { MESSAGE_START, normalisePaste } from "./paste-detect.js";

/** The reply found in a pasted bounce, with what the bounce says around it. */
export interface PastedReply {
  /** The receiver's reply or the MTA's error text for the first failed recipient. */
  readonly reply: string;
  readonly recipient: string;
  /** The host that returned the error, when the bounce names it. */
  readonly remoteMta: string | null;
}

/**
 * Returns the reply of the first failed recipient of a pasted bounce, or null when the
 * decoder finds no recipient with error text (the caller then explains the text as it is).
 */
export async function replyFromPastedBounce(text: string): Promise<PastedReply | null> {
  const normalised = normalisePaste(text);
  // A body without headers gets a minimal header block, so the MIME parser reads it as a
  // message body and the decoder treats it as a bounce.
  const raw = MESSAGE_START.test(normalised)
    ? normalised
    : `From: MAILER-DAEMON\nSubject: Undelivered Mail Returned to Sender\n\n${normalised}`;
  const message = await parseBounceMessage(raw);
  const { drafts } = readDrafts(message, originalSender(message));
  const draft = drafts.find((candidate) => candidate.diagnostic.trim() !== "");
  if (draft === undefined) return null;
  return { reply: draft.diagnostic, recipient: draft.recipient, remoteMta: draft.remoteMta };
}
