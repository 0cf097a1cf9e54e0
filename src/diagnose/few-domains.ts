import {
  OUTAGE_MIN_FAILURES,
  type DomainFailures,
  type ProviderFacts,
} from "../analysis/providers.js";
import type { DiagnoseContext } from "./context.js";
import { listNames, period, plural } from "./findings/build.js";
import { mergeCounts } from "./findings/replies.js";
import type { FewDomainsReport, OutageReport, ProviderStatus, ProviderVerdict } from "./types.js";

/**
 * The `other` row is blocked, rate-limited or unreachable only when the block replies or the
 * failed attempts of its outage went to at least this many recipient domains. One small
 * receiver's own rule, or one that is down, is that receiver's problem, but several unrelated
 * ones refusing or failing together point at this server. Three is an estimate.
 */
export const OTHER_MIN_DOMAINS = 3;

/** Maximum domains that `failedDomainsAtEnd` lists. */
const DOMAINS_AT_END_SHOWN = 20;

/** The parts of the `other` row's verdict that fall below `OTHER_MIN_DOMAINS`, with their reports. */
export interface FewDomains {
  /** True when the block replies came from too few domains to set the status. */
  readonly block: boolean;
  /** True when the outage's failed attempts went to too few domains to set the status. */
  readonly outage: boolean;
  readonly reports: FewDomainsReport[];
}

const NONE: FewDomains = { block: false, outage: false, reports: [] };

/**
 * Applies the domain rule to the `other` row. Block replies count by their recipient domains,
 * or by the receiving hosts when no reply names a recipient (replies to whole sessions).
 * `blockStatus` is the status that the replies alone give, and `outage` is the row's outage
 * before the rule. Returns `NONE` for the rows of named providers and relay hosts.
 */
export function fewDomainsOf(
  facts: ProviderFacts,
  blockStatus: ProviderStatus,
  outage: OutageReport | null,
  context: DiagnoseContext,
): FewDomains {
  if (facts.key !== "other") return NONE;

  const reports: FewDomainsReport[] = [];
  const domains = sortedKeys(facts.blockedDomains);
  const servers = sortedKeys(facts.blockedServers);
  const receivers = domains.length > 0 ? domains.length : servers.length;
  const block =
    (blockStatus === "blocked" || blockStatus === "rate-limited") &&
    receivers < OTHER_MIN_DOMAINS &&
    facts.firstBlock !== null;
  if (block && facts.firstBlock !== null) {
    const replies = [...facts.blockedServers.values()].reduce((sum, count) => sum + count, 0);
    reports.push({
      status: blockStatus,
      domains,
      servers,
      attempts: Math.max(facts.blockedAttempts, replies),
      first: context.time(facts.firstBlock.time),
      last: context.time(facts.lastBlock?.time ?? facts.firstBlock.time),
    });
  }

  // Deliveries to other domains after the outage count as the row's recovery, but they do not
  // show that the failed domains accept mail again, so a recovered outage counts here too.
  const run = facts.outage;
  const outageFew =
    outage !== null &&
    run !== null &&
    outage.recipientDomains < OTHER_MIN_DOMAINS &&
    !failsAtEnoughDomains(outage);
  if (outageFew) reports.push(fewDomainOutageReport(outage, [...run.recipientDomains]));

  return { block, outage: outageFew, reports };
}

/**
 * Reports an outage of the `other` row at too few domains. While domains still fail at the end
 * of the log, it counts all their failures up to the end, not only the run's, and names every
 * one of them. Otherwise it reports the run at its `runDomains`.
 */
function fewDomainOutageReport(outage: OutageReport, runDomains: string[]): FewDomainsReport {
  const atEnd = outage.failuresAtEnd;
  if (atEnd !== null && outage.domainsFailingAtEnd.length > 0) {
    return {
      status: "unreachable",
      domains: [...outage.domainsFailingAtEnd],
      servers: [],
      attempts: atEnd.failures,
      first: atEnd.first,
      last: atEnd.last,
    };
  }
  return {
    status: "unreachable",
    domains: runDomains.sort(),
    servers: [],
    attempts: outage.failures,
    first: outage.first.time,
    last: outage.last,
  };
}

/**
 * Returns the streaks of the `other` row's recipient domains that still fail at the end of the
 * log: the latest failed connection falls at or after `windowStart` (epoch ms), and no delivery
 * or SMTP reply reached the domain after it. Returns [] for the other rows and when the log's
 * end is unknown.
 */
function streaksFailingAtEnd(
  facts: ProviderFacts,
  windowStart: number | null,
): [string, DomainFailures][] {
  if (facts.key !== "other" || windowStart === null) return [];
  return [...facts.failedDomains].filter(
    ([domain, streak]) => streak.last >= windowStart && !facts.reachedDomains.has(domain),
  );
}

/**
 * Returns the recipient domains of the `other` row that still fail at the end of the log (see
 * `streaksFailingAtEnd`), most recent failure first, or null for the other rows. The outage's
 * `domainsFailingAtEnd` contains the same domains, sorted by name and not capped.
 */
export function failedDomainsAtEnd(
  facts: ProviderFacts,
  windowStart: number | null,
): string[] | null {
  if (facts.key !== "other") return null;
  return streaksFailingAtEnd(facts, windowStart)
    .sort((a, b) => b[1].last - a[1].last || a[0].localeCompare(b[0]))
    .slice(0, DOMAINS_AT_END_SHOWN)
    .map(([domain]) => domain);
}

/**
 * Adds to an outage of the `other` row every recipient domain that still fails at the end of
 * the log (see `streaksFailingAtEnd`) and their failures since each domain's streak began. It
 * also adds the latest delivery or reply of another receiver while they failed (see
 * `otherReceiversReached`). `windowStart` is in epoch ms.
 */
export function withDomainsFailingAtEnd(
  report: OutageReport | null,
  facts: ProviderFacts,
  windowStart: number | null,
  context: DiagnoseContext,
): OutageReport | null {
  if (report === null || facts.outage === null) return report;
  const streaks = streaksFailingAtEnd(facts, windowStart);
  if (streaks.length === 0) return { ...report, domainsFailingAtEnd: [] };
  const first = Math.min(...streaks.map(([, streak]) => streak.first));
  const last = Math.max(...streaks.map(([, streak]) => streak.last));
  const failures = streaks.reduce((sum, [, streak]) => sum + streak.failures, 0);
  const reached = otherReceiversReached(facts, streaks, first);
  // An outage that goes on at those domains (see `failsAtEnoughDomains`) is described from
  // their failures, so its first failure is theirs too, not the first of the run.
  const streakFirst =
    reached !== null && streaks.length >= OTHER_MIN_DOMAINS
      ? firstFailureOf(streaks, first, context)
      : null;
  return {
    ...report,
    first: streakFirst ?? report.first,
    domainsFailingAtEnd: streaks.map(([domain]) => domain).sort(),
    failuresAtEnd: { failures, first: context.time(first), last: context.time(last) },
    otherReceiversReachedAt: reached === null ? null : context.time(reached),
  };
}

/**
 * Returns the first failure of the streak that began at `first` (epoch ms), with the meaning
 * of its connection-failure rule, or null when that failure was not kept.
 */
function firstFailureOf(
  streaks: readonly [string, DomainFailures][],
  first: number,
  context: DiagnoseContext,
): OutageReport["first"] | null {
  const earliest = streaks.find(([, streak]) => streak.first === first)?.[1];
  if (earliest?.firstFailure == null) return null;
  const { rule } = earliest;
  return {
    ...context.reply(earliest.firstFailure),
    ruleId: rule.id,
    category: rule.category,
    permanent: false,
    summary: rule.summary,
  };
}

/**
 * Builds the outage of the `other` row from the domains that still fail at the end of the log
 * when no run of `OUTAGE_MIN_FAILURES` failures in a row made one, because deliveries to other
 * domains came between every few failures. It needs `OTHER_MIN_DOMAINS` or more such domains,
 * `OUTAGE_MIN_FAILURES` or more failures in all, and a delivery or reply of another receiver
 * while they failed, so that the outage reads the same however the failures interleave.
 * Returns null otherwise. `windowStart` is in epoch ms.
 */
export function interleavedOutage(
  facts: ProviderFacts,
  windowStart: number | null,
  context: DiagnoseContext,
): OutageReport | null {
  if (facts.outage !== null) return null;
  const streaks = streaksFailingAtEnd(facts, windowStart);
  if (streaks.length < OTHER_MIN_DOMAINS) return null;
  const failures = streaks.reduce((sum, [, streak]) => sum + streak.failures, 0);
  if (failures < OUTAGE_MIN_FAILURES) return null;
  const first = Math.min(...streaks.map(([, streak]) => streak.first));
  const last = Math.max(...streaks.map(([, streak]) => streak.last));
  const reached = otherReceiversReached(facts, streaks, first);
  const firstFailure = firstFailureOf(streaks, first, context);
  if (reached === null || firstFailure === null) return null;

  const domains = streaks.map(([domain]) => domain).sort();
  return {
    first: firstFailure,
    last: context.time(last),
    endedAt: null,
    failures,
    ongoing: true,
    recovered: false,
    recipientDomains: domains.length,
    domainsFailingAtEnd: domains,
    failuresAtEnd: { failures, first: context.time(first), last: context.time(last) },
    otherReceiversReachedAt: context.time(reached),
    failuresByHost: mergeCounts(streaks.map(([, streak]) => streak.failuresByHost)),
    fix: deadDomainSteps(domains),
  };
}

/**
 * Returns the time of the `other` row's latest delivery or SMTP reply when it came after the
 * failing domains' first failure (`first`, epoch ms), else null. Such a contact shows that this
 * server connects out, so the failures lie with those domains, however the failures and the
 * deliveries interleave. It does not count when `OTHER_MIN_DOMAINS` or more of the domains
 * began to fail only after it: nothing was accepted since those failures began, which is what
 * a firewall blocking port 25 looks like.
 */
function otherReceiversReached(
  facts: ProviderFacts,
  streaks: readonly [string, DomainFailures][],
  first: number,
): number | null {
  const contact = facts.lastContact;
  if (contact === null || contact <= first) return null;
  const later = streaks.filter(([, streak]) => streak.first > contact).length;
  return later >= OTHER_MIN_DOMAINS ? null : contact;
}

/**
 * Applies the domain rule to an outage of the `other` row. An outage at fewer than
 * `OTHER_MIN_DOMAINS` domains never counts as recovered, because deliveries to other domains
 * do not show that the failed ones accept mail. An outage that still fails at enough domains after other
 * receivers accepted mail or replied (see `failsAtEnoughDomains`) goes on and is not
 * recovered, so the row is unreachable. Both get the fix steps for the failed domains.
 */
export function otherRowOutage(outage: OutageReport | null, few: FewDomains): OutageReport | null {
  if (outage === null) return null;
  if (few.outage) {
    const report = few.reports.find((entry) => entry.status === "unreachable");
    return { ...outage, recovered: false, fix: deadDomainSteps(report?.domains ?? []) };
  }
  if (failsAtEnoughDomains(outage)) {
    return {
      ...outage,
      recovered: false,
      ongoing: true,
      fix: deadDomainSteps(outage.domainsFailingAtEnd),
    };
  }
  return outage;
}

/**
 * True when `OTHER_MIN_DOMAINS` or more domains of the `other` row still fail at the end of the
 * log (`domainsFailingAtEnd`) while other receivers of the row accepted mail or replied
 * (`otherReceiversReachedAt`). The outage then goes on at those domains, whether the contact
 * ended the run of failures or came before it.
 */
export function failsAtEnoughDomains(outage: OutageReport): boolean {
  return (
    outage.otherReceiversReachedAt !== null &&
    outage.domainsFailingAtEnd.length >= OTHER_MIN_DOMAINS
  );
}

/**
 * Names an unreachable row for readiness sentences: "the receivers of example.com, example.net
 * and example.org" for an outage of `failsAtEnoughDomains`, because other receivers of the row
 * accepted mail or replied, else the row's name.
 */
export function unreachableName(verdict: ProviderVerdict): string {
  const outage = verdict.outage;
  if (outage === null || !failsAtEnoughDomains(outage)) return verdict.name;
  return `the receivers of ${listNames([...outage.domainsFailingAtEnd])}`;
}

/**
 * Builds the fix steps of an outage of the `other` row at `domains`: fewer than
 * `OTHER_MIN_DOMAINS` of them, or those that still fail after other receivers of the row
 * accepted mail or replied. They replace the port 25 and firewall steps of the
 * connection-failure rule, because those domains' servers not answering says nothing about
 * this server's network.
 */
export function deadDomainSteps(domains: readonly string[]): string[] {
  const named = domains.length > 0 ? listNames([...domains]) : "the recipient domain";
  const first = domains[0] ?? "DOMAIN";
  return [
    `Check whether ${named} still ${domains.length > 1 ? "receive" : "receives"} mail: \`dig +short MX ${first}\` lists its MX hosts, and \`nc -vz MXHOST 25\` to one of them should print a 220 greeting.`,
    `If none answers, the fault is at ${named}, not in this server's network: the mail waits in the queue until it expires and then goes back to its senders. Tell them, or ask the recipients for another address.`,
    `Check this server's outbound port 25 only when attempts to other domains fail too.`,
  ];
}

/**
 * Describes the `other` row's blocks and outages of `fewDomains` for the verdict, such as " The
 * server h28.example.net of example.org rejected 1 attempt from this server, at .... The
 * "other receivers" row counts a block only when receivers of at least 3 domains reject or
 * defer mail, so it stays ok." Returns "" when there is none.
 */
export function fewDomainsNote(other: ProviderVerdict | undefined): string {
  if (other === undefined || other.status !== "ok") return "";
  return other.fewDomains
    .map((report) =>
      report.status === "unreachable"
        ? outageNote(report, (other.outage?.domainsFailingAtEnd.length ?? 0) > 0)
        : blockNote(report),
    )
    .join("");
}

function blockNote(report: FewDomainsReport): string {
  const verb = report.status === "blocked" ? "rejected" : "deferred";
  const period = periodOf(report);
  return ` ${receiverOf(report)} ${verb} ${plural(report.attempts, "attempt")} from this server, ${period}. The "other receivers" row counts a block only when receivers of at least ${OTHER_MIN_DOMAINS} domains reject or defer mail, so it stays ok.`;
}

/**
 * Describes an outage at too few domains. `atEnd` is true when the report counts the failures
 * of domains that still fail at the end of the log rather than one run.
 */
function outageNote(report: FewDomainsReport, atEnd: boolean): string {
  const domains = report.domains.length > 0 ? listNames([...report.domains]) : "one domain";
  const verb = report.domains.length > 1 ? "point" : "points";
  const attempts = atEnd
    ? `${report.attempts} attempts that failed to connect all went to ${domains}, ${periodOf(report)}, and ${report.domains.length > 1 ? "those domains" : "it"} still ${report.domains.length > 1 ? "fail" : "fails"} at the end of the log`
    : `${report.attempts} attempts in a row that failed to connect all went to ${domains}, ${periodOf(report)}`;
  return ` The ${attempts}, which ${verb} at ${report.domains.length > 1 ? "those domains'" : "that domain's"} servers, not at this server's network. The "other receivers" row is unreachable only when attempts to at least ${OTHER_MIN_DOMAINS} domains fail, so it stays ok.`;
}

/** Names who sent the replies: "The server mx.example.net of example.org", "Receivers of …". */
function receiverOf(report: FewDomainsReport): string {
  const [domain] = report.domains;
  const [server] = report.servers;
  if (report.domains.length > 1) return `Receivers of ${listNames([...report.domains])}`;
  if (domain !== undefined && report.servers.length === 1 && server !== undefined) {
    return `The server ${server} of ${domain}`;
  }
  if (domain !== undefined) return `The servers of ${domain}`;
  if (server !== undefined) return `The server ${server}`;
  return "One receiver";
}

function periodOf(report: FewDomainsReport): string {
  return period(report.first, report.last);
}

/** Returns the keys of `counts`, largest count first, then by name. */
function sortedKeys(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}

/**
 * True when the `other` row's replies under a finding come from too few domains to count (see
 * `fewDomainsOf`): the row has a block in `fewDomains` and its status is `ok`.
 */
export function hasFewDomainBlock(other: ProviderVerdict | undefined): boolean {
  return (
    other !== undefined &&
    other.status === "ok" &&
    other.fewDomains.some((report) => report.status !== "unreachable")
  );
}
