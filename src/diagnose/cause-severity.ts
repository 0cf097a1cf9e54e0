import type { Severity } from "../knowledge/categories.js";
import { PROVIDER_OPERATORS, providerOfKey, type ProviderKey } from "../knowledge/providers.js";
import type { Finding } from "./types.js";

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Raises each cause to the severity of the worst consequence at a provider that rejected or
 * deferred the cause's own mail, such as a compromised account whose spam Gmail rejects
 * (`spam-content`, critical). The report lists causes first, as what to fix first, so a cause
 * must not read as less severe than the block it leads to.
 *
 * Only causes whose evidence counts their own blocked mail per operator
 * (`blockedAttemptsByOperator`: compromised accounts and web scripts) are raised, because a cause
 * linked to a block only by the category of its replies may not have caused that consequence.
 * `info` causes stay, because their block was lifted or their evidence is a few replies.
 */
export function raiseCauseSeverity(findings: readonly Finding[]): Finding[] {
  const consequences = findings.filter((finding) => finding.role === "consequence");
  return findings.map((finding) => {
    if (finding.role !== "cause" || finding.severity === "info") return finding;
    const operators = blockingOperators(finding);
    const worst = consequences
      .filter((consequence) =>
        providersOf(consequence).some((key) => operators.has(operatorOf(key))),
      )
      .map((consequence) => consequence.severity)
      .reduce<Severity>((a, b) => (SEVERITY_RANK[b] < SEVERITY_RANK[a] ? b : a), finding.severity);
    return worst === finding.severity ? finding : { ...finding, severity: worst };
  });
}

/** Returns the operators that rejected or deferred some of the finding's own mail. */
function blockingOperators(finding: Finding): Set<string> {
  const counts = (finding.evidence as { blockedAttemptsByOperator?: unknown })
    .blockedAttemptsByOperator;
  if (typeof counts !== "object" || counts === null) return new Set();
  return new Set(
    Object.entries(counts as Record<string, unknown>)
      .filter(([, count]) => typeof count === "number" && count > 0)
      .map(([operator]) => operator),
  );
}

/** Returns the providers whose replies are the evidence of a reply-driven finding. */
function providersOf(finding: Finding): ProviderKey[] {
  const providers = (finding.evidence as { providers?: unknown }).providers;
  if (typeof providers !== "object" || providers === null) return [];
  return Object.keys(providers) as ProviderKey[];
}

function operatorOf(key: ProviderKey): string {
  return PROVIDER_OPERATORS[providerOfKey(key)];
}
