import type { Category } from "../knowledge/categories.js";
import type { ProviderId } from "../knowledge/providers.js";

/**
 * Bounce reasons in the vocabulary that bounce processors share (Sisimai's names), so that a
 * list operator can compare delist's verdicts with other tools' and keep their rules.
 */
export const BOUNCE_REASONS = [
  "authfailure",
  "badreputation",
  "blocked",
  "contenterror",
  "delivered",
  "exceedlimit",
  "expired",
  "failedstarttls",
  "feedback",
  "filtered",
  "hasmoved",
  "hostunknown",
  "mailboxfull",
  "mailererror",
  "mesgtoobig",
  "networkerror",
  "norelaying",
  "notaccept",
  "notcompliantrfc",
  "onhold",
  "policyviolation",
  "ratelimited",
  "rejected",
  "requireptr",
  "securityerror",
  "spamdetected",
  "speeding",
  "suspend",
  "syntaxerror",
  "systemerror",
  "systemfull",
  "toomanyconn",
  "undefined",
  "userunknown",
  "vacation",
  "virusdetected",
] as const;

export type BounceReason = (typeof BOUNCE_REASONS)[number];

/** The `Action` of a DSN recipient (RFC 3464 section 2.3.3), lower-cased. */
export type BounceAction = "failed" | "delayed" | "delivered" | "relayed" | "expanded";

/** What kind of message a result came from. */
export type BounceKind = "dsn" | "bounce" | "auto-reply" | "feedback";

/** One recipient of one bounce message, decoded: what `delist bounces` prints per line. */
export interface BounceResult {
  /** The input the message came from; mbox messages get `#N` appended (1-based). */
  readonly file: string;
  /** The bounce message's own `Date`, as ISO 8601 UTC, or null when missing or invalid. */
  readonly messageDate: string | null;
  readonly kind: BounceKind;
  /** `rfc3464` for a delivery status notification, otherwise the kind. */
  readonly format: string;
  readonly recipient: string;
  /** The address the original message came from, or null when the bounce does not say. */
  readonly originalSender: string | null;
  readonly action: BounceAction | null;
  /** Enhanced status code (RFC 3463), such as `5.1.1`, or null when none is known. */
  readonly status: string | null;
  /** The remote server's three-digit reply code, or null when the bounce has none. */
  readonly replyCode: number | null;
  /** The receiver's reply or the MTA's error text, on one line. */
  readonly diagnosticText: string;
  /** The host that returned the error (DSN `Remote-MTA`, `host H said:`), or null. */
  readonly remoteMta: string | null;
  /**
   * The time of the result as ISO 8601 UTC, or null. A DSN gives the Last-Attempt-Date, else
   * the report's Date, else the Arrival-Date.
   */
  readonly time: string | null;
  /** Classification of the reply by `delist explain`. */
  readonly category: Category;
  readonly ruleId: string;
  readonly provider: ProviderId | null;
  /** The provider's own reason token in the reply, such as `BL21` or `S3150`, or null. */
  readonly providerToken: string | null;
  readonly permanent: boolean;
  /** True when the address itself is bad (unknown user or domain, moved): stop mailing it. */
  readonly hardBounce: boolean;
  readonly reason: BounceReason;
  /** ARF `Feedback-Type` (`abuse`, `fraud`, …) for spam complaints; null otherwise. */
  readonly feedbackType: string | null;
  /**
   * The sending MTA's queue id of the returned message (Postfix `X-Postfix-Queue-ID`, or the
   * `id` of the returned message's first Received field), or null when the bounce has neither.
   */
  readonly queueId: string | null;
  /**
   * Remarks on fields of the bounce that are missing, damaged or contradict each other, such
   * as a DSN `Status` of 2.0.0 beside Action `failed`. Absent when there are none.
   */
  readonly notes?: readonly string[];
}

/**
 * One recipient as a format reader found it, before status, reply code and reason are
 * decided. Readers fill what their format states and leave the rest null.
 */
export interface RecipientDraft {
  readonly recipient: string;
  readonly action: BounceAction | null;
  /** Status the format states apart from the text (DSN `Status`, qmail `(#5.1.1)`). */
  readonly status: string | null;
  /** The error text for this recipient, line breaks kept. */
  readonly diagnostic: string;
  readonly remoteMta: string | null;
  /** ISO 8601 time of the failure, when the format states one. */
  readonly time: string | null;
  /**
   * Reason that the format itself decides, such as an expired retry timer; null lets the
   * reason rules decide from the status code and text.
   */
  readonly reason: BounceReason | null;
  /**
   * Reason when neither the status code, the reply, delist's reply rules nor the SMTP stage
   * decide one. Without it such a recipient is `onhold` when it has a status or reply code,
   * else `undefined`.
   */
  readonly defaultReason?: BounceReason;
  /** The SMTP command the error answered, when the format names it (`RCPT`, `DATA`). */
  readonly command: string | null;
  /** Reply code the format states apart from the reply (Zoho's `ERROR_CODE :550`), or null. */
  readonly replyCode: number | null;
  readonly feedbackType: string | null;
  /** Remarks on fields the reader found missing or damaged; absent when there are none. */
  readonly notes?: readonly string[];
}
