import type { DnsContext } from "../../dns/context.js";
import { joinTxt } from "../../dns/types.js";
import {
  notChecked,
  notCheckedText,
  dnsProblem,
  isUnanswered,
  problem,
  verdictOf,
  type CheckResult,
  type Problem,
} from "../types.js";
import { findAppliedPolicy, weakerPolicy, type AppliedPolicy } from "./applied.js";
import { discoverDmarc, pslOrganisationalDomain, type OrgDomainMethod } from "./discover.js";
import {
  correctVersionTag,
  isDmarcRecord,
  parseDmarcRecord,
  versionTagProblem,
  type DmarcPolicy,
  type DmarcRecord,
} from "./record.js";

/** A report address of another organisation, and whether it agreed to receive the reports. */
export interface ExternalDestination {
  readonly uri: string;
  readonly domain: string;
  /** The name queried (RFC 7489, section 7.1): `<domain>._report._dmarc.<destination>`. */
  readonly queried: string;
  readonly authorised: boolean;
}

/** Evidence of the DMARC check of one domain. */
export interface DmarcEvidence {
  readonly domain: string;
  readonly record: string | null;
  /** Domain of the record found: the domain itself or a parent. */
  readonly recordDomain: string | null;
  readonly organisationalDomain: string;
  readonly method: OrgDomainMethod;
  readonly policy: DmarcPolicy | null;
  /**
   * The policy receivers apply to this domain: `p=`, or for a subdomain `sp=` or `np=`, and the
   * next weaker policy when `pct=0`.
   */
  readonly appliedPolicy: DmarcPolicy | null;
  /** The tag `appliedPolicy` came from, or null without a valid record. */
  readonly appliedPolicyTag: AppliedPolicy["tag"] | null;
  readonly subdomainPolicy: DmarcPolicy | null;
  readonly nonexistentPolicy: DmarcPolicy | null;
  readonly pct: number | null;
  readonly rua: readonly string[];
  readonly ruf: readonly string[];
  readonly externalDestinations: readonly ExternalDestination[];
  readonly queried: readonly string[];
}

export type DmarcCheck = CheckResult<DmarcEvidence>;

/** Finds and checks the DMARC record that applies to a From domain. */
export async function checkDmarc(
  domain: string,
  dns: DnsContext,
  method: OrgDomainMethod = "tree-walk",
): Promise<DmarcCheck> {
  const discovery = await discoverDmarc(domain, dns, method);
  const evidence: DmarcEvidence = {
    domain,
    record: null,
    recordDomain: discovery.recordDomain,
    organisationalDomain: discovery.organisationalDomain,
    method,
    policy: null,
    appliedPolicy: null,
    appliedPolicyTag: null,
    subdomainPolicy: null,
    nonexistentPolicy: null,
    pct: null,
    rua: [],
    ruf: [],
    externalDestinations: [],
    queried: discovery.lookups.map((lookup) => `_dmarc.${lookup.name}`),
  };
  if (discovery.failure !== null && isUnanswered(discovery.failure)) {
    return notChecked(evidence, notCheckedText(discovery.failure));
  }
  if (discovery.failure !== null)
    return finish(evidence, [dnsProblem("dmarc-dns-error", discovery.failure)]);
  const firstMalformed = discovery.malformed[0];
  if (discovery.records.length === 0 && firstMalformed !== undefined) {
    return finish({ ...evidence, record: firstMalformed.record }, [
      malformedProblem(domain, firstMalformed.name, firstMalformed.record, "error", null),
    ]);
  }
  if (discovery.records.length === 0) {
    return finish(evidence, [
      problem(
        "dmarc-missing",
        "error",
        `${domain} publishes no DMARC record; Gmail and Yahoo require one from bulk senders.`,
        `Publish a TXT record at _dmarc.${discovery.organisationalDomain}: "v=DMARC1; p=none; rua=mailto:dmarc-reports@${discovery.organisationalDomain}".`,
      ),
    ]);
  }
  if (discovery.records.length > 1) {
    return finish({ ...evidence, record: discovery.records.join(" | ") }, [
      problem(
        "dmarc-multiple",
        "error",
        `_dmarc.${discovery.recordDomain ?? domain} has ${discovery.records.length} DMARC records; receivers then ignore DMARC.`,
        "Keep one record.",
      ),
    ]);
  }
  const parsed = parseDmarcRecord(discovery.records[0] as string);
  if (!parsed.ok) {
    return finish({ ...evidence, record: discovery.records[0] as string }, [
      problem(
        "dmarc-syntax",
        "error",
        `The DMARC record of ${discovery.recordDomain ?? domain} is invalid: ${parsed.error}.`,
        'Start from "v=DMARC1; p=none; rua=mailto:…".',
      ),
    ]);
  }
  const record = parsed.record;
  const recordDomain = discovery.recordDomain ?? domain;
  const destinations = await externalDestinations(recordDomain, record, dns);
  const applied = await findAppliedPolicy(domain, recordDomain, record, dns);
  const full: DmarcEvidence = {
    ...evidence,
    record: record.text,
    policy: record.policy,
    appliedPolicy: applied.policy,
    appliedPolicyTag: applied.tag,
    subdomainPolicy: record.subdomainPolicy,
    nonexistentPolicy: record.nonexistentPolicy,
    pct: record.pct,
    rua: record.rua,
    ruf: record.ruf,
    externalDestinations: destinations,
  };
  return finish(full, [
    ...discovery.malformed.map((entry) =>
      malformedProblem(domain, entry.name, entry.record, "warning", recordDomain),
    ),
    ...parsed.warnings.map((text) =>
      problem("dmarc-tag", "warning", `DMARC record of ${recordDomain}: ${text}.`, null),
    ),
    ...policyProblems(domain, recordDomain, record, applied),
    ...recordProblems(domain, recordDomain, record, destinations),
  ]);
}

function finish(evidence: DmarcEvidence, problems: Problem[]): DmarcCheck {
  return {
    verdict: verdictOf(problems),
    explanation: explain(evidence, problems),
    evidence,
    problems,
  };
}

/**
 * Builds the one-line explanation. A record that was found but yields no policy (invalid
 * syntax, or several records) is explained by its error message, so the title names the fault.
 */
function explain(evidence: DmarcEvidence, problems: readonly Problem[]): string {
  if (evidence.record === null) return `${evidence.domain} has no usable DMARC record.`;
  if (evidence.appliedPolicy === null) {
    const error = problems.find((p) => p.severity === "error");
    return error?.message ?? `The DMARC record of ${evidence.domain} has no usable policy.`;
  }
  const inherited =
    evidence.recordDomain !== evidence.domain
      ? `, inherited from ${evidence.recordDomain ?? "?"}`
      : "";
  const tag = evidence.appliedPolicyTag ?? "p";
  const stated = statedPolicy(evidence, tag);
  if (stated !== evidence.appliedPolicy) {
    return `DMARC policy for ${evidence.domain} is ${tag}=${stated}${inherited}, but pct=0 makes receivers apply ${evidence.appliedPolicy}.`;
  }
  return `DMARC policy for ${evidence.domain} is ${tag}=${evidence.appliedPolicy}${inherited}.`;
}

/** Returns the policy that the tag `tag` of the record states, before `pct=` weakens it. */
function statedPolicy(evidence: DmarcEvidence, tag: AppliedPolicy["tag"]): DmarcPolicy | null {
  if (tag === "sp") return evidence.subdomainPolicy;
  if (tag === "np") return evidence.nonexistentPolicy;
  return evidence.policy;
}

/**
 * Builds the problem for a TXT record at `_dmarc.<name>` that is meant as DMARC but that
 * receivers skip. Without a valid record it leaves `domain` with no policy (an error), else
 * `recordDomain`'s record applies in its place (a warning). The fix replaces it, because
 * publishing another record beside it is what a reader of "no DMARC record" would do.
 */
function malformedProblem(
  domain: string,
  name: string,
  text: string,
  severity: "error" | "warning",
  recordDomain: string | null,
): Problem {
  const outcome =
    recordDomain === null
      ? `so receivers ignore it and ${domain} has no DMARC policy`
      : `so receivers ignore it and use the record of ${recordDomain}`;
  const corrected = correctVersionTag(text);
  const fix =
    corrected === null
      ? `Replace it with a record that starts with "v=DMARC1;", such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@${name}".`
      : `Replace it with "${corrected}".`;
  return problem(
    "dmarc-version-tag",
    severity,
    `The TXT record at _dmarc.${name} is not a valid DMARC record: ${versionTagProblem(text)}, ${outcome}.`,
    fix,
  );
}

/** Lists the faults of the record itself: missing tags, report addresses and inheritance. */
function recordProblems(
  domain: string,
  recordDomain: string,
  record: DmarcRecord,
  destinations: readonly ExternalDestination[],
): Problem[] {
  const problems: Problem[] = [];
  if (record.tags["p"] === undefined) {
    problems.push(
      problem(
        "dmarc-no-policy",
        "warning",
        `The DMARC record of ${recordDomain} has no p= tag; receivers read it as p=none.`,
        'Add "p=none" (or stricter) to the record.',
      ),
    );
  }
  if (record.rua.length === 0) {
    problems.push(
      problem(
        "dmarc-no-rua",
        "warning",
        `The DMARC record of ${recordDomain} has no rua= address, so you receive no aggregate reports.`,
        `Add "rua=mailto:dmarc-reports@${recordDomain}".`,
      ),
    );
  }
  for (const uri of [...record.rua, ...record.ruf].filter(
    (u) => !/^mailto:[^@\s]+@[^@\s]+$/i.test(u.replace(/!\d+[kmgt]?$/i, "")),
  )) {
    problems.push(
      problem(
        "dmarc-bad-uri",
        "warning",
        `"${uri}" is not a mailto: address; receivers skip it.`,
        "Use mailto:address@domain.",
      ),
    );
  }
  for (const destination of destinations.filter((d) => !d.authorised)) {
    problems.push(
      problem(
        "dmarc-external-unauthorised",
        "warning",
        `${destination.domain} has not agreed to receive DMARC reports for ${recordDomain}: ${destination.queried} has no v=DMARC1 record, so receivers drop those reports (RFC 7489, section 7.1).`,
        `Ask ${destination.domain} to publish TXT "v=DMARC1" at ${destination.queried}.`,
      ),
    );
  }
  if (recordDomain !== domain && record.subdomainPolicy === null && record.policy !== null) {
    problems.push(
      problem("dmarc-inherited", "info", `${domain} uses the record of ${recordDomain}.`, null),
    );
  }
  return problems;
}

/**
 * Lists what the policy applied to `domain` does to its failing mail: nothing with `none`,
 * and less than the tag states with `pct=` below 100 or `t=y`.
 */
function policyProblems(
  domain: string,
  recordDomain: string,
  record: DmarcRecord,
  applied: AppliedPolicy,
): Problem[] {
  const problems: Problem[] = [];
  const stated = `${applied.tag}=${applied.statedPolicy ?? "none"}`;
  const forDomain = applied.tag === "p" ? "" : ` for ${domain}`;
  const inRecord = applied.tag === "p" ? "" : ` in the record of ${recordDomain}`;
  if (applied.statedPolicy === "none") {
    problems.push(
      problem(
        "dmarc-monitor-only",
        "info",
        `${stated}${forDomain} only monitors: receivers take no action on mail that fails DMARC.`,
        `Move to ${applied.tag}=quarantine${inRecord} once the reports show all your mail passes.`,
      ),
    );
  }
  const pct = pctProblem(stated, recordDomain, record.pct, applied.statedPolicy);
  if (pct !== null) problems.push(pct);
  if (record.testing) {
    problems.push(
      problem(
        "dmarc-testing",
        "info",
        "t=y marks the policy as a test; receivers apply one level less.",
        null,
      ),
    );
  }
  return problems;
}

/**
 * Builds the note for `pct=` below 100. Receivers apply the policy to that share of the failing
 * mail and the next weaker policy to the rest (RFC 7489, section 6.6.4), so `pct=0` turns
 * quarantine into none and reject into quarantine. RFC 9989 drops the tag.
 */
function pctProblem(
  stated: string,
  recordDomain: string,
  pct: number,
  policy: DmarcPolicy | null,
): Problem | null {
  if (pct >= 100 || policy === null || policy === "none") return null;
  const weaker = weakerPolicy(policy) ?? "none";
  if (pct === 0) {
    return problem(
      "dmarc-pct",
      "warning",
      `pct=0 applies ${stated} to none of the failing mail: receivers apply ${weaker} instead, so the record of ${recordDomain} acts as ${weaker}.`,
      `Remove pct=0 from the record of ${recordDomain}, or set the policy to ${weaker} if that is what you mean.`,
    );
  }
  return problem(
    "dmarc-pct",
    "info",
    `pct=${pct} applies ${stated} to ${pct} % of the failing mail and ${weaker} to the rest; RFC 9989 drops pct.`,
    null,
  );
}

/** Checks the authorisation of report addresses at other organisational domains (RFC 7489, 7.1). */
async function externalDestinations(
  recordDomain: string,
  record: DmarcRecord,
  dns: DnsContext,
): Promise<ExternalDestination[]> {
  const own = pslOrganisationalDomain(recordDomain);
  const result: ExternalDestination[] = [];
  const seen = new Set<string>();
  for (const uri of [...record.rua, ...record.ruf]) {
    const domain = /^mailto:[^@]+@([^!\s]+)/i.exec(uri)?.[1]?.toLowerCase();
    if (domain === undefined || pslOrganisationalDomain(domain) === own || seen.has(domain))
      continue;
    seen.add(domain);
    const queried = `${recordDomain}._report._dmarc.${domain}`;
    const answer = await dns.lookup(queried, "TXT");
    const authorised = answer.ok && answer.records.map(joinTxt).some(isDmarcRecord);
    result.push({ uri, domain, queried, authorised });
  }
  return result;
}
