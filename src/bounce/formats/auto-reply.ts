/** Automatic replies (RFC 3834): vacation notices and autoresponders, which are not bounces. */
import { firstAddress } from "./address.js";
import { headerValue, type BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic)?[ -]?(?:reply|response|respons)|autorespons|autoreply|out of (?:the )?office|away from|away until|on vacation|vacation|abwesenheit|absence|自動応答|不在)/i;

/** True when the headers or the subject mark the message as an automatic reply. */
export function isAutoReply(message: BounceMessage): boolean {
  const autoSubmitted = headerValue(message, "auto-submitted")?.toLowerCase() ?? "";
  if (autoSubmitted.startsWith("auto-replied")) return true;
  if (headerValue(message, "x-autoreply") !== null) return true;
  if (headerValue(message, "x-autorespond") !== null) return true;
  if (/auto[_-]?reply/i.test(headerValue(message, "precedence") ?? "")) return true;
  return AUTO_REPLY_SUBJECT.test(message.subject);
}

/** The one draft of an automatic reply: its sender is the recipient who is away. */
export function draftFromAutoReply(message: BounceMessage): RecipientDraft[] {
  const recipient = message.from ?? firstAddress(headerValue(message, "return-path"));
  if (recipient === null) return [];
  const firstLines = message.text.trim().split("\n").slice(0, 5).join(" ");
  return [
    {
      recipient,
      action: null,
      status: null,
      diagnostic: `${message.subject} ${firstLines}`.trim(),
      remoteMta: null,
      time: message.date,
      reason: "vacation",
      command: null,
      feedbackType: null,
    },
  ];
}
