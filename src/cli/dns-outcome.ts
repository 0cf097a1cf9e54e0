import dns from "node:dns";
import type { LookupTally } from "../dns/tally.js";
import type { DnsFailure, DnsFailureKind } from "../dns/types.js";
import type { DnsOptions } from "./dns-options.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CliIo } from "./io.js";

export { tallyLookups, type LookupTally, type TalliedContext } from "../dns/tally.js";

/**
 * Decides the exit status of `check` and `blocklists`. It is 2 when nothing could be checked:
 * no DNS lookup got a response, every response was SERVFAIL, or every name looked up is
 * outside the zones of `--zone`. It is 1 when a problem was found or some lookups got no
 * response, and 0 otherwise. When lookups got no response, stderr names them and the fix.
 */
export function dnsExitStatus(
  tally: LookupTally,
  problemsFound: boolean,
  options: DnsOptions,
  io: CliIo,
): number {
  if (tally.answered === 0 && tally.firstFailure !== null) {
    io.stderr.write(`delist: ${nothingCheckedMessage(tally, tally.firstFailure, options)}\n`);
    return EXIT_USAGE;
  }
  // SERVFAIL counts as a response, because one SERVFAIL is a problem of the domain looked up.
  // When every response is SERVFAIL, though, no record was read, as when every query timed out.
  const serverFailure = tally.firstServerFailure;
  if (serverFailure !== null && tally.answered === tally.serverFailures) {
    io.stderr.write(`delist: ${serverFailureMessage(tally, serverFailure, options)}\n`);
    return EXIT_USAGE;
  }
  const first = tally.firstOutsideZone;
  if (first !== null && tally.answered === tally.outsideZones && tally.unanswered === 0) {
    io.stderr.write(
      `delist: nothing could be checked: ${first.detail}, and neither is any other name ` +
        `looked up. Give --zone the zone files that contain the names to check.\n`,
    );
    return EXIT_USAGE;
  }
  if (tally.unanswered > 0) {
    io.stderr.write(`delist: ${partlyUncheckedMessage(tally, options)}\n`);
    return EXIT_PROBLEMS;
  }
  return problemsFound ? EXIT_PROBLEMS : EXIT_OK;
}

/** How many unanswered queries the stderr line names; the rest are counted. */
const NAMED_QUERIES = 3;

/**
 * Builds the message for a run in which some DNS queries got no response: how many, grouped
 * by cause, the first few queries, and what to do.
 */
function partlyUncheckedMessage(tally: LookupTally, options: DnsOptions): string {
  const queries = tally.unansweredQueries;
  const causes = [...new Set(queries.map(failureCause))].map((cause) => {
    const count = queries.filter((q) => failureCause(q) === cause).length;
    return `${count} ${cause}`;
  });
  const named = queries.slice(0, NAMED_QUERIES).map((q) => `${q.type} ${q.name}`);
  const more = queries.length > NAMED_QUERIES ? `, and ${queries.length - NAMED_QUERIES} more` : "";
  const total = `${queries.length} DNS ${queries.length === 1 ? "query" : "queries"}`;
  const them = queries.length === 1 ? "it" : "them";
  return (
    `${total} got no answer (${causes.join(", ")}: ${named.join(", ")}${more}), so the checks ` +
    `that needed ${them} may be incomplete. ${partlyUncheckedFix(queries, options)}`
  );
}

/** Past-tense phrases for the failure kinds in `UNANSWERED`. */
const FAILURE_VERBS: Partial<Record<DnsFailureKind, string>> = {
  timeout: "timed out",
  unreachable: "could not reach the DNS server",
  truncated: "truncated, with a failed retry over TCP",
  refused: "refused by the DNS server",
  malformed: "got a malformed reply",
  "not-recorded": "missing from the replay file",
  offline: "not sent because of --offline",
};

/** Returns the past-tense phrase for why one query got no answer. */
function failureCause(query: DnsFailure): string {
  if (query.kind === "truncated" && query.tcpAnswered === true) {
    return "truncated over both UDP and TCP";
  }
  return FAILURE_VERBS[query.kind] ?? `failed (${query.kind})`;
}

function partlyUncheckedFix(queries: readonly DnsFailure[], options: DnsOptions): string {
  if (options.dnsReplay !== undefined)
    return `Record the run again with --dns-record FILE while its DNS server answers.`;
  const server =
    options.resolver === undefined
      ? "the system's DNS resolver answers"
      : `the DNS server at ${options.resolver} answers`;
  if (queries.some((q) => q.kind === "truncated")) return truncationFix(queries, options);
  if (queries.some((q) => q.kind === "malformed")) return malformedFix(options);
  if (queries.some((q) => q.kind === "timeout"))
    return (
      `Run the command again, raise --timeout-ms (now ${options.timeoutMs}), ` +
      `or check that ${server} every query.`
    );
  return `Run the command again, or check that ${server} every query.`;
}

/**
 * Builds the fix for answers truncated over UDP. When a retry over TCP failed, a firewall or
 * the server itself drops DNS over TCP, so the fix is to allow it. When every retry got an
 * answer over TCP that was truncated too, TCP works and the server is at fault.
 */
function truncationFix(queries: readonly DnsFailure[], options: DnsOptions): string {
  const truncated = queries.filter((q) => q.kind === "truncated");
  if (truncated.every((q) => q.tcpAnswered === true)) return truncatedOverTcpFix(options);
  const server =
    options.resolver === undefined
      ? "the system's DNS resolver (TCP port 53)"
      : `the DNS server at ${options.resolver}`;
  return (
    `Answers too big for UDP are sent again over TCP, so allow DNS over TCP from this host ` +
    `to ${server} and make that server answer over TCP, then run the command again.`
  );
}

/**
 * Builds the fix for answers that the server truncated over TCP as well. A DNS message over
 * TCP has a two-byte length prefix, so it carries up to 65,535 bytes, and a server that
 * truncates an answer there is misconfigured, or a device on the path rewrites its answers.
 */
function truncatedOverTcpFix(options: DnsOptions): string {
  const server =
    options.resolver === undefined
      ? "the system's DNS resolver"
      : `the DNS server at ${options.resolver}`;
  const other =
    options.resolver === undefined
      ? "give --resolver HOST[:PORT] with another resolver"
      : "give --resolver another resolver";
  return (
    `DNS over TCP works, but ${server} sent its TCP answers truncated too, so check that ` +
    `server's configuration or ${other}, then run the command again.`
  );
}

/**
 * Builds the fix for answers that are not valid DNS messages. Waiting longer cannot help,
 * because the server answered at once, so the fix points at the server.
 */
function malformedFix(options: DnsOptions): string {
  const server =
    options.resolver === undefined
      ? "the system's DNS resolver"
      : `the DNS server at ${options.resolver}`;
  const other =
    options.resolver === undefined ? "give --resolver HOST[:PORT]" : "give another --resolver";
  return (
    `${server[0]?.toUpperCase() ?? ""}${server.slice(1)} sent answers that are not valid DNS ` +
    `messages, so check that server (or what sits between it and this host), or ${other}.`
  );
}

function nothingCheckedMessage(tally: LookupTally, first: DnsFailure, options: DnsOptions): string {
  if (first.kind === "offline") {
    return (
      "nothing could be checked, because --offline sends no DNS queries and no --zone was " +
      "given. Give --zone FILE with the records to check, or drop --offline."
    );
  }
  const cause = `First failure: ${first.type} ${first.name}: ${first.detail}.`;
  if (first.kind === "truncated") {
    return `nothing could be checked, because no DNS query got a usable answer. ${cause} ${truncationFix([first], options)}`;
  }
  if (first.kind === "malformed") {
    return `nothing could be checked, because no DNS query got a readable answer. ${cause} ${malformedFix(options)}`;
  }
  if (options.dnsReplay !== undefined) {
    return (
      `nothing could be checked, because ` +
      `${noneAnswered(tally, `the replay file ${options.dnsReplay}`)}. ` +
      `${cause} Record the run again with --dns-record FILE while its DNS server answers.`
    );
  }
  if (options.resolver !== undefined) {
    return (
      `nothing could be checked, because ` +
      `${noneAnswered(tally, `the DNS server at ${options.resolver}`)}. ` +
      `${cause} Check that the DNS server at ${options.resolver} answers queries from this ` +
      "host, or give another --resolver HOST[:PORT]."
    );
  }
  const servers = dns.getServers();
  if (servers.length === 0) {
    return (
      `nothing could be checked, because this host has no DNS server configured. ` +
      "Give --resolver HOST[:PORT], or --zone FILE to check records offline."
    );
  }
  const list = servers.join(", ");
  const subject =
    servers.length === 1
      ? `the DNS server at ${list} answers`
      : `the DNS servers at ${list} answer`;
  return (
    `nothing could be checked, because ${noneAnswered(tally, "the system's resolver")}. ` +
    `${cause} Check that ${subject} queries from this host, or give --resolver HOST[:PORT].`
  );
}

/**
 * Builds the message for a run in which every response was SERVFAIL, with the first failure
 * and the fix. A resolver answers SERVFAIL when it cannot get an answer from a domain's name
 * servers or DNSSEC validation fails, so when it does so for every name, the resolver itself
 * is the likely fault.
 */
function serverFailureMessage(tally: LookupTally, first: DnsFailure, options: DnsOptions): string {
  const others = tally.unanswered > 0 ? " or no answer" : "";
  const source = serverFailureSource(options);
  const none =
    tally.sent <= 1
      ? `the only DNS query got SERVFAIL from ${source}`
      : `none of the ${tally.sent} DNS queries got a usable answer from ${source}, only SERVFAIL${others}`;
  const cause = `First failure: ${first.type} ${first.name}: ${first.detail}.`;
  return `nothing could be checked, because ${none}. ${cause} ${serverFailureFix(options)}`;
}

/** Names the source of the DNS responses, checked in the order in which `setUpDns` picks one. */
function serverFailureSource(options: DnsOptions): string {
  if (options.dnsReplay !== undefined) return `the replay file ${options.dnsReplay}`;
  if (options.zone !== undefined) return "the zone files of --zone";
  if (options.resolver !== undefined) return `the DNS server at ${options.resolver}`;
  return "the system's resolver";
}

function serverFailureFix(options: DnsOptions): string {
  if (options.dnsReplay !== undefined) {
    return "Record the run again with --dns-record FILE while its DNS server resolves names.";
  }
  if (options.zone !== undefined) {
    return "In a zone file SERVFAIL stands for a CNAME loop or a chain of more than 8 CNAME records, so fix the CNAME records that the first failure names.";
  }
  const server =
    options.resolver === undefined
      ? "the system's resolver resolves"
      : `the DNS server at ${options.resolver} resolves`;
  const other = options.resolver === undefined ? "" : "another ";
  return (
    `A resolver answers SERVFAIL when it cannot reach a domain's name servers or DNSSEC ` +
    `validation fails, so check that ${server} other names from this host, or give ` +
    `${other}--resolver HOST[:PORT].`
  );
}

/**
 * Builds the clause that `source` answered none of the queries sent, with the count that the
 * footer of `check` shows, and how many further queries were not sent at all.
 */
function noneAnswered(tally: LookupTally, source: string): string {
  const none =
    tally.sent === 1
      ? `the only DNS query got no answer from ${source}`
      : `none of the ${tally.sent} DNS queries got an answer from ${source}`;
  if (tally.notSent === 0) return none;
  return `${none}, so ${tally.notSent} more ${tally.notSent === 1 ? "was" : "were"} not sent`;
}
