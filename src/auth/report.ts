import type { DnsContext } from "../dns/context.js";
import type { Finding, ReadinessItem } from "../diagnose/types.js";
import { checkBimi, type BimiEvidence } from "./bimi.js";
import { checkDkim, type DkimSelectorResult, type SelectorSource } from "./dkim/check.js";
import { checkDmarc, type DmarcEvidence } from "./dmarc/check.js";
import type { OrgDomainMethod } from "./dmarc/discover.js";
import { authenticationFinding, reverseDnsFinding } from "./findings.js";
import type { HttpsFetcher } from "./https.js";
import { checkMtaSts, type MtaStsEvidence } from "./mta-sts.js";
import { checkMx, type MxCheck } from "./mx.js";
import { checkPtr, type PtrResult } from "./ptr.js";
import { dnsAuthenticationState, readinessItems, type PartState } from "./readiness.js";
import { requirementTable, type RequirementRow } from "./requirements.js";
import { checkSpf, type SpfEvidence } from "./spf/check.js";
import { checkTlsRpt } from "./tls-rpt.js";
import type { CheckResult, Problem, Verdict } from "./types.js";

/** A check flattened for reports: verdict, explanation and problems beside its evidence. */
export type Section<E> = E & {
  readonly verdict: Verdict;
  readonly explanation: string;
  readonly problems: readonly Problem[];
};

/** Every check of one sending domain. */
export interface DomainReport {
  readonly domain: string;
  /** The worst verdict of the sections, and `fail` when a row of `requirements` fails. */
  readonly verdict: Verdict;
  readonly spf: Section<SpfEvidence>;
  /** One entry per selector checked (or found among the common ones). */
  readonly dkim: readonly DkimSelectorResult[];
  readonly dkimSummary: Section<{ readonly domain: string }>;
  readonly dmarc: Section<DmarcEvidence>;
  readonly mx: Section<MxCheck["evidence"]>;
  readonly mtaSts: Section<MtaStsEvidence>;
  readonly tlsRpt: Section<{
    readonly domain: string;
    readonly record: string | null;
    readonly rua: readonly string[];
  }>;
  readonly bimi: Section<BimiEvidence>;
  readonly requirements: readonly RequirementRow[];
}

/** Domains, IPs, HELO name and DKIM selectors to check. */
export interface SenderCheckInput {
  readonly domains: readonly string[];
  readonly ips: readonly string[];
  readonly helo?: string | null;
  /** Selectors by domain; a domain with none gets the common selectors tried. */
  readonly selectors?: Readonly<Record<string, readonly SelectorSource[]>>;
}

/** How to check: the DNS context, the HTTPS client for MTA-STS (null skips it) and the PSL mode. */
export interface SenderCheckContext {
  readonly dns: DnsContext;
  readonly fetcher: HttpsFetcher | null;
  readonly orgDomainMethod?: OrgDomainMethod;
}

/** The result of checking sending domains and IPs. */
export interface SenderCheckReport {
  readonly verdict: Verdict;
  readonly domains: readonly DomainReport[];
  readonly ptr: readonly PtrResult[];
  readonly reverseDns: Section<{ readonly helo: string | null }>;
  /** `authentication` and `reverse-dns` findings, as `delist diagnose` reports them. */
  readonly findings: readonly Finding[];
  readonly readiness: readonly ReadinessItem[];
  /**
   * For each domain, whether DNS shows SPF passing for the sending IPs, a usable DKIM key and a
   * DMARC policy (`pass`), a part missing or failing (`fail`), or a part it could not show.
   */
  readonly authentication: Readonly<Record<string, PartState>>;
  /**
   * The domain whose DKIM and alignment rows and readiness item follow a sample message
   * (`delist check --message`). Null or absent when no message was given, or when the
   * message's From domain is not the first domain checked.
   */
  readonly messageDomain?: string | null;
  /**
   * Why a sample message did not judge any rows: its From domain is not the first domain
   * checked. Null or absent otherwise.
   * NOTE: only the text output shows it. The JSON output of `delist check` has no such field,
   * so a reader there compares `message.fromDomain` with `domain`.
   */
  readonly messageNote?: string | null;
}

/**
 * Runs every DNS check for the sending domains and IPs: SPF (evaluated for each IP), DKIM,
 * DMARC, MX, MTA-STS, TLS-RPT, BIMI, the provider requirement table, PTR and FCrDNS with the
 * HELO name. It never rejects because of DNS: unreachable DNS yields `not-checked` verdicts.
 */
export async function checkSenders(
  input: SenderCheckInput,
  context: SenderCheckContext,
): Promise<SenderCheckReport> {
  const helo = input.helo ?? null;
  // The PTR queries go out with the first domain's, so a silent DNS server costs one round of
  // time-outs, not one for PTR and another for the domains.
  const ptrPending = checkPtr(input.ips, helo, context.dns, input.domains);
  const domains: DomainReport[] = [];
  for (const domain of input.domains) {
    domains.push(await checkDomain(domain, input, ptrPending, context));
  }
  const ptrCheck = await ptrPending;
  const reverseDns = section(ptrCheck, { helo });
  const findings = [authenticationFinding(domains), reverseDnsFinding(ptrCheck)].filter(
    (f): f is Finding => f !== null,
  );
  return {
    verdict: worst([
      ...domains.map((d) => d.verdict),
      ...(input.ips.length > 0 ? [ptrCheck.verdict] : []),
    ]),
    domains,
    ptr: ptrCheck.evidence.ptr,
    reverseDns,
    findings,
    readiness: readinessItems(domains, ptrCheck),
    authentication: Object.fromEntries(domains.map((d) => [d.domain, dnsAuthenticationState(d)])),
  };
}

async function checkDomain(
  domain: string,
  input: SenderCheckInput,
  ptrPending: ReturnType<typeof checkPtr>,
  context: SenderCheckContext,
): Promise<DomainReport> {
  const dns = context.dns;
  const [spf, dkim, dmarc, mx, tlsRpt] = await Promise.all([
    checkSpf(domain, input.ips, input.helo ?? null, dns),
    checkDkim(domain, input.selectors?.[domain] ?? [], dns),
    checkDmarc(domain, dns, context.orgDomainMethod),
    checkMx(domain, dns),
    checkTlsRpt(domain, dns),
  ]);
  const [mtaSts, bimi] = await Promise.all([
    checkMtaSts(
      domain,
      mx.evidence.hosts.map((h) => h.exchange),
      dns,
      context.fetcher,
    ),
    checkBimi(domain, dmarc.evidence.appliedPolicy, dns),
  ]);
  const sections = [spf, dkim, dmarc, mx, mtaSts, tlsRpt, bimi];
  const ptr = await ptrPending;
  const requirements = requirementTable({ domain, spf, dkim, dmarc, ptr });
  return {
    domain,
    verdict: worst([...sections.map((s) => s.verdict), ...failedRequirements(requirements)]),
    spf: section(spf, spf.evidence),
    dkim: dkim.evidence.selectors,
    dkimSummary: section(dkim, { domain }),
    dmarc: section(dmarc, dmarc.evidence),
    mx: section(mx, mx.evidence),
    mtaSts: section(mtaSts, mtaSts.evidence),
    tlsRpt: section(tlsRpt, tlsRpt.evidence),
    bimi: section(bimi, bimi.evidence),
    requirements,
  };
}

function section<E extends object>(check: CheckResult<unknown>, evidence: E): Section<E> {
  return {
    ...evidence,
    verdict: check.verdict,
    explanation: check.explanation,
    problems: check.problems,
  };
}

/**
 * Returns `["fail"]` when any provider rule fails, bulk-only rules included, else nothing.
 * The report cannot tell whether the domain sends in bulk, and an admin who reads FAIL in the
 * table expects the overall verdict and the exit status to say so too. A sender below the bulk
 * threshold can read the scope column. `unknown` and `not-checked` rows change nothing.
 */
function failedRequirements(rows: readonly RequirementRow[]): Verdict[] {
  return rows.some((row) => row.status === "fail") ? ["fail"] : [];
}

const ORDER: Record<Verdict, number> = { pass: 0, warn: 1, "not-checked": 2, fail: 3 };

/** Returns the worst verdict, and `not-checked` only when nothing at all was checked. */
export function worst(verdicts: readonly Verdict[]): Verdict {
  const checked = verdicts.filter((v) => v !== "not-checked");
  if (checked.length === 0) return verdicts.length === 0 ? "pass" : "not-checked";
  return checked.reduce((a, b) => (ORDER[b] > ORDER[a] ? b : a), "pass" as Verdict);
}
