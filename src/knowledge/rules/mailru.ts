import type { ReplyRule } from "../rule.js";

/** Mail.ru (also bk.ru, list.ru, inbox.ru). Mail.ru publishes no code table; replies carry text and a help link. */

const HELP = "https://help.mail.ru/notspam-support";

/** Mail.ru rules, most specific first. */
export const MAILRU_RULES: readonly ReplyRule[] = [
  {
    id: "mailru.spam",
    provider: "mailru",
    category: "content",
    // rspamd rejects with "Spam message rejected" by default, so only the help link is unique.
    text: /spam message rejected|notspam-support/i,
    distinctive: /notspam-support/i,
    summary:
      "Mail.ru rejected the message as spam, judging its content and the sender's reputation.",
    fix: [
      "Fix the cause, then use the link in the reply (it carries the ids Mail.ru needs) to ask for unblocking.",
    ],
    reference: HELP,
    findings: ["spam-content"],
  },
  {
    id: "mailru.dmarc",
    provider: "mailru",
    category: "authentication",
    text: /domain owner DMARC policy/i,
    summary:
      "The From domain's DMARC policy made Mail.ru reject the message (typical for mail 'from' @mail.ru sent through another server).",
    fix: [
      "Do not send as @mail.ru addresses from your own server; use your own domain with SPF and DKIM.",
    ],
    reference: HELP,
    findings: ["authentication"],
  },
  {
    id: "mailru.sending-disabled",
    provider: "mailru",
    category: "sender-account",
    text: /message sending for this account is disabled/i,
    distinctive: true,
    summary:
      "Mail.ru has locked sending for this Mail.ru account, usually after a suspected compromise.",
    fix: [
      "The account owner signs in at Mail.ru, changes the password and follows the unlock steps.",
    ],
    reference: HELP,
    findings: [],
  },
  {
    id: "mailru.invalid-mailbox",
    provider: "mailru",
    category: "recipient",
    text: /invalid mailbox|account is disabled/i,
    summary: "The recipient mailbox does not exist or is disabled.",
    fix: ["Remove the address from your lists."],
    reference: HELP,
    findings: ["unknown-recipients"],
  },
];
