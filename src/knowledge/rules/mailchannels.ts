import type { ReplyRule } from "../rule.js";

/**
 * MailChannels, the outbound relay of many hosting companies. Its replies show up in logs next
 * to Gmail or Outlook host names, but the relay wrote them, about the sending account.
 */

/** MailChannels rules. */
export const MAILCHANNELS_RULES: readonly ReplyRule[] = [
  {
    id: "mailchannels.sender-blocked",
    provider: "mailchannels",
    category: "sender-account",
    token: /^CSR$/,
    distinctive: true,
    summary:
      "The MailChannels relay (not the recipient) blocks this sending account because it sent an unusual amount of unwanted mail.",
    fix: [
      "Find what in the account sends the mail (a compromised mailbox or script) and stop it; the block lifts by itself once the spam stops.",
      "Ask the hosting provider for details.",
    ],
    reference: null,
    findings: [],
  },
  {
    id: "mailchannels.message-blocked",
    provider: "mailchannels",
    category: "content",
    token: /^CS$/,
    distinctive: true,
    summary: "The MailChannels relay's filter blocked this message as spam.",
    fix: ["Check the message content and links; ask the hosting provider for details."],
    reference: null,
    findings: ["spam-content"],
  },
];
