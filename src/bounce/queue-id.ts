/**
 * Finding the sending MTA's queue id of the message that a bounce returns, so that a bounce can
 * be matched to the delivery attempt that a mail log shows for the same message.
 */
import type { BounceMessage } from "./mime.js";

// Postfix writes the queue id into the per-message fields of its DSNs.
const POSTFIX_QUEUE_ID = /^X-Postfix-Queue-ID:[ \t]*([0-9A-Za-z]+)[ \t]*$/im;

// Plain-text bounces append the returned message after a line such as Exim's "------ This is a
// copy of the message, including all the headers. ------" or Sendmail's "----- Unsent message
// follows -----". Exim's variant "a copy of the body of the message, without the headers" has
// no Received field to read, so it is not listed.
const COPY_MARKER =
  /^[ \t]*-+ (?:This is a copy of the message, including all the headers\.|(?:Unsent|Original) message follows|Message header follows) -+[ \t]*$/m;

// The `id` clause of a Received field (RFC 5321 section 4.4): Exim's message id, or the queue
// id of Postfix or Sendmail. A semicolon ends the clauses before the date.
const RECEIVED_ID = /\bid[ \t]+([^\s;]+)/i;

/**
 * Returns the queue id of the returned message: Postfix's `X-Postfix-Queue-ID`, else the `id` of
 * the first Received field of the returned message or headers, which the MTA that received the
 * message added (Exim's message id, Sendmail's queue id). Returns null when there is neither.
 */
export function returnedQueueId(message: BounceMessage): string | null {
  const postfix = POSTFIX_QUEUE_ID.exec(message.deliveryStatus ?? message.text);
  if (postfix?.[1] !== undefined) return postfix[1];
  const returned = message.original ?? copyAfterMarker(message.text);
  return returned === null ? null : firstReceivedId(returned);
}

function copyAfterMarker(text: string): string | null {
  const marker = COPY_MARKER.exec(text);
  if (marker === null) return null;
  return text.slice(marker.index + marker[0].length).replace(/^\n+/, "");
}

// Reads the header block only, so that a Received line quoted in the body is not taken.
function firstReceivedId(returned: string): string | null {
  const blank = returned.search(/\n[ \t]*\n/);
  const headers = blank < 0 ? returned : returned.slice(0, blank);
  const unfolded = headers.replace(/\r?\n[ \t]+/g, " ");
  const received = /^Received:(.*)$/im.exec(unfolded);
  if (received?.[1] === undefined) return null;
  return RECEIVED_ID.exec(received[1])?.[1] ?? null;
}
