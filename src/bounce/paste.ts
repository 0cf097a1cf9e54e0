/**
 * A bounce pasted whole into `delist explain`: a raw message with headers, or only the body
 * that a mail client shows. The reply inside it is found with the bounce decoder, so that
 * the explanation is about the receiver's reply and not about the MTA's boilerplate.
 */
import { originalSender, readDrafts } from "./read.js";
import { parseBounceMessage } from "./mime.js";

/** The reply found in a pasted bounce, with what the bounce says around it. */
export interface PastedReply {
  /** The receiver's reply or the MTA's error text for the first failed recipient. */
  readonly reply: string;
  readonly recipient: string;
  /** The host that returned the error, when the bounce names it. */
  readonly remoteMta: string | null;
}

// A header block at the start ("From: …", "Received: …"): the paste is a whole message.
const MESSAGE_START = /^(?:From [^\n]*\n)?(?:[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*){2,}/;
// Sentences and fields that only whole bounce bodies contain.
const BOUNCE_BODY =
  /^(?:Final-Recipient|Original-Recipient):|This is the mail system at host|could not be delivered to one or more|I'm afraid I wasn't able to deliver|Delivery to the following recipient|The following address(?:es)? (?:had|failed)|Your message (?:to .* )?couldn't be delivered|wasn't able to deliver|did not reach the following recipient/im;

/** True when the text is a whole bounce (message or body) rather than one reply. */
export function isPastedBounce(text: string): boolean {
  const normalised = text.replace(/\r\n?/g, "\n").trimStart();
  return MESSAGE_START.test(normalised) || BOUNCE_BODY.test(normalised);
}

/**
 * Returns the reply of the first failed recipient of a pasted bounce, or null when the
 * decoder finds no recipient with error text (the caller then explains the text as it is).
 */
export async function replyFromPastedBounce(text: string): Promise<PastedReply | null> {
  const normalised = text.replace(/\r\n?/g, "\n").trimStart();
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
