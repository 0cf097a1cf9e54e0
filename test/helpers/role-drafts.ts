import type { Finding, ProviderReason, ProviderVerdict } from "../../src/diagnose/types.js";
import type { Category } from "../../src/knowledge/categories.js";

/**
 * Builds a finding to feed role assignment: `id` is also its title and summary, and it has no
 * samples, fixes or references.
 */
export function draftFinding(
  id: Finding["id"],
  role: Finding["role"],
  evidence: object = {},
  severity: Finding["severity"] = "info",
): Finding {
  return {
    id,
    severity,
    role,
    title: id,
    summary: id,
    evidence,
    samples: [],
    fix: [],
    references: [],
  };
}

/** Builds one permanent reply reason of `category`, seen once at 2024-03-04T00:00:00Z. */
export function draftReason(category: Category, blockSignal = true): ProviderReason {
  return {
    ruleId: `test.${category}`,
    category,
    permanent: true,
    summary: category,
    count: 1,
    sessionCount: 0,
    first: "2024-03-04T00:00:00Z",
    last: "2024-03-04T00:00:00Z",
    codes: {},
    blockSignal,
  };
}

/** Builds a provider verdict with only the fields that role assignment reads. */
export function draftVerdict(
  status: ProviderVerdict["status"],
  reasons: ProviderReason[],
): ProviderVerdict {
  return {
    status,
    reasons,
    firstBlock: null,
    lastBlock: null,
  } as Partial<ProviderVerdict> as ProviderVerdict;
}
