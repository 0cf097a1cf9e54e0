import type { DnsContext } from "../../dns/context.js";
import type { DmarcPolicy } from "./record.js";

/** The policy a receiver applies to one domain, and the record tag it came from. */
export interface AppliedPolicy {
  readonly policy: DmarcPolicy | null;
  readonly tag: "p" | "sp" | "np";
}

/**
 * Finds the policy receivers apply to mail from `domain` under the record of `recordDomain`
 * (RFC 7489, section 6.3, with `np=` from RFC 9989). The record's own domain gets `p=`. A
 * subdomain that does not exist gets `np=` when the record has one, and any other subdomain
 * gets `sp=`, falling back to `p=` when the tag is absent.
 */
export async function findAppliedPolicy(
  domain: string,
  recordDomain: string,
  record: {
    readonly policy: DmarcPolicy | null;
    readonly subdomainPolicy: DmarcPolicy | null;
    readonly nonexistentPolicy: DmarcPolicy | null;
  },
  dns: DnsContext,
): Promise<AppliedPolicy> {
  if (domain.toLowerCase().replace(/\.$/, "") === recordDomain) {
    return { policy: record.policy, tag: "p" };
  }
  if (record.nonexistentPolicy !== null && (await domainMissing(domain, dns))) {
    return { policy: record.nonexistentPolicy, tag: "np" };
  }
  if (record.subdomainPolicy !== null) return { policy: record.subdomainPolicy, tag: "sp" };
  return { policy: record.policy, tag: "p" };
}

/** Tests for a domain that does not exist: RFC 9989 requires NXDOMAIN for A, AAAA and MX. */
async function domainMissing(domain: string, dns: DnsContext): Promise<boolean> {
  for (const type of ["A", "AAAA", "MX"] as const) {
    const answer = await dns.lookup(domain, type);
    if (answer.ok || answer.kind !== "nxdomain") return false;
  }
  return true;
}
