/**
 * Detection of a bounce pasted whole into `delist explain`, as opposed to one reply. This
 * module imports nothing, so that explaining a bare reply loads neither the MIME parser nor
 * the bounce decoder of paste.ts.
 */

/** A header block at the start ("From: …", "Received: …"): the paste is a whole message. */
export const MESSAGE_START = /^(?:From [^\n]*\n)?(?:[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*){2,}/;

// Sentences and fields that only whole bounce bodies contain.
const BOUNCE_BODY =
  /^(?:Final-Recipient|Original-Recipient):|This is the mail system at host|could not be delivered to one or more|I'm afraid I wasn't able to deliver|Delivery to the following recipient|The following address(?:es)? (?:had|failed)|Your message (?:to .* )?couldn't be delivered|wasn't able to deliver|did not reach the following recipient/im;

/** Returns the text with CRLF and CR line ends as LF and without leading white space. */
export function normalisePaste(text: string): string {
  return text.replace(/\r\n?/g, "\n").trimStart();
}

/** True when the text is a whole bounce (message or body) rather than one reply. */
export function isPastedBounce(text: string): boolean {
  const normalised = normalisePaste(text);
  return MESSAGE_START.test(normalised) || BOUNCE_BODY.test(normalised);
}
