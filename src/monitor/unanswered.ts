import dns from "node:dns";
import type { LookupTally } from "../dns/tally.js";
import type { DnsFailure, DnsFailureKind } from "../dns/types.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";

/**
 * The outcome of a job. `complete`: it checked all it was asked to. `incomplete`: some of it
 * went unchecked, because DNS gave no answer, no mail host could be reached or a log could not
 * be read. `failing`: it checked all, and a check failed, such as a DNS check with the verdict
 * `fail`.
 */
export type JobOutcome = "complete" | "incomplete" | "failing";

/** The jobs that count their DNS lookups. */
export type LookupJob = "blocklists" | "dns";

/** The name of each job's check in log messages. */
const CHECK_NAMES: Record<LookupJob, string> = {
  blocklists: "blocklist check",
  dns: "DNS check",
};

/** The number of unanswered queries that the warning names. It counts the rest. */
const NAMED_QUERIES = 3;

/** Causes for the failure kinds that the monitor counts as unanswered. */
const CAUSES: Partial<Record<DnsFailureKind, string>> = {
  timeout: "timed out",
  servfail: "SERVFAIL from the DNS server",
  refused: "refused by the DNS server",
  unreachable: "DNS server unreachable",
  truncated: "answer truncated and the retry over TCP failed",
  malformed: "malformed reply",
  "not-recorded": "missing from the replay file",
  offline: "not sent, because the run is offline",
};

/**
 * Returns the distinct queries of `tally` that got no answer, SERVFAIL included. The tally counts
 * SERVFAIL as a response for `check`, but a resolver sends it when it could not get an answer,
 * and the monitor then keeps the target's last recorded state.
 */
export function unansweredQueries(tally: LookupTally): DnsFailure[] {
  return [...tally.unansweredQueries, ...tally.serverFailureQueries];
}

/**
 * Returns the counts for a job's summary line: every lookup, and those that got no answer,
 * SERVFAIL included.
 */
export function lookupCounts(tally: LookupTally): { lookups: number; unanswered: number } {
  return {
    lookups: tally.answered + tally.unanswered,
    unanswered: tally.unanswered + tally.serverFailures,
  };
}

/**
 * Logs a warning when some DNS lookups of `job` got no answer, and an info line when every
 * lookup is answered again after such a warning. The same warning again is held back through
 * `context.repeats`, so it is logged at most once per REPEAT_LOG_INTERVAL_MS. Returns
 * `incomplete` when some lookups got no answer.
 */
export function reportUnanswered(
  context: JobContext,
  job: LookupJob,
  tally: LookupTally,
): JobOutcome {
  const { config, logger, repeats } = context;
  const key = `dns:${job}`;
  const failures = unansweredQueries(tally);
  if (failures.length === 0) {
    if (repeats.clear(key)) logger.info({ job }, "DNS answered every lookup again");
    return "complete";
  }

  const queries = failures.map((query) => `${query.type} ${query.name}`).sort();
  const message = unansweredMessage(context, job, tally, failures, queries);
  warnUnlessRepeated(context, key, message, {
    job,
    ...lookupCounts(tally),
    causes: causeKinds(failures),
    resolver: config.dns.resolver ?? "system",
    queries: queries.slice(0, NAMED_QUERIES),
  });
  return "incomplete";
}

/**
 * Builds the warning: how many lookups of how many got no answer, from which resolver and why,
 * the first few queries (sorted, so that a repeat builds the same text), and what to do.
 */
function unansweredMessage(
  context: JobContext,
  job: LookupJob,
  tally: LookupTally,
  failures: readonly DnsFailure[],
  queries: readonly string[],
): string {
  const { lookups, unanswered } = lookupCounts(tally);
  const server = resolverName(context.config.dns.resolver);
  const causes = describeCauses(failures);
  const more = queries.length > NAMED_QUERIES ? `, and ${queries.length - NAMED_QUERIES} more` : "";
  const named = `${queries.slice(0, NAMED_QUERIES).join(", ")}${more}`;
  const fix = fixText(context, failures);

  if (unanswered === lookups) {
    const none =
      lookups === 1
        ? `the only DNS lookup got no answer from ${server}`
        : `none of the ${lookups} DNS lookups got an answer from ${server}`;
    return (
      `no ${CHECK_NAMES[job]} could be made: ${none} (${causes}): ${named}. ` +
      `Every target keeps its last recorded state. ${fix}`
    );
  }
  return (
    `${unanswered} of ${lookups} DNS lookups of the ${CHECK_NAMES[job]} got no answer ` +
    `from ${server} (${causes}): ${named}. The targets that needed them keep their last ` +
    `recorded state. ${fix}`
  );
}

/** Describes the distinct causes of `queries` for people: `timed out, refused by the DNS server`. */
export function describeCauses(queries: readonly DnsFailure[]): string {
  return [...new Set(queries.map(describeCause))].join(", ");
}

function describeCause(query: DnsFailure): string {
  if (query.kind === "truncated" && query.tcpAnswered === true) {
    return "answer truncated over both UDP and TCP";
  }
  // The kind `servfail` also covers a CNAME loop and rcodes such as NOTIMP, whose detail names them.
  if (query.kind === "servfail" && !query.detail.includes("SERVFAIL")) return query.detail;
  return CAUSES[query.kind] ?? `failed (${query.kind})`;
}

/** Returns the distinct failure kinds of `queries`, in the order first seen. */
function causeKinds(queries: readonly DnsFailure[]): DnsFailureKind[] {
  return [...new Set(queries.map((query) => query.kind))];
}

/** Names the configured `dns.resolver`, or the system resolver with its servers. */
function resolverName(resolver: string | undefined): string {
  if (resolver !== undefined) return `the DNS server at ${resolver}`;
  const servers = dns.getServers();
  return servers.length === 0
    ? "the system resolver"
    : `the system resolver at ${servers.join(", ")}`;
}

function fixText(context: JobContext, queries: readonly DnsFailure[]): string {
  const { resolver, timeoutMs } = context.config.dns;
  const check = `Check that ${resolverName(resolver)} answers queries from this host`;
  const other =
    resolver === undefined
      ? "set dns.resolver to a DNS server that does"
      : "set dns.resolver to another DNS server";
  const truncated = queries.filter((query) => query.kind === "truncated");
  if (truncated.length > 0 && truncated.every((query) => query.tcpAnswered === true)) {
    return (
      `DNS over TCP works, but ${resolverName(resolver)} sent its TCP answers truncated too, ` +
      `so check that server's configuration or ${other}.`
    );
  }
  if (truncated.length > 0) {
    return (
      `Answers too big for UDP are sent again over TCP, so allow DNS over TCP from this host ` +
      `to ${resolverName(resolver)}, or ${other}.`
    );
  }
  if (queries.some((query) => query.kind === "timeout")) {
    return `${check}, raise dns.timeoutMs (now ${timeoutMs} ms), or ${other}.`;
  }
  if (queries.every((query) => query.kind === "servfail")) {
    return (
      `Check that ${resolverName(resolver)} can reach the name servers of these names and ` +
      `validate their DNSSEC signatures, for example with dig +trace, or ${other}.`
    );
  }
  return `${check}, or ${other}.`;
}
