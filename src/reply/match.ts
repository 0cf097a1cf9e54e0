import { PROVIDER_OPERATORS, type ProviderId } from "../knowledge/providers.js";
import type { ReplyRule } from "../knowledge/rule.js";
import type { ParsedReply } from "./types.js";

/** A rule with its code lists turned into fast checks. */
interface CompiledRule {
  readonly rule: ReplyRule;
  readonly codes: ReadonlySet<number> | null;
  readonly enhanced: ((status: string) => boolean) | null;
  readonly codeAlone: ReadonlySet<string> | null;
  readonly stages: ReadonlySet<string> | null;
  /** The pattern for wording unique to the provider: `distinctive`, or `text` when that is true. */
  readonly distinctiveText: RegExp | undefined;
}

/** The role of the host that sent a reply, for rules restricted to one kind of host. */
export interface AnsweringHost {
  /** The provider whose inbound MX sent the reply, or null. */
  readonly inboundMx: ProviderId | null;
  /** The provider whose submission host sent the reply, or null. */
  readonly submission: ProviderId | null;
}

/** A host that is neither a known inbound MX nor a known submission host, or no host. */
export const OTHER_HOST: AnsweringHost = { inboundMx: null, submission: null };

/** The knowledge base prepared for matching; build it once per classifier. */
export interface RuleSet {
  readonly byOperator: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Rules whose wording identifies their provider, for replies from an unknown receiver. */
  readonly distinctive: readonly CompiledRule[];
  /** The distinctive rules without a distinctive text pattern, in the same order. */
  readonly distinctiveWithoutText: readonly CompiledRule[];
  /** The distinctive text patterns, joined into one pattern per set of flags. */
  readonly distinctiveTexts: readonly RegExp[];
  readonly generic: readonly CompiledRule[];
}

/** Compiles provider rule sets (keyed by operator) and the generic fallbacks. */
export function compileRules(
  providerRules: Readonly<Record<string, readonly ReplyRule[]>>,
  genericRules: readonly ReplyRule[],
): RuleSet {
  const byOperator = new Map<string, CompiledRule[]>();
  const distinctive: CompiledRule[] = [];
  for (const [operator, rules] of Object.entries(providerRules)) {
    const compiled = rules.map(compileRule);
    byOperator.set(operator, compiled);
    // A rule for one kind of host is never applied to a reply from another host.
    distinctive.push(
      ...compiled.filter(
        ({ rule }) => rule.distinctive !== undefined && hasWording(rule) && !isHostBound(rule),
      ),
    );
  }
  return {
    byOperator,
    distinctive,
    distinctiveWithoutText: distinctive.filter((rule) => rule.distinctiveText === undefined),
    distinctiveTexts: joinPatterns(distinctive.map((rule) => rule.distinctiveText)),
    generic: genericRules.map(compileRule),
  };
}

/**
 * Joins patterns with the same flags into one alternation, which matches a text exactly when
 * one of its patterns does. Most replies come from receivers that no distinctive rule
 * describes, and one test of the joined pattern then replaces one test per rule.
 */
function joinPatterns(patterns: readonly (RegExp | undefined)[]): RegExp[] {
  const byFlags = new Map<string, string[]>();
  for (const pattern of patterns) {
    if (pattern === undefined) continue;
    // A back reference would point at another group in the joined pattern.
    if (/\\[1-9]|\\k</.test(pattern.source) || /[gy]/.test(pattern.flags)) {
      throw new Error(
        `reply rule pattern /${pattern.source}/${pattern.flags} has a back reference or the ` +
          "g or y flag, so it cannot be joined with other patterns; rewrite it without them",
      );
    }
    const sources = byFlags.get(pattern.flags) ?? [];
    sources.push(`(?:${pattern.source})`);
    byFlags.set(pattern.flags, sources);
  }
  return [...byFlags].map(([flags, sources]) => new RegExp(sources.join("|"), flags));
}

/**
 * Returns the rule that explains the reply. Wording and tokens of the reply's own provider come
 * first, then that provider's codes, then wording unique to another provider (a relay such as
 * MailChannels answering in a Gmail delivery), then the generic fallbacks; the last generic
 * rule matches everything. `operator` is null when nothing names the receiver. With
 * `foreignWording` false, wording unique to another provider is skipped. Callers pass false
 * for a reply from a host that no provider runs, because such wording alone may be that
 * host's own. `host` names the provider whose inbound MX or submission host sent the reply.
 * A rule marked `inboundMxOnly` or `submissionHostOnly` applies only to a reply from such a
 * host of its provider.
 */
export function findRule(
  set: RuleSet,
  reply: ParsedReply,
  operator: string | null,
  foreignWording = true,
  host: AnsweringHost = OTHER_HOST,
): ReplyRule {
  const own = operator === null ? undefined : set.byOperator.get(operator);
  if (own !== undefined) {
    const byWording = own.find(
      (candidate) => appliesAt(candidate, host) && matchesWording(candidate, reply),
    );
    if (byWording !== undefined) return byWording.rule;
    const byCode = own.find(
      (candidate) => appliesAt(candidate, host) && matchesCodeAlone(candidate, reply),
    );
    if (byCode !== undefined) return byCode.rule;
  }

  if (foreignWording) {
    const foreign = findDistinctive(set, reply, operator);
    if (foreign !== undefined) return foreign.rule;
  }

  const generic = set.generic.find((candidate) => matchesGeneric(candidate, reply));
  if (generic === undefined)
    throw new Error("the generic rules must end with a rule that matches every reply");
  return generic.rule;
}

/** Returns the first rule of another provider whose wording is unique to that provider. */
function findDistinctive(
  set: RuleSet,
  reply: ParsedReply,
  operator: string | null,
): CompiledRule | undefined {
  // When no distinctive text pattern matches, only the rules without one can.
  const textMatches = set.distinctiveTexts.some((pattern) => pattern.test(reply.text));
  const candidates = textMatches ? set.distinctive : set.distinctiveWithoutText;
  return candidates.find(
    (candidate) =>
      operatorOf(candidate.rule) !== operator &&
      matchesWording(candidate, reply) &&
      (candidate.distinctiveText === undefined || candidate.distinctiveText.test(reply.text)),
  );
}

/**
 * False for a rule marked `inboundMxOnly` or `submissionHostOnly` unless such a host of its
 * provider sent the reply.
 */
function appliesAt(candidate: CompiledRule, host: AnsweringHost): boolean {
  const rule = candidate.rule;
  if (rule.inboundMxOnly === true && rule.provider !== host.inboundMx) return false;
  return rule.submissionHostOnly !== true || rule.provider === host.submission;
}

function isHostBound(rule: ReplyRule): boolean {
  return rule.inboundMxOnly === true || rule.submissionHostOnly === true;
}

function compileRule(rule: ReplyRule): CompiledRule {
  return {
    rule,
    codes: rule.codes === undefined ? null : new Set(rule.codes),
    enhanced: rule.enhanced === undefined ? null : enhancedMatcher(rule.enhanced),
    codeAlone: rule.codeAlone === undefined ? null : new Set(rule.codeAlone),
    stages: rule.stages === undefined ? null : new Set(rule.stages),
    distinctiveText: distinctivePattern(rule),
  };
}

function distinctivePattern(rule: ReplyRule): RegExp | undefined {
  if (rule.distinctive instanceof RegExp) return rule.distinctive;
  return rule.distinctive === true ? rule.text : undefined;
}

/**
 * Matches enhanced status codes against a rule's patterns. An `x` in the class stands for the
 * failure classes 4 and 5 only, because every wildcard rule names a failure: without this,
 * `250 2.1.5 OK` (an address that a verification probe found valid) read as a refused address.
 */
function enhancedMatcher(patterns: readonly string[]): (status: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.includes("x")));
  const wildcards = patterns
    .filter((pattern) => pattern.includes("x"))
    .map((pattern) => pattern.split("."));
  return (status) => {
    if (exact.has(status)) return true;
    if (wildcards.length === 0) return false;
    const parts = status.split(".");
    const isFailure = parts[0] === "4" || parts[0] === "5";
    return wildcards.some(
      (pattern) => (isFailure || pattern[0] !== "x") && matchesParts(pattern, parts),
    );
  };
}

function matchesParts(pattern: readonly string[], parts: readonly string[]): boolean {
  return pattern.every((part, index) => part === "x" || part === parts[index]);
}

function hasWording(rule: ReplyRule): boolean {
  return rule.text !== undefined || rule.token !== undefined;
}

function operatorOf(rule: ReplyRule): string | null {
  return rule.provider === null ? null : PROVIDER_OPERATORS[rule.provider];
}

/**
 * Codes the reply lacks do not disagree; codes it has must be on the rule's lists. A rule with
 * `stages` also needs a reply at one of those stages.
 */
function codesAgree(candidate: CompiledRule, reply: ParsedReply): boolean {
  if (candidate.stages !== null && (reply.stage === null || !candidate.stages.has(reply.stage))) {
    return false;
  }
  if (
    candidate.codes !== null &&
    reply.replyCode !== null &&
    !candidate.codes.has(reply.replyCode)
  ) {
    return false;
  }
  return (
    candidate.enhanced === null ||
    reply.enhancedStatus === null ||
    candidate.enhanced(reply.enhancedStatus)
  );
}

function matchesWording(candidate: CompiledRule, reply: ParsedReply): boolean {
  const rule = candidate.rule;
  if (!hasWording(rule)) return false;
  if (
    rule.token !== undefined &&
    (reply.providerToken === null || !rule.token.test(reply.providerToken))
  ) {
    return false;
  }
  if (rule.text !== undefined && !rule.text.test(reply.text)) return false;
  return codesAgree(candidate, reply);
}

function matchesCode(candidate: CompiledRule, reply: ParsedReply): boolean {
  if (candidate.enhanced === null || reply.enhancedStatus === null) return false;
  return candidate.enhanced(reply.enhancedStatus) && codesAgree(candidate, reply);
}

function matchesCodeAlone(candidate: CompiledRule, reply: ParsedReply): boolean {
  if (candidate.codeAlone === null || reply.enhancedStatus === null) return false;
  return candidate.codeAlone.has(reply.enhancedStatus) && codesAgree(candidate, reply);
}

function matchesGeneric(candidate: CompiledRule, reply: ParsedReply): boolean {
  if (hasWording(candidate.rule)) return matchesWording(candidate, reply);
  if (candidate.enhanced !== null) return matchesCode(candidate, reply);
  if (candidate.codes !== null)
    return reply.replyCode !== null && candidate.codes.has(reply.replyCode);
  return true;
}
