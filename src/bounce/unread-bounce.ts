/**
 * Messages that look like a bounce but give no recipient, such as a bounce copied while it
 * was still being written and cut before its delivery report. Such a message is reported as
 * unreadable rather than dropped, so that an operator does not lose those failures unawares.
 */
import { isBounceSubject } from "./formats/text-bounce.js";
import { headerValue, type BounceMessage } from "./mime.js";

const MAX_SUBJECT_CHARS = 60;

/**
 * Returns the error for a message that gave no recipient although its headers mark it as a
 * bounce (a `multipart/report` type, `Auto-Submitted: auto-generated (failure)`, a
 * MAILER-DAEMON or postmaster sender, or a bounce subject), else null.
 */
export function unreadBounceError(message: BounceMessage, name: string): string | null {
  const signs = bounceSigns(message);
  if (signs.length === 0) return null;
  const missing =
    message.deliveryStatus === null
      ? "has no delivery report"
      : "has a delivery report that names no recipient";
  return (
    `"${name}" looks like a bounce (${signs.join(", ")}) but ${missing}: cut short? ` +
    `No recipient was read from it; check that the file is complete, or copy it again`
  );
}

/** Returns the header facts that mark `message` as a bounce, in words for the error. */
function bounceSigns(message: BounceMessage): string[] {
  const signs: string[] = [];
  if (/^\s*multipart\/report\b/i.test(headerValue(message, "content-type") ?? "")) {
    signs.push("multipart/report");
  }
  if (
    /^\s*auto-generated\s*\(\s*failure\s*\)/i.test(headerValue(message, "auto-submitted") ?? "")
  ) {
    signs.push("Auto-Submitted: auto-generated (failure)");
  }
  const sender = message.from ?? "";
  if (/^(?:mailer-daemon|postmaster)(?:@|$)/i.test(sender)) signs.push(`sent by ${sender}`);
  if (isBounceSubject(message.subject)) signs.push(`subject "${shortened(message.subject)}"`);
  return signs;
}

function shortened(text: string): string {
  return text.length <= MAX_SUBJECT_CHARS ? text : `${text.slice(0, MAX_SUBJECT_CHARS - 1)}…`;
}
