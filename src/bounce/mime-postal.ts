/**
 * Reading one bounce message with postal-mime: the path for every message that the fast
 * path (`mime-fast-path.ts`) does not accept.
 */
import PostalMime, { type Email } from "postal-mime";
import type { BounceMessage } from "./mime.js";
import {
  DELIVERY_STATUS,
  FEEDBACK_REPORT,
  htmlToText,
  isoDate,
  mailboxAddress,
  ORIGINAL,
  rawBody,
  unquote,
  withLineFeeds,
  withoutCarriageReturns,
} from "./mime-shared.js";

/**
 * Most MIME parts read from one message, the message itself and containers included. A
 * bounce usually has three to six, and the limit bounds the work on a message built to
 * exhaust it.
 */
export const MAX_MIME_PARTS = 200;

// Each returned message stays an attachment and is not parsed as a message of its own: the
// decoders need only its headers, and a nested parse would double the work and the memory.
const PARSE_OPTIONS = {
  maxRfc822NestingDepth: 0,
  attachmentEncoding: "utf8",
  maxPartCount: MAX_MIME_PARTS,
  maxNestingDepth: 20,
} as const;

/** Parses raw message bytes with postal-mime; rejects only when postal-mime rejects (limits exceeded). */
export async function parseWithPostalMime(raw: Uint8Array | string): Promise<BounceMessage> {
  const email = await PostalMime.parse(withLineFeeds(raw), PARSE_OPTIONS);
  return {
    headers: email.headers.map((header) => ({ name: header.key, value: header.value })),
    subject: email.subject ?? "",
    from: mailboxAddress(email.from),
    to: mailboxAddress(email.to?.[0]),
    date: isoDate(email.date),
    text: unquote(notificationText(email) || rawBody(raw, email.attachments.length)),
    deliveryStatus: partText(email, DELIVERY_STATUS),
    feedbackReport: partText(email, FEEDBACK_REPORT),
    original: partText(email, ORIGINAL),
  };
}

function notificationText(email: Email): string {
  const text = [...malformedTextParts(email), email.text ?? ""].join("\n");
  if (text.trim() !== "") return text;
  if (email.html === undefined) return "";
  return htmlToText(email.html);
}

/**
 * Returns the text of parts whose `Content-Type` lost the semicolon before its parameters
 * ("text/plain   charset=iso-2022-jp"): postal-mime keeps such a part as an attachment,
 * but some bounce notices are written that way.
 */
function malformedTextParts(email: Email): string[] {
  return email.attachments
    .filter((part) => part.disposition === null && /^text\/plain\s+\S/.test(part.mimeType))
    .map((part) =>
      inCharset(
        typeof part.content === "string" ? part.content : new TextDecoder().decode(part.content),
        part.mimeType,
      ),
    );
}

/**
 * Decodes a 7-bit text again in the charset its malformed type names (ISO-2022-JP): the
 * attachment's UTF-8 decoding keeps 7-bit bytes as they are, so nothing is lost. Other texts,
 * and charsets that TextDecoder does not know, are returned unchanged.
 */
function inCharset(text: string, mimeType: string): string {
  const charset = /\bcharset\s*=\s*"?([\w.:-]+)/i.exec(mimeType)?.[1];
  if (charset === undefined || /[\u0080-\uffff]/.test(text)) return text;
  try {
    return new TextDecoder(charset).decode(Buffer.from(text, "latin1"));
  } catch {
    return text;
  }
}

function partText(email: Email, mimeType: RegExp): string | null {
  for (const attachment of email.attachments) {
    if (!mimeType.test(attachment.mimeType)) continue;
    const content = attachment.content;
    return withoutCarriageReturns(
      typeof content === "string" ? content : new TextDecoder().decode(content),
    );
  }
  return null;
}
