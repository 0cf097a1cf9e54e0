import type { FindingId } from "../knowledge/categories.js";
import { listNames } from "./findings/build.js";
import { ABUSE_STEP } from "./findings/volume-spike.js";
import { FIND_CAUSE_STEP } from "./findings/rate-limited.js";
import type { Finding } from "./types.js";

/** Findings of abuse sent from this server, which the `volume-spike` abuse step points to. */
const ABUSE_FINDINGS: ReadonlySet<FindingId> = new Set([
  "compromised-account",
  "web-script",
  "smtp-bypass",
]);

/** Roles of the findings that the `rate-limited` step "find and stop the cause" points to. */
const CAUSE_ROLES: ReadonlySet<Finding["role"]> = new Set(["cause", "contributing"]);

/**
 * Adds the names of other findings of the report to the fix steps that point to them. Each
 * detector builds its finding alone, so such steps are written without names, and this pass
 * names only findings that the report contains.
 */
export function withFindingReferences(findings: readonly Finding[]): Finding[] {
  const present = (ids: ReadonlySet<FindingId>): FindingId[] =>
    unique(findings.filter((finding) => ids.has(finding.id)).map((finding) => finding.id));
  const abuse = present(ABUSE_FINDINGS);
  const causes = unique(
    findings
      .filter((finding) => finding.id !== "rate-limited" && CAUSE_ROLES.has(finding.role))
      .map((finding) => finding.id),
  );
  return findings.map((finding) => {
    if (finding.id === "volume-spike" && abuse.length > 0) {
      return withStep(finding, ABUSE_STEP, abuseStep(abuse));
    }
    if (finding.id === "rate-limited" && causes.length > 0) {
      return withStep(finding, FIND_CAUSE_STEP, findCauseStep(causes));
    }
    return finding;
  });
}

function abuseStep(ids: readonly FindingId[]): string {
  return `If it was not, treat it as abuse and stop it (see the ${findingsOf(ids)}).`;
}

function findCauseStep(ids: readonly FindingId[]): string {
  return `Find and stop the cause first (see the ${findingsOf(ids)}), because retries alone do not lift a reputation limit.`;
}

/** Names findings for a sentence: `web-script finding`, `new-ip and volume-spike findings`. */
function findingsOf(ids: readonly FindingId[]): string {
  return `${listNames(ids)} ${ids.length === 1 ? "finding" : "findings"}`;
}

/** Returns `finding` with the fix step `step` replaced by `replacement`. */
function withStep(finding: Finding, step: string, replacement: string): Finding {
  if (!finding.fix.includes(step)) return finding;
  return { ...finding, fix: finding.fix.map((entry) => (entry === step ? replacement : entry)) };
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
