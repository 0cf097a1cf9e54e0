import dns from "node:dns";
import type { DnsContext } from "../dns/context.js";
import type { DnsFailure, DnsFailureKind, DnsResult, RecordType } from "../dns/types.js";
import type { DnsOptions } from "./dns-options.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CliIo } from "./io.js";

/**
 * Failure kinds after which no DNS server responded to the query. SERVFAIL counts as a
 * response, because resolvers return it when the domain's own name servers fail, and the
 * checks report that as a problem of the domain. `invalid-name` counts as neither, because
 * no query is sent.
 */
const UNANSWERED: ReadonlySet<DnsFailureKind> = new Set([
  "timeout",
  "unreachable",
  "refused",
  "malformed",
  "not-recorded",
  "offline",
]);

/** Counts of the DNS lookups of one run, cache hits included. */
export interface LookupTally {
  /** Lookups that got records, NXDOMAIN, NODATA or SERVFAIL. */
  readonly answered: number;
  /** Lookups that got no response (timeout, refused, unreachable, offline, not recorded). */
  readonly unanswered: number;
  /** The first unanswered lookup, whose detail names the cause. */
  readonly firstFailure: DnsFailure | null;
}

/** A DNS context that tallies the outcome of every lookup made through it. */
export interface TalliedContext {
  readonly dns: DnsContext;
  tally(): LookupTally;
}

/** Wraps `context` so that the outcome of each lookup is counted. */
export function tallyLookups(context: DnsContext): TalliedContext {
  let answered = 0;
  let unanswered = 0;
  let firstFailure: DnsFailure | null = null;

  async function lookup<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
    const result = await context.lookup(name, type);
    if (result.ok) {
      answered++;
    } else if (UNANSWERED.has(result.kind)) {
      unanswered++;
      firstFailure ??= result;
    } else if (result.kind !== "invalid-name") {
      answered++;
    }
    return result;
  }

  const wrapped: DnsContext = {
    description: context.description,
    lookup,
    stats: () => context.stats(),
    unreachable: () => context.unreachable(),
    offline: () => context.offline(),
    now: context.now,
    close: () => context.close(),
  };
  return { dns: wrapped, tally: () => ({ answered, unanswered, firstFailure }) };
}

/**
 * Decides the exit status of `check` and `blocklists`. It is 2 when no DNS lookup got a
 * response, so nothing could be checked, and then stderr names the cause and the fix. It is
 * 1 when a problem was found or some lookups got no response, and 0 otherwise.
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
  return problemsFound || tally.unanswered > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

function nothingCheckedMessage(tally: LookupTally, first: DnsFailure, options: DnsOptions): string {
  if (first.kind === "offline") {
    return (
      "nothing could be checked, because --offline sends no DNS queries and no --zone was " +
      "given. Give --zone FILE with the records to check, or drop --offline."
    );
  }
  const queries = `none of the ${tally.unanswered} DNS queries got an answer`;
  const cause = `First failure: ${first.type} ${first.name}: ${first.detail}.`;
  if (options.dnsReplay !== undefined) {
    return (
      `nothing could be checked, because ${queries} from the replay file ${options.dnsReplay}. ` +
      `${cause} Record the run again with --dns-record FILE while its DNS server answers.`
    );
  }
  if (options.resolver !== undefined) {
    return (
      `nothing could be checked, because ${queries} from the DNS server at ${options.resolver}. ` +
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
    `nothing could be checked, because ${queries} from the system's resolver. ${cause} ` +
    `Check that ${subject} queries from this host, or give --resolver HOST[:PORT].`
  );
}
