import type { ReplyRule } from "../rule.js";

/**
 * Yahoo and AOL (MX under yahoodns.net). Yahoo's error page no longer prints literal replies;
 * the texts come from real replies. The bracketed tokens (`[TSS04]`) carry the meaning, and
 * `4.16.55.1` in the deferral text is an internal code, not an IP address.
 *
 * `[TS01]` to `[TS03]` are older spellings of the same family: TS01 and TS02 deferred "due to
 * user complaints" like TSS04 today, and TS03 came with the text that TSS06 carries now, "All
 * messages from [ip] will be permanently deferred; Retrying will NOT succeed", but under a 421
 * code. Yahoo's help article SLN3436 (help.yahoo.com) describes TS03 as a high volume that
 * looks like unsolicited bulk mail, and advises against resending before the lists and sending
 * practices are fixed.
 */

const ERROR_CODES = "https://senders.yahooinc.com/smtp-error-codes/";
const SENDER_SUPPORT_FIX =
  "If it lasts after the cause is fixed, ask Yahoo for a review through its sender support form.";

/** Yahoo and AOL rules, most specific first. */
export const YAHOO_RULES: readonly ReplyRule[] = [
  {
    id: "yahoo.deferred-complaints",
    provider: "yahoo",
    category: "reputation",
    codes: [421],
    token: /^(?:TSS0[45]|IPTS0[45]|TS0[12])$/,
    distinctive: true,
    summary: "Yahoo defers mail from this IP because of unexpected volume or user complaints.",
    fix: [
      "Lower the sending rate to Yahoo and let the queue retry.",
      "Clean the lists and look for forwarded spam or a compromised account.",
      SENDER_SUPPORT_FIX,
    ],
    reference: ERROR_CODES,
    findings: ["rate-limited"],
  },
  {
    id: "yahoo.ip-blocked",
    provider: "yahoo",
    category: "reputation",
    token: /^(?:TSS(?:06|09|11)|TS03)$/,
    distinctive: true,
    // TS03 comes with a 421 code, but its text states that retrying will not succeed.
    permanent: true,
    summary:
      "Yahoo permanently refuses mail from this IP (its own block list); retrying will not help.",
    fix: [
      "Do not resend to Yahoo until the cause is fixed: check the lists and look for a compromised account or script sending bulk mail.",
      "Request a review through Yahoo's sender support form, or send from another reputable IP or relay.",
    ],
    reference: ERROR_CODES,
    findings: ["ip-blocklisted"],
  },
  {
    id: "yahoo.spamhaus",
    provider: "yahoo",
    category: "blocklist",
    codes: [553],
    token: /^(?:BL21|TSS07)$/,
    distinctive: true,
    summary: "Yahoo refuses the IP because it is on a Spamhaus list.",
    fix: [
      "Look the IP up at Spamhaus, fix the cause the listing names, and request delisting there.",
    ],
    reference: ERROR_CODES,
    findings: ["ip-blocklisted"],
  },
  {
    id: "yahoo.spamhaus-xbl",
    provider: "yahoo",
    category: "blocklist",
    codes: [553],
    token: /^BL23$/,
    distinctive: true,
    summary:
      "Yahoo refuses the IP because it is on the Spamhaus XBL, the list of hosts infected with malware or exploited by it.",
    fix: [
      "Find and clean the infected or exploited host behind the IP first (malware, an open proxy, a compromised device behind NAT).",
      "Then request delisting from the XBL at Spamhaus.",
    ],
    reference: ERROR_CODES,
    findings: ["ip-blocklisted"],
  },
  {
    id: "yahoo.phishing-content",
    provider: "yahoo",
    category: "content",
    token: /^PH01$/,
    distinctive: true,
    summary:
      "Yahoo refused the message for its content (links that look like phishing or malware).",
    fix: ["Check the links and attachments; remove shorteners and listed domains."],
    reference: ERROR_CODES,
    findings: ["spam-content"],
  },
  {
    id: "yahoo.unauthenticated",
    provider: "yahoo",
    category: "authentication",
    codes: [550],
    enhanced: ["5.7.9"],
    text: /sender is unauthenticated/i,
    codeAlone: ["5.7.9"],
    distinctive: true,
    summary: "Neither SPF nor DKIM passed, and Yahoo requires one of them from every sender.",
    fix: ["Make SPF pass for the envelope domain from this IP and sign with DKIM."],
    reference: ERROR_CODES,
    findings: ["authentication"],
  },
  {
    id: "yahoo.policy-reasons",
    provider: "yahoo",
    category: "authentication",
    codes: [554],
    enhanced: ["5.7.9"],
    text: /not accepted for policy reasons/i,
    codeAlone: ["5.7.9"],
    summary: "Yahoo refused the message for policy reasons, usually a DMARC or DKIM failure.",
    fix: [
      "Make SPF or DKIM pass aligned with the From domain; forwarding breaks this unless ARC is added.",
    ],
    reference: ERROR_CODES,
    findings: ["authentication"],
  },
  {
    id: "yahoo.headers-not-compliant",
    provider: "yahoo",
    category: "message-format",
    text: /Headers are not RFC compliant|\[291\]/i,
    distinctive: true,
    summary: "Yahoo refused the message because its headers break RFC 5322.",
    fix: [
      "Fix the program that builds the message: one valid From, Date and Message-ID, no duplicate headers.",
    ],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "yahoo.message-not-allowed",
    provider: "yahoo",
    category: "content",
    text: /Message not allowed - \[299\]/i,
    distinctive: true,
    summary: "Yahoo refused the message by a filter it does not name.",
    fix: ["Check content, links and authentication; ask Yahoo sender support if it lasts."],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "yahoo.unresolvable-sender-domain",
    provider: "yahoo",
    category: "authentication",
    text: /unresolvable RFC\.?5321 from domain/i,
    distinctive: true,
    summary: "Yahoo could not resolve the envelope sender (MAIL FROM) domain in DNS.",
    fix: ["Make the envelope domain resolve (it needs an SOA and MX or A record)."],
    reference: ERROR_CODES,
    findings: ["authentication"],
  },
  {
    id: "yahoo.resources-unavailable",
    provider: "yahoo",
    category: "transient",
    text: /Resources temporarily unavailable/i,
    summary: "Yahoo had a temporary problem.",
    fix: ["Nothing to change; the queue retries."],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "yahoo.messages-per-connection",
    provider: "yahoo",
    category: "rate-limit",
    text: /Max message per connection/i,
    summary: "Yahoo limits the number of messages per connection.",
    fix: [
      "Send fewer messages per connection (Postfix: smtp_connection_reuse_count_limit; Exim: connection_max_messages on the smtp transport).",
    ],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "yahoo.recipient-rate",
    provider: "yahoo",
    category: "rate-limit",
    text: /User is receiving mail too quickly/i,
    summary: "That one recipient is receiving mail too quickly.",
    fix: ["Send fewer messages to that recipient."],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    id: "yahoo.no-account",
    provider: "yahoo",
    category: "recipient",
    text: /delivery error: dd\b|is no longer valid|mailbox is disabled/i,
    distinctive: /delivery error: dd\b/i,
    summary: "The recipient has no account at Yahoo or AOL, or the account is no longer valid.",
    fix: ["Remove the address from your lists; many such replies point to an old or bought list."],
    reference: ERROR_CODES,
    findings: ["unknown-recipients"],
  },
  {
    id: "yahoo.mailbox-not-found",
    provider: "yahoo",
    category: "recipient",
    codes: [552, 550, 554],
    text: /mailbox not found/i,
    summary: "The recipient mailbox does not exist.",
    fix: ["Remove the address from your lists."],
    reference: ERROR_CODES,
    findings: ["unknown-recipients"],
  },
  {
    id: "yahoo.service-unavailable",
    provider: "yahoo",
    category: "transient",
    codes: [421],
    text: /Service not available/i,
    summary: "Yahoo's server was not available.",
    fix: ["Nothing to change; the queue retries."],
    reference: ERROR_CODES,
    findings: [],
  },
  {
    // NOTE: [BL22] and [GL01] were never seen in a real reply; this rule only names the family.
    id: "yahoo.token-family",
    provider: "yahoo",
    category: "reputation",
    token: /^(?:BL|GL|TSS?|IPTS)\d\d$/,
    distinctive: true,
    summary:
      "Yahoo deferred or refused the mail with a reputation or blocklist token delist does not know in detail.",
    fix: [
      "Read the text and the link in the reply; check public blocklists for the IP.",
      SENDER_SUPPORT_FIX,
    ],
    reference: ERROR_CODES,
    // An unknown token of the family names no condition that one finding covers.
    findings: [],
  },
];
