/**
 * The human-readable part of a bounce: where the MTA's own text ends and the returned
 * message begins.
 */

// Lines that MTAs put between their notification and the copy of the original message.
const ORIGINAL_MARKERS: readonly RegExp[] = [
  /^-+\s*(?:Below this line is a copy of the message|Enclosed is a copy of the message)/i,
  /^-+\s*This is a copy of (?:the|your) message/i,
  /^-+\s*The header of the original message is following/i,
  /^(?:Message headers follow|Original message follows)\.?\s*$/i,
  // Exchange 2007 and later, below the diagnostic information for administrators.
  /^Original message headers:\s*$/i,
  /^\s*-+\s*(?:Original message|Returned message|Unsent message follows|Original message follows|Message header follows|Original mail follows)\b/i,
  /^\s*-+\s*(?:The )?(?:original|returned) (?:message|mail|headers?)\b.*-+\s*$/i,
  /^\s*-+\s*Forwarded message\b/i,
  /^Original mail as follows:/i,
  /^\s*Below is a copy of the original message/i,
  /^\|?-+\s*Message text follows/i,
  /^\s*-+\s*Original message text\b/i,
  /^The original message headers? (?:was|were|are|is)[:\s]/i,
  /^\s*Content-Type:\s*message\/rfc822/i,
  // Japanese notices: "----- 元のメッセージ -----" ("original message"), "返送されたメール"
  // ("returned mail"), "オリジナルメッセージ", "送信した(された)メッセージ" ("the message
  // sent"), "お送りいただいたメール" ("the mail you sent"). The dashes may be box-drawing or
  // quotation dashes ("─", "―").
  new RegExp(
    String.raw`^\s*[-=\u2015\u2500]+\s*` +
      String.raw`(?:元の|返送された|オリジナル|送信(?:した|された)|お送りいただいた)(?:メッセージ|メール)`,
  ),
  // Zoho writes the returned message's headers straight after the error, without a marker
  // line and without a space after the colons.
  /^Received:from\s/,
];

// The markers as one pattern, tested once per line. Case is ignored for all of them.
const ORIGINAL_MARKER = new RegExp(
  ORIGINAL_MARKERS.map((marker) => `(?:${marker.source})`).join("|"),
  "i",
);

/** Returns the notification text with the returned original message cut off. */
export function notificationPart(text: string): string {
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (ORIGINAL_MARKER.test(line)) return text.slice(0, Math.max(0, start - 1));
    if (end < 0) return text;
    start = end + 1;
  }
}

/** Returns the part of the text after the original-message marker, or null when none. */
export function originalPart(text: string): string | null {
  const notification = notificationPart(text);
  if (notification.length === text.length) return null;
  const rest = text.slice(notification.length + 1);
  const firstBreak = rest.indexOf("\n");
  return firstBreak < 0 ? "" : rest.slice(firstBreak + 1);
}
