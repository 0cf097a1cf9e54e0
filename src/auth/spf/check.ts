import type { DnsContext } from "../../dns/context.js";
import type { DnsFailure } from "../../dns/types.js";
import { notChecked, notCheckedText, problem, type CheckResult, type Problem } from "../types.js";
import { verdictOf } from "../types.js";
import { analyseSpf, analyseSpfRecord, type SpfAnalysis, type SpfNode } from "./analyse.js";
import { correctedRecord } from "./correct.js";
import { evaluateSpf } from "./evaluate.js";
import { recordProblems } from "./policy.js";
import { parseSpfRecord } from "./record.js";
import type { SpfResult } from "./state.js";

/** The SPF result of one sending IP. */
export interface SpfIpResult {
  readonly ip: string;
  readonly result: SpfResult;
  readonly reason: string;
  readonly explanation: string | null;
}

/** Evidence of the SPF check of one domain. */
export interface SpfEvidence {
  readonly domain: string;
  /** The one SPF record, or null when there is none or several. */
  readonly record: string | null;
  readonly records: readonly string[];
  /** The result for each sending IP, by IP. */
  readonly result: Readonly<Record<string, SpfResult>>;
  readonly results: readonly SpfIpResult[];
  /** The SPF result of the HELO identity for each IP (RFC 7208, 2.3); null without --helo. */
  readonly heloResult: Readonly<Record<string, SpfResult>> | null;
  /** DNS lookups the record costs, includes and redirects counted (the limit is 10). */
  readonly lookups: number;
  readonly voidLookups: number;
  readonly tree: SpfNode;
  /** A record that fixes the problems found; null when nothing needs fixing. */
  readonly correctedRecord: string | null;
}

export type SpfCheck = CheckResult<SpfEvidence>;

/**
 * Checks the SPF record of a domain and evaluates it for each sending IP as MAIL FROM
 * `postmaster@domain`. A record over the lookup limit still yields its whole tree.
 */
export async function checkSpf(
  domain: string,
  ips: readonly string[],
  helo: string | null,
  dns: DnsContext,
): Promise<SpfCheck> {
  const analysis = await analyseSpf(domain, dns);
  if (analysis.unanswered !== null) return uncheckedSpf(domain, analysis, analysis.unanswered);

  const results: SpfIpResult[] = [];
  for (const ip of ips) {
    const outcome = await evaluateSpf(
      { ip, sender: `postmaster@${domain}`, helo: helo ?? domain },
      dns,
    );
    results.push({
      ip,
      result: outcome.result,
      reason: outcome.reason,
      explanation: outcome.explanation,
    });
  }
  const heloResult = helo === null ? null : await heloResults(ips, helo, dns);
  const record = analysis.records.length === 1 ? (analysis.records[0] as string) : null;
  const problems: Problem[] = [...analysis.problems];
  if (analysis.records.length === 0 && analysis.tree.status === "none") {
    problems.push(
      problem(
        "spf-missing",
        "error",
        `${domain} publishes no SPF record; Gmail requires SPF or DKIM from every sender.`,
        "Publish the corrected record below as a TXT record at the domain.",
      ),
    );
  }
  for (const text of analysis.records) {
    const parsed = parseSpfRecord(text);
    if (parsed.ok) problems.push(...recordProblems(parsed.record, domain));
  }
  problems.push(...ipProblems(domain, results));
  problems.push(...heloProblems(helo, heloResult));

  const evidence: SpfEvidence = {
    domain,
    record,
    records: analysis.records,
    result: Object.fromEntries(results.map((r) => [r.ip, r.result])),
    results,
    heloResult,
    lookups: analysis.lookups,
    voidLookups: analysis.voidLookups,
    tree: analysis.tree,
    correctedRecord: null,
  };
  const needsFix = problems.some((p) => p.severity !== "info");
  const corrected = needsFix ? await offeredRecord(domain, analysis, results, dns) : null;
  return {
    verdict: verdictOf(problems),
    explanation: explain(domain, record, results, problems),
    evidence: { ...evidence, correctedRecord: corrected },
    problems,
  };
}

/**
 * Builds the result when the domain's own TXT query got no answer (DNS unreachable, or
 * `--offline` without a zone). It has no result per IP: evaluating would only turn the
 * missing answer into `temperror`, an SPF result that blames the domain's DNS.
 */
function uncheckedSpf(domain: string, analysis: SpfAnalysis, unanswered: DnsFailure): SpfCheck {
  const evidence: SpfEvidence = {
    domain,
    record: null,
    records: [],
    result: {},
    results: [],
    heloResult: null,
    lookups: analysis.lookups,
    voidLookups: analysis.voidLookups,
    tree: analysis.tree,
    correctedRecord: null,
  };
  return notChecked(evidence, notCheckedText(unanswered));
}

/**
 * Writes the corrected record, and returns it only when it differs from the published record
 * and its own walk finds no error. A loop or a missing record deeper in the include tree
 * cannot be fixed at the domain itself, so then the problems name the record to change.
 */
async function offeredRecord(
  domain: string,
  analysis: SpfAnalysis,
  results: readonly SpfIpResult[],
  dns: DnsContext,
): Promise<string | null> {
  const corrected = correctedRecord({
    records: analysis.records,
    missingIps: results.filter((r) => r.result !== "pass").map((r) => r.ip),
    lookups: analysis.lookups,
    addresses: analysis.addresses,
    brokenTargets: brokenTargets(analysis.tree),
  });
  if (analysis.records.length === 1 && analysis.records[0] === corrected) return null;
  const remaining = await analyseSpfRecord(domain, corrected, dns);
  return remaining.some((p) => p.severity === "error") ? null : corrected;
}

/** Evaluates the HELO identity, as receivers do for bounces with an empty MAIL FROM. */
async function heloResults(
  ips: readonly string[],
  helo: string,
  dns: DnsContext,
): Promise<Record<string, SpfResult>> {
  const results: Record<string, SpfResult> = {};
  for (const ip of ips) results[ip] = (await evaluateSpf({ ip, sender: "", helo }, dns)).result;
  return results;
}

function heloProblems(helo: string | null, results: Record<string, SpfResult> | null): Problem[] {
  if (helo === null || results === null) return [];
  return Object.entries(results)
    .filter(([, result]) => result === "fail" || result === "permerror")
    .map(([ip, result]) =>
      problem(
        "spf-helo-fail",
        "warning",
        `SPF for the HELO name ${helo} from ${ip} is ${result}, so bounces sent with an empty MAIL FROM fail SPF.`,
        `Publish "v=spf1 a -all" at ${helo}, with an A or AAAA record for ${ip}.`,
      ),
    );
}

/** Include and redirect targets that make evaluation fail: no record, a loop or bad syntax. */
function brokenTargets(tree: SpfNode): string[] {
  return tree.children.filter((child) => child.status !== "ok").map((child) => child.domain);
}

function ipProblems(domain: string, results: readonly SpfIpResult[]): Problem[] {
  return results
    .filter((r) => r.result !== "pass")
    .map((r) =>
      problem(
        `spf-${r.result}`,
        r.result === "temperror" ||
          r.result === "permerror" ||
          r.result === "fail" ||
          r.result === "softfail" ||
          r.result === "none"
          ? "error"
          : "warning",
        `SPF for ${domain} from ${r.ip} is ${r.result}: ${r.reason}.`,
        r.result === "permerror" || r.result === "temperror"
          ? null
          : `Add ${r.ip} to the SPF record of ${domain}.`,
      ),
    );
}

function explain(
  domain: string,
  record: string | null,
  results: readonly SpfIpResult[],
  problems: readonly Problem[],
): string {
  if (record === null) return `${domain} has no usable SPF record.`;
  const failing = results.filter((r) => r.result !== "pass");
  if (failing.length > 0)
    return `SPF does not pass for ${failing.map((r) => `${r.ip} (${r.result})`).join(", ")}.`;
  const errors = problems.filter((p) => p.severity === "error").length;
  if (errors > 0)
    return `The SPF record of ${domain} has ${errors} error${errors === 1 ? "" : "s"}.`;
  return results.length > 0
    ? `SPF passes for every sending IP.`
    : `${domain} publishes a valid SPF record.`;
}
