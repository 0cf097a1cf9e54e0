import type { DnsContext } from "../../dns/context.js";
import type { DmarcPolicy } from "./record.js";

/** The policy a receiver applies to one domain, and the record tag it came from. */
export interface AppliedPolicy {
  /** The policy receivers apply: the tag's policy, or the next weaker one under `pct=0`. */
  readonly policy: DmarcPolicy | null;
  readonly tag: "p" | "sp" | "np";
  /** The policy the tag states, before `pct=0` weakens it. */
  readonly statedPolicy: DmarcPolicy | null;
}

/** The record tags that decide the applied policy. */
interface PolicyTags {
  readonly policy: DmarcPolicy | null;
  readonly subdomainPolicy: DmarcPolicy | null;
  readonly nonexistentPolicy: DmarcPolicy | null;
  /** The `pct=` value, 100 when the tag is absent. */
  readonly pct: number;
}

/**
 * Finds the policy receivers apply to mail from `domain` under the record of `recordDomain`
 * (RFC 7489, section 6.3, with `np=` from RFC 9989). The record's own domain gets `p=`. A
 * subdomain that does not exist gets `np=` when the record has one, and any other subdomain
 * gets `sp=`, falling back to `p=` when the tag is absent. With `pct=0` receivers apply the
 * next weaker policy to all failing mail, so that policy is returned.
 */
export async function findAppliedPolicy(
  domain: string,
  recordDomain: string,
  record: PolicyTags,
  dns: DnsContext,
): Promise<AppliedPolicy> {
  const stated = await findStatedPolicy(domain, recordDomain, record, dns);
  // NOTE: t=y (RFC 9989) also requests one level less from receivers, but it does not weaken the
  // policy here, because receivers that follow RFC 7489 ignore the tag.
  const policy = record.pct === 0 ? weakerPolicy(stated.policy) : stated.policy;
  return { policy, tag: stated.tag, statedPolicy: stated.policy };
}

async function findStatedPolicy(
  domain: string,
  recordDomain: string,
  record: PolicyTags,
  dns: DnsContext,
): Promise<{ policy: DmarcPolicy | null; tag: AppliedPolicy["tag"] }> {
  if (domain.toLowerCase().replace(/\.$/, "") === recordDomain) {
    return { policy: record.policy, tag: "p" };
  }
  if (record.nonexistentPolicy !== null && (await domainMissing(domain, dns))) {
    return { policy: record.nonexistentPolicy, tag: "np" };
  }
  if (record.subdomainPolicy !== null) return { policy: record.subdomainPolicy, tag: "sp" };
  return { policy: record.policy, tag: "p" };
}

/** Returns the policy one level below `policy`: reject gives quarantine, the rest none. */
export function weakerPolicy(policy: DmarcPolicy | null): DmarcPolicy | null {
  if (policy === null) return null;
  return policy === "reject" ? "quarantine" : "none";
}

/** Tests for a domain that does not exist: RFC 9989 requires NXDOMAIN for A, AAAA and MX. */
async function domainMissing(domain: string, dns: DnsContext): Promise<boolean> {
  for (const type of ["A", "AAAA", "MX"] as const) {
    const answer = await dns.lookup(domain, type);
    if (answer.ok || answer.kind !== "nxdomain") return false;
  }
  return true;
}
