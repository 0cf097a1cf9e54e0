/**
 * The human-readable part of a bounce: where the MTA's own text ends and the returned
 * message begins, and which MTA wrote it (from its fixed sentences and headers).
 */

// Lines that MTAs put between their notification and the copy of the original message.
const ORIGINAL_MARKERS: readonly RegExp[] = [
  /^-+\s*(?:Below this line is a copy of the message|Enclosed is a copy of the message)/i,
  /^-+\s*This is a copy of (?:the|your) message/i,
  /^-+\s*The header of the original message is following/i,
  /^(?:Message headers follow|Original message follows)\.?\s*$/i,
  /^\s*-+\s*(?:Original message|Returned message|Unsent message follows|Original message follows|Message header follows|Original mail follows)\b/i,
  /^\s*-+\s*(?:The )?(?:original|returned) (?:message|mail|headers?)\b.*-+\s*$/i,
  /^\s*-+\s*Forwarded message\b/i,
  /^Original mail as follows:/i,
  /^\s*Below is a copy of the original message/i,
  /^\|?-+\s*Message text follows/i,
  /^\s*-+\s*Original message text\b/i,
  /^The original message headers? (?:was|were|are|is)[:\s]/i,
  /^\s*Content-Type:\s*message\/rfc822/i,
];

/** Returns the notification text with the returned original message cut off. */
export function notificationPart(text: string): string {
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? "";
    if (ORIGINAL_MARKERS.some((marker) => marker.test(line))) {
      return lines.slice(0, index).join("\n");
    }
  }
  return text;
}

/** Returns the part of the text after the original-message marker, or null when none. */
export function originalPart(text: string): string | null {
  const notification = notificationPart(text);
  if (notification.length === text.length) return null;
  const rest = text.slice(notification.length + 1);
  const firstBreak = rest.indexOf("\n");
  return firstBreak < 0 ? "" : rest.slice(firstBreak + 1);
}
