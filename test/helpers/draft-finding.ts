import type { Finding } from "../../src/diagnose/types.js";

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
