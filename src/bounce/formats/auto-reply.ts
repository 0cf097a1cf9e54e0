/** Automatic replies (RFC 3834): vacation notices and autoresponders, which are not bounces. */
import { firstAddress } from "./address.js";
import { headerValue, type BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[ -]?(?:reply|response|respons)|autorespons|autoreply|out of (?:the )?office|away from|away until|on vacation|vacation|abwesenheit|absence|自動応答|不在)/i;

// An automatic reply that announces the mailbox is no longer read: the address is as good
// as suspended, so mail to it should stop, unlike after a vacation notice.
const ABANDONED_MAILBOX =
  /\b(?:is|has been) no longer (?:in use|active|monitored|used)\b|\bno longer (?:reads|checks|monitors) this (?:mailbox|inbox|address)\b/i;

/** True when the headers or the subject mark the message as an automatic reply. */
export function isAutoReply(message: BounceMessage): boolean {
  const autoSubmitted = headerValue(message, "auto-submitted")?.toLowerCase() ?? "";
  if (autoSubmitted.startsWith("auto-replied")) return true;
  if (headerValue(message, "x-autoreply") !== null) return true;
  if (headerValue(message, "x-autorespond") !== null) return true;
  if (/auto[_-]?reply/i.test(headerValue(message, "precedence") ?? "")) return true;
  return AUTO_REPLY_SUBJECT.test(message.subject);
}

/**
 * Returns the one draft of an automatic reply. Its sender is the recipient who is away, or
 * whose mailbox is no longer read. A reply sent from a no-reply address (as Mimecast sends
 * them) names that recipient in `Reply-To`.
 */
export function draftFromAutoReply(message: BounceMessage): RecipientDraft[] {
  const replyTo = firstAddress(headerValue(message, "reply-to"));
  const fromNoReply = /^no-?reply@/i.test(message.from ?? "");
  const recipient =
    (fromNoReply ? replyTo : null) ??
    message.from ??
    firstAddress(headerValue(message, "return-path"));
  if (recipient === null) return [];
  const firstLines = message.text.trim().split("\n").slice(0, 5).join(" ");
  const abandoned = ABANDONED_MAILBOX.test(`${message.subject} ${firstLines}`);
  return [
    {
      recipient,
      action: null,
      status: null,
      diagnostic: `${message.subject} ${firstLines}`.trim(),
      remoteMta: null,
      time: message.date,
      reason: abandoned ? "suspend" : "vacation",
      command: null,
      replyCode: null,
      feedbackType: null,
    },
  ];
}
