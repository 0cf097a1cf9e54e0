/**
 * The one place where bounce reasons are decided: from what the bounce format states, the
 * enhanced status code, the reply text, delist's reply rule and the SMTP command.
 */
import type { Category } from "../../knowledge/categories.js";
import type { BounceAction, BounceReason } from "../types.js";
import { REASON_TABLE, WEAK_REASON_TABLE, phraseText, reasonOfText } from "./phrases.js";
import { reasonOfStatus } from "./status.js";

/** The facts about one failed recipient from which its reason is decided. */
export interface ReasonInput {
  /** A reason the bounce format itself states (an expired retry timer), or null. */
  readonly formatReason: BounceReason | null;
  /** The reason when nothing else decides one, where the format implies it (Notes). */
  readonly defaultReason?: BounceReason;
  readonly status: string | null;
  readonly replyCode: number | null;
  readonly text: string;
  /** The SMTP command the error answered, lower-case (`rcpt`, `data`, `mail`), or null. */
  readonly command: string | null;
  readonly action: BounceAction | null;
  readonly ruleId: string;
  readonly category: Category;
  /** True when the reply came from a large mailbox provider (Gmail, Outlook, Yahoo…). */
  readonly knownProvider: boolean;
}

// Reasons that a status code settles whatever the text says: the code names the condition
// precisely (x.2.2 mailbox full, x.7.26 authentication), while the text often adds words
// such as "rejected" or "denied" that would point elsewhere.
const DECISIVE_STATUS_REASONS: ReadonlySet<BounceReason> = new Set<BounceReason>([
  "mailboxfull",
  "exceedlimit",
  "mesgtoobig",
  "hasmoved",
  "hostunknown",
  "authfailure",
  "requireptr",
  "suspend",
  "notaccept",
  "systemfull",
  "rejected",
  "blocked",
]);

// Reply rules whose meaning is that the sending IP has no PTR record, or one whose name does
// not resolve back to the IP. Their reason is `requireptr` whatever other words or codes the
// reply contains. T-Online's "(RDNS)" reply reads "IP=<ip> - A problem occurred", a wording of
// `blocked` in the phrase table, and Gmail's PTR rate limit carries 4.7.23, which the status
// table maps to `authfailure`. The `reverse-dns` rules left out are about the HELO name, a
// failed lookup, or IPv6 mail that lacks a PTR record or authentication.
const MISSING_PTR_RULES: ReadonlySet<string> = new Set([
  "comcast.ptr-required",
  "exchange-online.ipv6-ptr",
  "generic.ptr",
  "generic.reverse-dns",
  "gmail.ptr-missing",
  "gmail.ptr-rate-limit",
  "gmx.bad-ptr",
  "gmx.bad-ptr-case",
  "t-online.no-reverse-dns",
]);

// Reasons that a refusal of the envelope sender (after MAIL FROM) may still have; any other
// reason found for such a refusal becomes `rejected`.
const SENDER_STAGE_REASONS: ReadonlySet<BounceReason> = new Set<BounceReason>([
  "requireptr",
  "authfailure",
  "blocked",
  "badreputation",
  "spamdetected",
  "policyviolation",
  "securityerror",
  "norelaying",
  "speeding",
  "toomanyconn",
  "mesgtoobig",
  "exceedlimit",
  "failedstarttls",
  "systemerror",
  "expired",
]);

/** Decides the bounce reason of one recipient. */
export function decideReason(input: ReasonInput): BounceReason {
  const reason = reasonOfEvidence(input);
  // Action `delayed` means that the MTA still retries (RFC 3464 section 2.3.3), and `expired`
  // means that it gave up. Sisimai reads many delays as `expired`, but delist does not, unless
  // the text itself states that the message expired: OpenSMTPD writes "Envelope expired" in a
  // notice whose DSN part still has Action `delayed`.
  if (input.action !== "delayed" || reason !== "expired") return reason;
  return EXPIRY_STATED.test(phraseText(input.text)) ? reason : reasonOfDelay(input);
}

const EXPIRY_STATED = /\benvelope expired\b/;

function reasonOfEvidence(input: ReasonInput): BounceReason {
  if (input.action === "delivered" || input.action === "relayed" || input.action === "expanded") {
    return "delivered";
  }
  // A DSN's Action decides over a Status of another class. A recipient whose Action is
  // `failed` or `delayed` has not been delivered, even when its Status is a success code.
  if (input.action === null && input.status?.startsWith("2.") === true) return "delivered";
  if (input.formatReason !== null) return input.formatReason;
  if (MISSING_PTR_RULES.has(input.ruleId)) return "requireptr";

  // A success code names no failure, though its subject and detail (2.1.5) match one.
  const byStatus = input.status?.startsWith("2.") === true ? null : reasonOfStatus(input.status);
  if (byStatus !== null && DECISIVE_STATUS_REASONS.has(byStatus)) return byStatus;

  const text = phraseText(input.text);
  const byText = reasonOfText(text, REASON_TABLE);
  if (input.command === "mail" && (byText === null || !SENDER_STAGE_REASONS.has(byText))) {
    return "rejected";
  }
  if (byText !== null) return recipientOrFilter(byText, input, byStatus);

  const byRule = reasonOfRule(input.ruleId, input.category);
  if (byRule !== null) return recipientOrFilter(byRule, input, byStatus);

  const weak = reasonOfText(text, WEAK_REASON_TABLE);
  if (byStatus !== null && !(weak !== null && byStatus === "securityerror")) {
    return recipientOrFilter(byStatus, input, byStatus);
  }
  if (weak !== null) return recipientOrFilter(weak, input, byStatus);
  return reasonOfContext(input);
}

// "No such user!" with its exclamation mark is the wording of mail servers' own recipient
// checks, Yandex's among them. The content filters that Sisimai's test set classes as
// `filtered` (mFILTER, SurfControl, MailFoundry) write "No such user" or "No such user here".
const MAILBOX_CHECK_WORDING = /\bno such user!/i;

/**
 * An "unknown user" reply is about the address only when it answered RCPT TO, came from a
 * large mailbox provider, has the wording of a recipient check, or its status code decides.
 * The same words after the message was sent (end of DATA), or from a server that does not
 * say when it refused, come from content filters that pretend the user does not exist, so
 * the recipient may well be valid.
 */
function recipientOrFilter(
  reason: BounceReason,
  input: ReasonInput,
  byStatus: BounceReason | null,
): BounceReason {
  if (reason !== "userunknown") return reason;
  // Large mailbox providers check recipients at RCPT TO and filter content separately.
  if (input.command === "rcpt" || input.knownProvider) return "userunknown";
  if (byStatus === "userunknown" || byStatus === "filtered") return byStatus;
  if (MAILBOX_CHECK_WORDING.test(input.text)) return "userunknown";
  if (input.command === "data") return "filtered";
  return input.replyCode === null ? "userunknown" : "filtered";
}

// Wordings of a connection that failed or timed out. The phrase table reads them as
// `expired`, because an MTA that gives up after them has run out of retry time.
const CONNECTION_FAILURE = /timed out|host not reachable|did not accept our requests to connect/;

// The phrase table without the wordings of an expired retry time.
const DELAY_REASON_TABLE = REASON_TABLE.filter((entry) => entry.reason !== "expired");

/**
 * Decides the reason of a delayed recipient whose evidence reads as `expired`: the cause
 * that its status code, other wordings or a failed connection show, else the reason of a
 * failure without a stated cause (`onhold` or `undefined`).
 */
function reasonOfDelay(input: ReasonInput): BounceReason {
  // x.4.7 is "delivery time expired" (RFC 3463), which some MTAs put on delay notices too.
  const byStatus = input.status?.startsWith("2.") === true ? null : reasonOfStatus(input.status);
  if (byStatus !== null && byStatus !== "expired") {
    return recipientOrFilter(byStatus, input, byStatus);
  }
  const text = phraseText(input.text);
  const byText = reasonOfText(text, DELAY_REASON_TABLE);
  if (byText !== null) return byText;
  if (CONNECTION_FAILURE.test(text)) return "networkerror";
  return reasonOfContext(input);
}

function reasonOfContext(input: ReasonInput): BounceReason {
  // Before MAIL FROM the receiver has only the client's IP address and name to judge, so a
  // refusal there that no wording explains is a refusal of the client.
  if (input.command === "connect" || input.command === "helo") return "blocked";
  if (input.defaultReason !== undefined) return input.defaultReason;
  if (input.status !== null || input.replyCode !== null) return "onhold";
  return "undefined";
}

// Reasons of delist's provider reply rules, by the end of the rule id. Generic rules are not
// mapped, because they repeat the code tables that `reasonOfStatus` reads.
const RULE_SUFFIXES: readonly (readonly [RegExp, BounceReason])[] = [
  [
    /(?:no-such-user|unknown-user|user-unknown|unknown-recipient|invalid-mailbox|mailbox-not-found|no-account|invalid-recipient(?:-address)?)$/,
    "userunknown",
  ],
  [/(?:over-quota|mailbox-full)$/, "mailboxfull"],
  [/account-disabled$/, "suspend"],
  [/domain-not-found$/, "hostunknown"],
  [/size-limit$/, "mesgtoobig"],
  [/(?:rfc5322|headers-not-compliant|malformed|duplicate-message-id)$/, "notcompliantrfc"],
  [/relay-denied$/, "norelaying"],
  [/recipient-rate$/, "speeding"],
];

const CATEGORY_REASONS: Readonly<Partial<Record<Category, BounceReason>>> = {
  authentication: "authfailure",
  "reverse-dns": "requireptr",
  tls: "failedstarttls",
  reputation: "blocked",
  blocklist: "blocked",
  content: "spamdetected",
  "message-format": "notcompliantrfc",
  "recipient-policy": "filtered",
};

function reasonOfRule(ruleId: string, category: Category): BounceReason | null {
  if (ruleId.startsWith("generic.")) return null;
  for (const [pattern, reason] of RULE_SUFFIXES) if (pattern.test(ruleId)) return reason;
  return CATEGORY_REASONS[category] ?? null;
}

/** True when the reason means the address itself is bad, so mail to it should stop. */
export function isHardBounce(reason: BounceReason, permanent: boolean): boolean {
  if (reason === "userunknown" || reason === "hostunknown" || reason === "hasmoved") return true;
  return reason === "notaccept" && permanent;
}
