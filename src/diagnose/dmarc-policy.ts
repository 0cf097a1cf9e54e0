/**
 * The DMARC policy that receivers apply to a sending domain, as the diagnosis reports it. The
 * policy itself comes from `delist check` (`appliedPolicy` of its DMARC evidence), which reads
 * `sp=`, `np=` and `pct=`. This module only selects and words it. It lies outside src/auth/
 * because the reports of `diagnose --offline` load it, and such a run loads no DNS check code.
 */

import type { DmarcEvidence } from "../auth/dmarc/check.js";
import type { DnsChecksReport } from "./types.js";

/** The fields of a domain's DNS checks that describe the policy receivers apply. */
export type AppliedDmarcPolicy = Pick<
  DnsChecksReport["domains"][number],
  "dmarcAppliedPolicy" | "dmarcAppliedPolicyTag" | "dmarcStatedPolicy" | "dmarcPct"
>;

/** Selects the applied DMARC policy and the tag it comes from in the DMARC check's evidence. */
export function appliedDmarcPolicy(dmarc: DmarcEvidence): AppliedDmarcPolicy {
  return {
    dmarcAppliedPolicy: dmarc.appliedPolicy,
    dmarcAppliedPolicyTag: dmarc.appliedPolicyTag,
    dmarcStatedPolicy: statedPolicy(dmarc),
    dmarcPct: dmarc.pct,
  };
}

/** Returns the policy of the tag that the applied policy comes from, before `pct=0`. */
function statedPolicy(dmarc: DmarcEvidence): AppliedDmarcPolicy["dmarcStatedPolicy"] {
  switch (dmarc.appliedPolicyTag) {
    case "sp":
      return dmarc.subdomainPolicy;
    case "np":
      return dmarc.nonexistentPolicy;
    case "p":
      return dmarc.policy;
    case null:
      return null;
  }
}

/**
 * Words the applied policy for a report line: `p=reject`, `sp=none`, `p=reject with pct=50`,
 * or `none (pct=0 weakens p=quarantine)` when `pct=0` makes receivers apply the next weaker
 * policy. Returns null without a valid record, so that the caller words the missing policy.
 */
export function appliedDmarcPolicyWords(policy: AppliedDmarcPolicy): string | null {
  const applied = policy.dmarcAppliedPolicy;
  const tag = policy.dmarcAppliedPolicyTag;
  if (applied === null || tag === null) return null;

  const stated = `${tag}=${policy.dmarcStatedPolicy ?? applied}`;
  const pct = policy.dmarcPct;
  if (policy.dmarcStatedPolicy !== null && policy.dmarcStatedPolicy !== applied) {
    return `${applied} (pct=${pct ?? 0} weakens ${stated})`;
  }
  return pct === null || pct >= 100 ? stated : `${stated} with pct=${pct}`;
}
