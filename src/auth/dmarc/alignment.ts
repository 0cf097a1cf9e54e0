import type { DnsContext } from "../../dns/context.js";
import { findAppliedPolicy } from "./applied.js";
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
 * Without one valid record the result is none or permerror, and the alignment flags use the
 * relaxed mode, which is the default of `aspf=` and `adkim=` (RFC 7489, section 6.3).
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
  if (discovery.failure !== null) {
    return {
      ...base,
      result: "temperror",
      appliedPolicy: null,
      spfAligned: false,
      dkimAligned: false,
      reason: discovery.failure.detail,
    };
  }

  const parsed =
    discovery.records.length === 1 ? parseDmarcRecord(discovery.records[0] as string) : null;
  const record = parsed?.ok === true ? parsed.record : null;
  const context = { fromDomain, fromOrg: discovery.organisationalDomain, dns, method };
  const spfAligned =
    spf !== null && spf.result === "pass" && (await isAligned(context, spf, record?.aspf));
  let dkimAligned = false;
  for (const signature of dkim.filter((d) => d.result === "pass")) {
    if (await isAligned(context, signature, record?.adkim)) dkimAligned = true;
  }
  const flags = { spfAligned, dkimAligned };

  if (parsed === null) {
    const result = discovery.records.length === 0 ? "none" : "permerror";
    const reason = `${discovery.records.length} DMARC records found`;
    return { ...base, ...flags, result, appliedPolicy: null, reason };
  }
  if (!parsed.ok)
    return { ...base, ...flags, result: "permerror", appliedPolicy: null, reason: parsed.error };

  const applied = await findAppliedPolicy(
    fromDomain,
    discovery.recordDomain ?? fromDomain,
    parsed.record,
    dns,
  );
  const appliedPolicy = applied.policy;
  const pass = spfAligned || dkimAligned;
  return {
    ...base,
    ...flags,
    result: pass ? "pass" : "fail",
    appliedPolicy,
    reason: pass
      ? `${spfAligned ? "SPF" : "DKIM"} passes and is aligned with ${fromDomain}`
      : `neither SPF nor DKIM passes aligned with ${fromDomain}`,
  };
}

/** The From domain an identity is compared with, and how to find organisational domains. */
interface AlignmentContext {
  readonly fromDomain: string;
  readonly fromOrg: string;
  readonly dns: DnsContext;
  readonly method: OrgDomainMethod;
}

/** Tests one identity for alignment in the record's mode, or relaxed when there is no record. */
async function isAligned(
  context: AlignmentContext,
  identity: AuthIdentity,
  mode: "r" | "s" = "r",
): Promise<boolean> {
  const identityOrg = (await discoverDmarc(identity.domain, context.dns, context.method))
    .organisationalDomain;
  return aligned(context.fromDomain, identity.domain, mode, context.fromOrg, identityOrg);
}
