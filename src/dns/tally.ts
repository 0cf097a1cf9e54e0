/**
 * Counts the DNS lookups of one run by whether any DNS server responded, so that a caller can
 * tell a clean result from one that DNS never answered.
 */
import type { DnsContext } from "./context.js";
import type { DnsFailure, DnsFailureKind, DnsResult, RecordType } from "./types.js";

/**
 * Failure kinds after which no DNS server gave a usable response to the query. SERVFAIL
 * counts as a response, because resolvers return it when the domain's own name servers fail,
 * and the checks report that as a problem of the domain. A truncated answer whose TCP retry
 * failed has no records to read, so it counts as unanswered. `invalid-name` counts as
 * neither, because no query is sent.
 */
const UNANSWERED: ReadonlySet<DnsFailureKind> = new Set([
  "timeout",
  "unreachable",
  "truncated",
  "refused",
  "malformed",
  "not-recorded",
  "offline",
]);

/** Counts of the DNS lookups of one run, cache hits included. */
export interface LookupTally {
  /** Lookups that got records, NXDOMAIN, NODATA or SERVFAIL. */
  readonly answered: number;
  /**
   * Lookups that got no usable response (timeout, refused, unreachable, truncated, offline,
   * not recorded).
   */
  readonly unanswered: number;
  /** The first unanswered lookup, whose detail names the cause. */
  readonly firstFailure: DnsFailure | null;
  /** Each distinct query (type and name) that got no response, in the order first seen. */
  readonly unansweredQueries: readonly DnsFailure[];
  /** Queries sent, cache hits excluded: the count that the footer of `check` shows. */
  readonly sent: number;
  /** Distinct queries the DNS context did not send, because earlier ones got no response. */
  readonly notSent: number;
  /** Lookups of names outside every zone of the zone files (`not-in-zone`), in `answered` too. */
  readonly outsideZones: number;
  /** The first lookup of a name outside every zone, whose detail names the zones, or null. */
  readonly firstOutsideZone: DnsFailure | null;
  /** Lookups that got SERVFAIL or a CNAME loop (`servfail`), in `answered` too. */
  readonly serverFailures: number;
  /** The first lookup that got SERVFAIL or a CNAME loop, or null. */
  readonly firstServerFailure: DnsFailure | null;
  /** Each distinct query (type and name) that got SERVFAIL or a CNAME loop, in order first seen. */
  readonly serverFailureQueries: readonly DnsFailure[];
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
  let outsideZones = 0;
  let firstOutsideZone: DnsFailure | null = null;
  let serverFailures = 0;
  let firstServerFailure: DnsFailure | null = null;
  const unansweredQueries = new Map<string, DnsFailure>();
  const serverFailureQueries = new Map<string, DnsFailure>();

  async function lookup<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
    const result = await context.lookup(name, type);
    if (result.ok) {
      answered++;
    } else if (UNANSWERED.has(result.kind)) {
      unanswered++;
      firstFailure ??= result;
      addDistinct(unansweredQueries, result);
    } else if (result.kind !== "invalid-name") {
      answered++;
      if (result.kind === "not-in-zone") {
        outsideZones++;
        firstOutsideZone ??= result;
      } else if (result.kind === "servfail") {
        serverFailures++;
        firstServerFailure ??= result;
        addDistinct(serverFailureQueries, result);
      }
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
  return {
    dns: wrapped,
    tally: () => {
      const stats = context.stats();
      return {
        answered,
        unanswered,
        firstFailure,
        unansweredQueries: [...unansweredQueries.values()],
        sent: stats.queries,
        notSent: stats.skipped ?? 0,
        outsideZones,
        firstOutsideZone,
        serverFailures,
        firstServerFailure,
        serverFailureQueries: [...serverFailureQueries.values()],
      };
    },
  };
}

/** Adds `failure` to `queries` under its type and name, unless that query is there already. */
function addDistinct(queries: Map<string, DnsFailure>, failure: DnsFailure): void {
  const key = `${failure.type} ${failure.name}`;
  if (!queries.has(key)) queries.set(key, failure);
}
