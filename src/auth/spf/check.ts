import type { DnsContext } from "../../dns/context.js";
import type { DnsFailure } from "../../dns/types.js";
import { notChecked, notCheckedText, problem, type CheckResult, type Problem } from "../types.js";
import { verdictOf } from "../types.js";
import { analyseSpf, analyseSpfRecord, type SpfAnalysis, type SpfNode } from "./analyse.js";
import { correctedRecord, mergedEndingSentence } from "./correct.js";
import { evaluateSpf } from "./evaluate.js";
import { recordProblems } from "./policy.js";
import { withPublishedRecord } from "./published.js";
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
  // A DNS failure leaves nothing to correct, because the record may be correct as published.
  const needsFix = problems.some((p) => p.severity !== "info" && !UNCHECKED_CODES.has(p.code));
  const corrected = needsFix ? await offeredRecord(domain, analysis, results, dns) : null;
  const unchecked = isUnchecked(analysis.tree, results, problems);
  return {
    verdict: unchecked ? "not-checked" : verdictOf(problems),
    explanation: unchecked ? UNCHECKED_TEXT : explain(domain, record, results, problems),
    evidence: { ...evidence, correctedRecord: corrected },
    problems: corrected === null ? problems : problems.map((p) => withMergeFix(p, analysis)),
  };
}

/**
 * Gives the problem of several records a fix that points to the corrected record and names
 * the `all` term that the merge kept, because the merge could otherwise turn `~all` into `-all`
 * unnoticed.
 */
function withMergeFix(item: Problem, analysis: SpfAnalysis): Problem {
  const ending = mergedEndingSentence(analysis.records);
  if (item.code !== "spf-multiple" || ending === null) return item;
  return {
    ...item,
    fix: `Merge them into one record: publish the corrected record below. ${ending}`,
  };
}

/** Problem codes of terms that DNS failures left unchecked. They need no corrected record. */
const UNCHECKED_CODES: ReadonlySet<string> = new Set(["spf-dns-error", "spf-temperror"]);

const UNCHECKED_TEXT =
  "not checked: a TXT query of the SPF record or its includes failed, so SPF ends in temperror";

/**
 * True when DNS failures leave the outcome unknown and nothing else is wrong: some sending IP
 * gets temperror, or no IP was given and a TXT query of the include tree failed. A receiver
 * whose DNS answers may still get pass, so this is not a failure of the record.
 */
function isUnchecked(
  tree: SpfNode,
  results: readonly SpfIpResult[],
  problems: readonly Problem[],
): boolean {
  if (problems.some((p) => p.severity === "error")) return false;
  if (results.length > 0) return results.some((r) => r.result === "temperror");
  return hasDnsError(tree);
}

function hasDnsError(node: SpfNode): boolean {
  return node.status === "dns-error" || node.children.some(hasDnsError);
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
 * Dropping terms (`+all`, `ptr`, over-wide ranges, broken includes) can stop a sending IP that
 * passes today from passing. The corrected record is therefore evaluated for those IPs, and
 * the ones it no longer passes are added like failing IPs.
 */
async function offeredRecord(
  domain: string,
  analysis: SpfAnalysis,
  results: readonly SpfIpResult[],
  dns: DnsContext,
): Promise<string | null> {
  // An IP with temperror may be listed behind the include that failed, so it is not added.
  const missing = results
    .filter((r) => r.result !== "pass" && r.result !== "temperror")
    .map((r) => r.ip);
  const passing = results.filter((r) => r.result === "pass").map((r) => r.ip);
  const correct = (missingIps: readonly string[]): string =>
    correctedRecord({
      records: analysis.records,
      missingIps,
      lookups: analysis.lookups,
      addresses: analysis.addresses,
      brokenTargets: [...brokenTargets(analysis.tree), ...analysis.passAllTargets],
    });

  const draft = correct(missing);
  const lost = await ipsNotPassing(domain, draft, passing, dns);
  const corrected = lost.length === 0 ? draft : correct([...missing, ...lost]);
  if (analysis.records.length === 1 && analysis.records[0] === corrected) return null;
  const remaining = await analyseSpfRecord(domain, corrected, dns);
  return remaining.some((p) => p.severity === "error") ? null : corrected;
}

/** Returns the IPs of `ips` for which `record`, published at `domain`, gives no pass. */
async function ipsNotPassing(
  domain: string,
  record: string,
  ips: readonly string[],
  dns: DnsContext,
): Promise<string[]> {
  const published = withPublishedRecord(dns, domain, record);
  const lost: string[] = [];
  for (const ip of ips) {
    const request = { ip, sender: `postmaster@${domain}`, helo: domain };
    const outcome = await evaluateSpf(request, published);
    if (outcome.result !== "pass") lost.push(ip);
  }
  return lost;
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

/**
 * Include and redirect targets that make evaluation fail with permerror: no SPF record
 * (NXDOMAIN, NODATA or no `v=spf1` TXT), several records, bad syntax or a loop. A target whose
 * query failed is not among them, because its record may be fine.
 */
function brokenTargets(tree: SpfNode): string[] {
  return tree.children.filter((child) => BROKEN.has(child.status)).map((child) => child.domain);
}

const BROKEN: ReadonlySet<SpfNode["status"]> = new Set([
  "none",
  "multiple",
  "syntax-error",
  "loop",
]);

function ipProblems(domain: string, results: readonly SpfIpResult[]): Problem[] {
  return results
    .filter((r) => r.result !== "pass")
    .map((r) => (r.result === "temperror" ? temperrorProblem(domain, r) : ipProblem(domain, r)));
}

/** Builds the warning for a temperror, which DNS failing only on this host can cause. */
function temperrorProblem(domain: string, r: SpfIpResult): Problem {
  return problem(
    "spf-temperror",
    "warning",
    `SPF for ${domain} from ${r.ip} could not be checked (temperror): ${r.reason}.`,
  );
}

function ipProblem(domain: string, r: SpfIpResult): Problem {
  return problem(
    `spf-${r.result}`,
    r.result === "permerror" ||
      r.result === "fail" ||
      r.result === "softfail" ||
      r.result === "none"
      ? "error"
      : "warning",
    `SPF for ${domain} from ${r.ip} is ${r.result}: ${r.reason}.`,
    r.result === "permerror" ? null : `Add ${r.ip} to the SPF record of ${domain}.`,
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
