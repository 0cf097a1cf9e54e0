import type { DnsContext } from "../dns/context.js";
import { CATALOGUE, isLive } from "./catalogue.js";
import { withConfig, type BlocklistConfig } from "./config.js";
import { blocklistFinding, blocklistReadiness, spamTrapFinding } from "./finding.js";
import { buildNotices } from "./notices.js";
import { buildResults, planList, probeQueries, targetQueries, type ListPlan } from "./plan.js";
import { health, judgeProbes } from "./probe.js";
import { findPublicResolver } from "./public-resolver.js";
import { checkDqsKey, testQueryName, uniqueTargets } from "./query-name.js";
import type { BlocklistReport, ListReport } from "./report.js";
import { runQueries, type SchedulerOptions } from "./scheduler.js";
import { chooseLists } from "./select.js";
import type { BlocklistEntry } from "./types.js";

/** Default number of queries in flight at once. */
export const DEFAULT_CONCURRENCY = 16;

/** Queries started per second on one list, unless the catalogue or config sets its own. */
export const DEFAULT_QUERIES_PER_SECOND = 50;

/** The targets to look up: sending IPs (IPv4 or IPv6) and domains. */
export interface BlocklistInput {
  readonly ips: readonly string[];
  readonly domains: readonly string[];
}

/** Settings of a blocklist run; every field is optional. */
export interface BlocklistOptions {
  /** Default: the built-in catalogue. */
  readonly catalogue?: readonly BlocklistEntry[];
  /** Lists and changes from a user's config file. */
  readonly config?: BlocklistConfig;
  /** List ids to ask instead of the defaults; `all` for every live list. */
  readonly lists?: readonly string[];
  /** A Spamhaus Data Query Service key: Spamhaus lists are then asked in their DQS zones. */
  readonly dqsKey?: string | null;
  /** Queries in flight at once. Default 16. */
  readonly concurrency?: number;
  /** Queries started per second on one list. Default 50. */
  readonly queriesPerSecond?: number;
  /** The resolver's addresses (`HOST` or `HOST:PORT`), to recognise a public resolver. */
  readonly resolverAddresses?: readonly string[];
  /** True when the user chose the resolver (`--resolver`). Default false. */
  readonly resolverGiven?: boolean;
}

/**
 * Looks the targets up on the chosen lists. Each list is first judged by its RFC 5782 test
 * entries, and only lists that pass are asked about the targets. Every query name is sent
 * once per run. DNS trouble never rejects the promise, because timeouts, refusals and errors
 * become results and notices. Throws a TypeError for an invalid target, list id or DQS key.
 */
export async function checkBlocklists(
  input: BlocklistInput,
  dns: DnsContext,
  options: BlocklistOptions = {},
): Promise<BlocklistReport> {
  const targets = uniqueTargets([...input.ips, ...input.domains]);
  const base = options.catalogue ?? CATALOGUE;
  const catalogue = options.config === undefined ? base : withConfig(base, options.config);
  const chosen = chooseLists(catalogue, {
    ids: options.lists,
    enable: options.config?.enable,
    disable: options.config?.disable,
  });
  const dqsKey =
    options.dqsKey === undefined || options.dqsKey === null ? null : checkDqsKey(options.dqsKey);
  const publicResolver = findPublicResolver(options.resolverAddresses ?? []);
  const kinds = new Set(targets.map((target) => target.kind));
  const plans = chosen.lists
    .filter((entry) => !isLive(entry) || entry.targets.some((kind) => kinds.has(kind)))
    .map((entry) => planList(entry, dqsKey, publicResolver))
    .filter((plan) => chosen.explicit || plan.health?.state !== "needs-key");

  const limits = schedulerLimits(plans, options);
  const probeAnswers = await runQueries(dns, probeQueries(plans), limits);
  for (const plan of plans) {
    const tests = plan.entry.testEntries;
    if (plan.health !== null || plan.zone === null || tests === null) continue;
    const mustList = probeAnswers.get(testQueryName(tests.listed, plan.zone.zone));
    const mustNotList = probeAnswers.get(testQueryName(tests.notListed, plan.zone.zone));
    plan.health =
      mustList === undefined || mustNotList === undefined
        ? health("error", "its test entries were not asked")
        : judgeProbes(plan.entry, mustList, mustNotList, plan.zone.viaDqs);
  }
  // Once the resolver has answered nothing at all, further queries would only wait for it.
  if (dns.unreachable()) markUnreachable(plans, dns);
  const answers = await runQueries(dns, targetQueries(plans, targets), {
    ...limits,
    known: probeAnswers,
  });

  const results = buildResults(plans, targets, answers);
  const entries = new Map(catalogue.map((entry) => [entry.id, entry]));
  const unreachable = dns.unreachable();
  return {
    targets,
    lists: plans.map(listReport),
    results,
    notices: buildNotices({
      plans,
      results,
      explicit: chosen.explicit,
      publicResolver,
      resolver: dns.description,
      resolverGiven: options.resolverGiven ?? false,
      unreachable,
      offline: dns.offline(),
      targets,
    }),
    finding: blocklistFinding(results, entries),
    trapFinding: spamTrapFinding(results, entries),
    readiness: blocklistReadiness(results, entries),
    unreachable,
  };
}

function markUnreachable(plans: readonly ListPlan[], dns: DnsContext): void {
  const offline = dns.offline();
  const detail = offline
    ? "--offline sent no DNS queries"
    : `the DNS resolver (${dns.description}) answered no query`;
  for (const plan of plans) {
    const state = plan.health?.state;
    // Offline, a test query failed only because nothing was sent, so the detail names --offline.
    if (state === "unprobed" || state === "usable" || (offline && state === "error")) {
      plan.health = health("error", detail);
    }
  }
}

function schedulerLimits(plans: readonly ListPlan[], options: BlocklistOptions): SchedulerOptions {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const fallback = options.queriesPerSecond ?? DEFAULT_QUERIES_PER_SECOND;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`invalid concurrency ${concurrency}: give a whole number of 1 or more`);
  }
  if (!(fallback > 0)) {
    throw new RangeError(`invalid queries per second ${fallback}: give a positive number`);
  }
  const rates = new Map(plans.map((plan) => [plan.entry.id, plan.entry.queriesPerSecond]));
  return { concurrency, queriesPerSecond: (id) => rates.get(id) ?? fallback };
}

function listReport(plan: ListPlan): ListReport {
  const { entry } = plan;
  const state = plan.health ?? health("error", "its test entries were not asked");
  return {
    id: entry.id,
    name: entry.name,
    zone: plan.zone?.shown ?? null,
    listType: entry.listType,
    targets: entry.targets,
    status: entry.status,
    relevance: entry.relevance,
    health: state.state,
    detail: state.detail,
    delisting: entry.delisting.url,
  };
}
