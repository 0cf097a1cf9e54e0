import type { ReplyRule } from "../rule.js";

/**
 * Yandex (MX mx.yandex.ru/net). The same spam wording comes from Yandex's own submission
 * server when it refuses a user's outgoing message, so the sender's side may be the one judged.
 */

const SUPPORT = "https://yandex.com/support/mail/";

/** Yandex rules, most specific first. */
export const YANDEX_RULES: readonly ReplyRule[] = [
  {
    id: "yandex.suspected-spam",
    provider: "yandex",
    category: "content",
    text: /rejected under suspicion of SPAM/i,
    distinctive: true,
    summary:
      "Yandex refused the message as suspected spam; when it comes from Yandex's submission server, Yandex judged the user's own outgoing mail.",
    fix: [
      "Review content and links; when sending through Yandex, expect the account to be blocked from sending for about 24 hours.",
    ],
    reference: SUPPORT,
    findings: ["spam-content"],
  },
  {
    id: "yandex.spam-statistics",
    provider: "yandex",
    category: "reputation",
    text: /Blocked by spam statistics/i,
    distinctive: true,
    summary: "Yandex blocks the IP or mailbox for about 24 hours because it sent mostly spam.",
    fix: ["Stop the source of the spam and wait for the block to expire."],
    reference: SUPPORT,
    findings: ["spam-content"],
  },
  {
    id: "yandex.policy-rejection",
    provider: "yandex",
    category: "recipient-policy",
    text: /Policy rejection on the target address/i,
    distinctive: true,
    summary: "The recipient address does not accept this mail by its own policy.",
    fix: ["Contact the recipient by other means."],
    reference: SUPPORT,
    findings: [],
  },
  {
    id: "yandex.no-such-user",
    provider: "yandex",
    category: "recipient",
    text: /No such user/i,
    summary: "The recipient address does not exist at Yandex.",
    fix: ["Remove the address from your lists."],
    reference: SUPPORT,
    findings: ["unknown-recipients"],
  },
  {
    id: "yandex.recipient-rate",
    provider: "yandex",
    category: "rate-limit",
    text: /exceeded (?:their )?message rate limit/i,
    summary: "The recipient is receiving more messages than Yandex allows.",
    fix: ["Send fewer messages to that recipient."],
    reference: SUPPORT,
    findings: [],
  },
  {
    id: "yandex.unavailable",
    provider: "yandex",
    category: "transient",
    text: /service is currently unavailable|timeout exceeded/i,
    summary: "Yandex was temporarily unavailable or the session timed out.",
    fix: ["Nothing to change; the queue retries."],
    reference: SUPPORT,
    findings: [],
  },
  {
    id: "yandex.mailbox-full",
    provider: "yandex",
    category: "recipient",
    text: /Mailbox size limit exceeded/i,
    summary: "The recipient's mailbox is full.",
    fix: ["Nothing to change on the sending side."],
    reference: SUPPORT,
    findings: [],
  },
];
