import dns from "node:dns";
import { checkSenders, type SenderCheckReport } from "../auth/index.js";
import { checkBlocklists, type BlocklistReport } from "../reputation/index.js";
import { tallyLookups } from "../dns/tally.js";
import { blocklistKey, dnsKey, type Observation } from "../store/types.js";
import { observeAll, type JobContext } from "./context.js";
import { reportFailingDnsChecks, type DnsCheckRow } from "./dns-failures.js";
import { lookupCounts, reportUnanswered, type JobOutcome } from "./unanswered.js";
import { reportUncheckedLists } from "./unchecked-lists.js";

/**
 * Looks the configured IPs and domains up on the blocklists and records one state per target
 * and block list. Refusals, timeouts and errors change no state, because they show nothing
 * about the listing. Allow lists and reputation scores are stored but not watched. Returns
 * `incomplete` when some DNS lookups got no answer, or when a block list's answers could not
 * be used: its test entries failed, or it refused the query by policy.
 */
export async function runBlocklistJob(context: JobContext): Promise<JobOutcome> {
  const { config, store, clock } = context;
  if (config.ips.length === 0 && config.domains.length === 0) return "complete";
  const startedAt = clock.now();
  const { dns: resolver, tally } = tallyLookups(context.createDns());
  let report: BlocklistReport;
  try {
    const keyVariable = config.blocklists.spamhausDqsKeyEnv;
    report = await checkBlocklists({ ips: config.ips, domains: config.domains }, resolver, {
      ...(config.blocklists.lists === undefined ? {} : { lists: config.blocklists.lists }),
      dqsKey: keyVariable === undefined ? null : (context.env[keyVariable] ?? null),
      resolverAddresses:
        config.dns.resolver === undefined ? dns.getServers() : [config.dns.resolver],
    });
  } finally {
    await resolver.close();
  }
  const at = clock.now();
  const listed = report.results.filter((r) => r.status === "listed" && r.listType !== "allow");
  const { runId, changes } = store.transaction(() => {
    const runId = store.runs.start("blocklists", startedAt);
    store.runs.addBlocklistResults(runId, report.results);
    if (report.finding !== null) store.runs.addFindings(runId, [report.finding]);
    const changes = observeAll(context, blocklistObservations(report, runId, at));
    store.runs.finish(runId, at, listed.length > 0 ? "problems" : "ok");
    return { runId, changes };
  });
  const lookups = tally();
  const notChecked = report.results.filter(
    (r) => r.status !== "listed" && r.status !== "not-listed",
  ).length;
  context.logger.info(
    {
      runId,
      results: report.results.length,
      listed: listed.length,
      notChecked,
      ...lookupCounts(lookups),
      changes,
    },
    "blocklists checked",
  );
  const answered = reportUnanswered(context, "blocklists", lookups);
  const usable = reportUncheckedLists(context, report);
  return answered === "complete" && usable === "complete" ? "complete" : "incomplete";
}

function blocklistObservations(report: BlocklistReport, runId: number, at: number): Observation[] {
  return report.results
    .filter((r) => r.listType === "block" || r.listType === "mixed")
    .filter((r) => r.status === "listed" || r.status === "not-listed")
    .map((r) => ({
      key: blocklistKey(r.target, r.list),
      kind: "blocklist" as const,
      subject: `${r.target} on ${r.list}`,
      value: r.status,
      at,
      runId,
      evidence: {
        source: "blocklist",
        list: r.list,
        codes: r.codes,
        meaning: r.meaning,
        delisting: r.delisting,
      },
    }));
}

/**
 * Checks SPF, DKIM, DMARC and MX of the configured domains and PTR of the IPs, and records one
 * state per check. A check DNS could not answer (`not-checked`) changes no state. Returns
 * `incomplete` when some DNS lookups got no answer, else `failing` when the verdict is `fail`.
 */
export async function runDnsJob(context: JobContext): Promise<JobOutcome> {
  const { config, store, clock } = context;
  if (config.ips.length === 0 && config.domains.length === 0) return "complete";
  const startedAt = clock.now();
  const { dns: resolver, tally } = tallyLookups(context.createDns());
  let report: SenderCheckReport;
  try {
    report = await checkSenders(
      { domains: config.domains, ips: config.ips, helo: config.helo ?? null },
      { dns: resolver, fetcher: null },
    );
  } finally {
    await resolver.close();
  }
  const at = clock.now();
  const results = dnsResults(report);
  const { runId, changes } = store.transaction(() => {
    const runId = store.runs.start("dns", startedAt);
    store.runs.addDnsResults(runId, results);
    store.runs.addFindings(runId, report.findings);
    const observations: Observation[] = results
      .filter((r) => r.verdict !== "not-checked")
      .map((r) => ({
        key: dnsKey(r.subject, r.check),
        kind: "dns" as const,
        subject: `${r.subject} ${r.check}`,
        value: r.verdict,
        at,
        runId,
        evidence: { source: "dns", explanation: r.explanation },
      }));
    const changes = observeAll(context, observations);
    store.runs.finish(runId, at, report.verdict === "fail" ? "problems" : "ok");
    return { runId, changes };
  });
  const lookups = tally();
  const notChecked = results.filter((r) => r.verdict === "not-checked").length;
  const failed = results.filter((r) => r.verdict === "fail").map((r) => `${r.subject} ${r.check}`);
  context.logger[report.verdict === "fail" ? "warn" : "info"](
    {
      runId,
      checks: results.length,
      verdict: report.verdict,
      ...(failed.length > 0 ? { failed } : {}),
      notChecked,
      ...lookupCounts(lookups),
      changes,
    },
    "DNS checked",
  );
  const answered = reportUnanswered(context, "dns", lookups);
  const verdict = reportFailingDnsChecks(context, report, results);
  return answered === "incomplete" ? answered : verdict;
}

function dnsResults(report: SenderCheckReport): DnsCheckRow[] {
  const rows: DnsCheckRow[] = [];
  for (const domain of report.domains) {
    for (const [check, section] of [
      ["spf", domain.spf],
      ["dkim", domain.dkimSummary],
      ["dmarc", domain.dmarc],
      ["mx", domain.mx],
    ] as const) {
      rows.push({
        subject: domain.domain,
        check,
        verdict: section.verdict,
        explanation: section.explanation,
      });
    }
  }
  for (const ptr of report.ptr) {
    let verdict = ptr.forwardConfirmed ? "pass" : "fail";
    if (ptr.error !== null) verdict = "not-checked";
    const explanation =
      ptr.error ??
      (ptr.forwardConfirmed
        ? `${ptr.ip} has a PTR name that resolves back to it (${ptr.confirmedNames.join(", ")}).`
        : `${ptr.ip} has no PTR name that resolves back to it.`);
    rows.push({ subject: ptr.ip, check: "ptr", verdict, explanation });
  }
  return rows;
}
