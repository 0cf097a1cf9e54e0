import type { Category, FindingId, SmtpStage } from "./categories.js";
import type { ProviderId } from "./providers.js";

/**
 * One entry of the SMTP reply knowledge base: which replies it recognises and what they mean.
 * Rules are plain data; `src/reply/match.ts` decides which rule a parsed reply matches.
 *
 * Matching, in the order the classifier applies it:
 * - A rule with `text` or `token` matches when that pattern matches and every code list it
 *   has agrees with the codes the reply carries (a code the reply lacks does not disagree).
 * - A rule with `codeAlone` also matches on one of those enhanced status codes by itself, but
 *   only when the reply is known to come from the rule's provider.
 * - A rule with neither (only codes) matches on codes; such rules live in `generic.ts`.
 * - A rule with `inboundMxOnly` matches only replies from one of its provider's inbound MX hosts.
 * - A rule with `submissionHostOnly` matches only replies from one of its provider's
 *   submission hosts.
 */
export interface ReplyRule {
  /** Stable id, `<provider>.<condition>`, such as `gmail.ip-rate-limit`; `generic.*` for fallbacks. */
  readonly id: string;
  /** The provider whose replies this rule describes; null for generic (RFC 3463) rules. */
  readonly provider: ProviderId | null;
  readonly category: Category;
  /**
   * Three-digit reply codes this rule accepts; absent means any. When every code and enhanced
   * code of a provider rule has one class, a reply of the rule that lost its codes gets that
   * class too. So list the codes the provider uses even for a rule with a token.
   */
  readonly codes?: readonly number[];
  /**
   * Enhanced status codes this rule accepts. A part may be `x`, a wildcard for that part, so
   * `5.1.1`, `x.1.1` and `5.7.x` are all valid; absent means any.
   */
  readonly enhanced?: readonly string[];
  /**
   * SMTP stages this rule accepts; absent means any. Unlike a missing code, a reply whose stage
   * is unknown disagrees, because the stage is what sets such a rule apart.
   */
  readonly stages?: readonly SmtpStage[];
  /** Pattern for the provider's own reason token (`TSS04`, `S3150`, `c=rdns`). */
  readonly token?: RegExp;
  /** Pattern for the reply text (one line, without codes and wrapper). */
  readonly text?: RegExp;
  /**
   * Enhanced codes that on their own identify this condition at this provider, such as Gmail's
   * 4.7.28; never a code with many meanings there (Gmail's 5.7.1 and 4.7.0).
   */
  readonly codeAlone?: readonly string[];
  /**
   * Marks wording that only this provider uses, so the rule applies, and names the provider,
   * even when neither the hints nor the wrapper identify the receiver. `true` when the whole
   * `token` or `text` is unique. A pattern when `text` also matches wording that other servers
   * use: the rule then applies without other evidence only when this pattern matches too.
   * Absent when only the provider's host, hints or help links can tie a reply to the rule.
   * Behind a receiving host that no known provider runs, distinctive wording alone does not
   * apply the rule: the reply also needs the provider's host name, help link, trailer or token.
   */
  readonly distinctive?: true | RegExp;
  /**
   * Restricts the rule to replies from one of its provider's inbound MX hosts, named by the
   * relay host of the delivery or else by the wrapper (`host H[ip] said:`). Microsoft writes
   * 5.7.708 at a tenant's outbound servers, where it stops the tenant's own mail, and at its
   * inbound MX, where it rejects the IP of the server that connected. `inboundMxProvider`
   * lists the hosts, only Microsoft's so far.
   */
  readonly inboundMxOnly?: true;
  /**
   * Restricts the rule to replies from one of its provider's submission hosts, named as for
   * `inboundMxOnly`. A server that relays through such a host sends as the provider's
   * customer, so a rejection of the customer there stops all the mail that takes that route,
   * and delist counts such a reply as a block signal. `submissionHostProvider` lists the
   * hosts, only Microsoft 365's so far.
   */
  readonly submissionHostOnly?: true;
  /**
   * Overrides the permanence the reply code implies (Gmail documents `421 5.7.32`), and gives
   * a reply without codes this permanence.
   */
  readonly permanent?: boolean;
  /** One sentence on what the receiver decided and why. */
  readonly summary: string;
  /** Concrete steps, most important first. */
  readonly fix: readonly string[];
  /** The provider page this entry is based on, or null when there is none. */
  readonly reference: string | null;
  /** Findings of `delist diagnose` that a reply of this rule supports. */
  readonly findings: readonly FindingId[];
  /**
   * False when no removal request can lift a block of this rule, such as a refusal of a whole
   * dynamic or residential range, whose fix is a relay, or a temporary rate limit that lifts as
   * the IP's reputation grows. `delist diagnose` then offers no removal form for it. Absent
   * means that a request can help once the cause is fixed.
   */
  readonly removal?: false;
}
