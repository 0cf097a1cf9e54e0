import { ruleById } from "../knowledge/rules/index.js";
import { plural } from "./findings/build.js";
import type { ProviderReason, ProviderVerdict } from "./types.js";

/**
 * Returns the replies of `verdict` in which a rule of the recipient organisation rejected
 * mail, such as a Google Workspace admin's rule (gcdp). Such a rule judges the message or its
 * sender for that organisation only, so these replies are no block signal of this server.
 */
function recipientPolicyReasons(verdict: Pick<ProviderVerdict, "reasons">): ProviderReason[] {
  return verdict.reasons.filter(
    (reason) => reason.category === "recipient-policy" && !reason.blockSignal && reason.count > 0,
  );
}

/** Returns how many delivery attempts the recipient organisations' own rules rejected. */
export function recipientPolicyAttempts(verdict: Pick<ProviderVerdict, "reasons">): number {
  return recipientPolicyReasons(verdict).reduce((sum, reason) => sum + reason.count, 0);
}

/**
 * Builds the sentence under a provider's row for the attempts that the recipient
 * organisation's own rules rejected, with the rule's meaning and its first fix step, or returns
 * null when there were none.
 */
export function recipientPolicyLine(verdict: Pick<ProviderVerdict, "reasons">): string | null {
  const reasons = recipientPolicyReasons(verdict).sort((a, b) => b.count - a.count);
  const top = reasons[0];
  if (top === undefined) return null;
  const attempts = recipientPolicyAttempts(verdict);
  const verb = reasons.every((reason) => reason.permanent) ? "rejected" : "rejected or deferred";
  const rules = reasons.length === 1 ? "rule" : "rules";
  const step = ruleById(top.ruleId)?.fix[0];
  const fix = step === undefined ? "" : ` ${step}`;
  // A summary that starts with the receiver's own list already names whose rule it was.
  if (reasons.length === 1 && /^The receiver's own /.test(top.summary)) {
    const were = attempts === 1 ? "was" : "were";
    return `${top.summary} ${plural(attempts, "attempt")} ${were} ${verb}.${fix}`;
  }
  return `The recipient organisation's own ${rules} ${verb} ${plural(attempts, "attempt")}. ${top.summary}${fix}`;
}
