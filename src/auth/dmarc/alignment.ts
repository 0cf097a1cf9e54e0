import type { DnsContext } from "../../dns/context.js";
import { discoverDmarc, type OrgDomainMethod } from "./discover.js";
import { parseDmarcRecord, type DmarcPolicy } from "./record.js";

/** One authenticated identity: the SPF MAIL FROM domain or a DKIM `d=` domain, and its result. */
export interface AuthIdentity {
  readonly domain: string;
  readonly result: string;
}

/** The DMARC result for one message (RFC 7489, section 4.2). */
export interface DmarcEvaluation {
  readonly result: "pass" | "fail" | "none" | "temperror" | "permerror";
  readonly fromDomain: string;
  readonly organisationalDomain: string;
  /** The policy a receiver applies to this From domain, after `sp=` and `np=`. */
  readonly appliedPolicy: DmarcPolicy | null;
  readonly spfAligned: boolean;
  readonly dkimAligned: boolean;
  readonly reason: string;
}

/** Strict alignment needs the same name; relaxed alignment the same organisational domain. */
export function aligned(
  fromDomain: string,
  identity: string,
  mode: "r" | "s",
  fromOrg: string,
  identityOrg: string,
): boolean {
  const a = fromDomain.toLowerCase().replace(/\.$/, "");
  const b = identity.toLowerCase().replace(/\.$/, "");
  return mode === "s" ? a === b : fromOrg === identityOrg;
}

/**
 * Evaluates DMARC for a From domain given the SPF and DKIM results: passes when a passing
 * identity is aligned with the From domain. `np=` applies when the From domain does not exist.
 */
export async function evaluateDmarc(
  fromDomain: string,
  spf: AuthIdentity | null,
  dkim: readonly AuthIdentity[],
  dns: DnsContext,
  method: OrgDomainMethod = "tree-walk",
): Promise<DmarcEvaluation> {
  const discovery = await discoverDmarc(fromDomain, dns, method);
  const base = { fromDomain, organisationalDomain: discovery.organisationalDomain };
  const none = { appliedPolicy: null, spfAligned: false, dkimAligned: false };
  if (discovery.failure !== null) {
    return { ...base, ...none, result: "temperror", reason: discovery.failure.detail };
  }
  if (discovery.records.length !== 1) {
    const result = discovery.records.length === 0 ? "none" : "permerror";
    return { ...base, ...none, result, reason: `${discovery.records.length} DMARC records found` };
  }
  const parsed = parseDmarcRecord(discovery.records[0] as string);
  if (!parsed.ok) return { ...base, ...none, result: "permerror", reason: parsed.error };

  const record = parsed.record;
  const orgOf = async (domain: string): Promise<string> =>
    (await discoverDmarc(domain, dns, method)).organisationalDomain;
  const fromOrg = discovery.organisationalDomain;
  const spfAligned =
    spf !== null &&
    spf.result === "pass" &&
    aligned(fromDomain, spf.domain, record.aspf, fromOrg, await orgOf(spf.domain));
  let dkimAligned = false;
  for (const signature of dkim.filter((d) => d.result === "pass")) {
    if (
      aligned(fromDomain, signature.domain, record.adkim, fromOrg, await orgOf(signature.domain))
    ) {
      dkimAligned = true;
    }
  }
  const appliedPolicy = await policyFor(
    fromDomain,
    discovery.recordDomain ?? fromDomain,
    record,
    dns,
  );
  const pass = spfAligned || dkimAligned;
  return {
    ...base,
    result: pass ? "pass" : "fail",
    appliedPolicy,
    spfAligned,
    dkimAligned,
    reason: pass
      ? `${spfAligned ? "SPF" : "DKIM"} passes and is aligned with ${fromDomain}`
      : `neither SPF nor DKIM passes aligned with ${fromDomain}`,
  };
}

/** `p=` at the record's own domain; `np=` for a subdomain that does not exist, else `sp=`. */
async function policyFor(
  fromDomain: string,
  recordDomain: string,
  record: {
    policy: DmarcPolicy | null;
    subdomainPolicy: DmarcPolicy | null;
    nonexistentPolicy: DmarcPolicy | null;
  },
  dns: DnsContext,
): Promise<DmarcPolicy | null> {
  if (fromDomain.toLowerCase() === recordDomain) return record.policy;
  if (record.nonexistentPolicy !== null && (await domainMissing(fromDomain, dns))) {
    return record.nonexistentPolicy;
  }
  return record.subdomainPolicy ?? record.policy;
}

/** Tests for a domain that does not exist: RFC 9989 requires NXDOMAIN for A, AAAA and MX. */
async function domainMissing(domain: string, dns: DnsContext): Promise<boolean> {
  for (const type of ["A", "AAAA", "MX"] as const) {
    const answer = await dns.lookup(domain, type);
    if (answer.ok || answer.kind !== "nxdomain") return false;
  }
  return true;
}
