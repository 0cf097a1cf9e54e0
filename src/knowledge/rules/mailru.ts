import type { ReplyRule } from "../rule.js";

/** Mail.ru (also bk.ru, list.ru, inbox.ru). Mail.ru publishes no code table; replies carry text and a help link. */

const HELP = "https://help.mail.ru/notspam-support";
// The page that a Mail.ru DMARC rejection from 2020 links to.
const DMARC_HELP = "https://help.mail.ru/mail-help/postmaster/dmarc";

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
    // Mail.ru names the From domain in brackets: "due to domain (example.com) owner DMARC policy".
    text: /domain (?:\([^()\s]{1,253}\) )?owner DMARC policy/i,
    summary:
      "The From domain's DMARC policy made Mail.ru reject the message, because neither SPF nor DKIM passed aligned with the From domain.",
    fix: [
      "Make SPF or DKIM pass aligned with the From domain. Sign with DKIM d= the From domain and authorise the server in SPF.",
      "If the From address is at mail.ru, bk.ru, list.ru or inbox.ru, send that mail through Mail.ru's SMTP server or use your own domain, because Mail.ru's DMARC policy rejects those addresses from other servers.",
    ],
    reference: DMARC_HELP,
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
