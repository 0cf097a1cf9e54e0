import type { Category, FindingId, SmtpStage } from "../knowledge/categories.js";
import type { ProviderId } from "../knowledge/providers.js";

/**
 * One SMTP reply taken out of whatever wrapper it arrived in (wire form, Postfix `said:`
 * text, Exim's literal `\n`, a DSN `Diagnostic-Code`, a re-wrapped paste, a library
 * exception), before classification.
 */
export interface ParsedReply {
  /** Three-digit reply code (RFC 5321), or null when the wrapper lost it. */
  replyCode: number | null;
  /** Enhanced status code (RFC 3463) such as `4.7.28`, or null when there is none. */
  enhancedStatus: string | null;
  /** The reply text on one line: continuation prefixes, wrapper and trailers removed. */
  text: string;
  /** The SMTP command the reply answered, when the wrapper says (`in reply to RCPT TO`). */
  stage: SmtpStage | null;
  /** The host that answered, from `host H[ip] said:` or a DSN `Remote-MTA`. */
  remoteHost: string | null;
  remoteIp: string | null;
  /** The connecting IP the receiver judged, from Gmail's `[ip n]` bracket or similar. */
  judgedIp: string | null;
  /** The provider's own reason token: `TSS04`, `S3150`, `CS01`, `BL21`, `gcdp`, `c=rdns`… */
  providerToken: string | null;
}

/**
 * The basis of a reply's permanence. `code` is its reply code or enhanced code, and
 * `dsn-action` the Action field of the pasted DSN that carried it. `rule` is the matched rule:
 * one that overrides the code, or, for a reply without codes, one whose replies are all
 * permanent or all temporary. `expired` marks a temporary reply after which the sending MTA
 * gave up and returned the message (DSN Action `failed`, Postfix `status=expired`). Null means
 * nothing decides, and then `permanent` is false without meaning that the reply is temporary.
 */
export type PermanenceSource = "code" | "rule" | "dsn-action" | "expired" | null;

/** What a reply means: the result of matching a parsed reply against the knowledge base. */
export interface ReplyClassification {
  /**
   * The provider that sent the reply: the one the hints or the wrapper's host name point to,
   * else the matched rule's provider, else one the text points to; null when none names one.
   * A reply from Google is Gmail's for gmail.com and googlemail.com recipients and Google
   * Workspace's for other recipient domains, whether or not the relay host is known.
   */
  provider: ProviderId | null;
  category: Category;
  /** Stable id of the matched rule, such as `gmail.ip-rate-limit`; `generic.*` for fallbacks. */
  ruleId: string;
  /**
   * True for 5xx replies and for rules whose replies retrying cannot help. A reply without
   * codes takes the class of its rule's replies when they all have one class.
   */
  permanent: boolean;
  /** The basis of `permanent`. */
  permanenceSource: PermanenceSource;
  /** One sentence on what the receiver decided and why. */
  summary: string;
  /** Concrete steps, most important first. */
  fix: string[];
  /** The provider page the rule comes from, or null. */
  reference: string | null;
  /** Findings of `delist diagnose` that a reply of this rule supports. */
  findings: readonly FindingId[];
}

/** A parsed and classified reply: what `delist explain` prints. */
export interface ExplainedReply extends ParsedReply, ReplyClassification {}
