import { nameProblem } from "./names.js";
import {
  dnsFailure,
  normaliseName,
  type DnsFailureKind,
  type DnsResult,
  type RecordType,
  type Resolver,
} from "./types.js";

/** One query as `--verbose` shows it. */
export interface DnsTraceEvent {
  readonly name: string;
  readonly type: RecordType;
  /** `answer`, or the failure kind. */
  readonly outcome: "answer" | DnsFailureKind;
  readonly records: number;
  readonly ttlSeconds: number | null;
  readonly durationMs: number;
  readonly cached: boolean;
  readonly detail: string;
}

/** Counts over one run. */
export interface DnsStats {
  /** Queries sent to the resolver (cache hits excluded). */
  readonly queries: number;
  readonly cacheHits: number;
  readonly failures: Readonly<Partial<Record<DnsFailureKind, number>>>;
  /**
   * Distinct queries (type and name) not sent, because the server answered none of the
   * queries before them (see `SILENT_AFTER`). Missing means none; fakes in tests leave it out.
   */
  readonly skipped?: number;
}

/**
 * Everything a check needs to ask DNS: one resolver, a TTL cache for this run, a clock, counts
 * and an optional trace. Checks receive it and never reach a resolver any other way.
 */
export interface DnsContext {
  readonly description: string;
  /** Asks for the records of one name and type; never rejects. */
  lookup<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>>;
  stats(): DnsStats;
  /**
   * True while no query has been answered and at least one timed out, hit a network error or
   * was not sent because the run is offline.
   */
  unreachable(): boolean;
  /** True when queries were not sent because the run is offline (`--offline`). */
  offline(): boolean;
  /** The clock, in milliseconds since the epoch. */
  readonly now: () => number;
  close(): Promise<void>;
}

export interface DnsContextOptions {
  readonly resolver: Resolver;
  /** Default `Date.now`. */
  readonly now?: () => number;
  /** Receives one event per lookup, cache hits included. */
  readonly trace?: (event: DnsTraceEvent) => void;
  /** Limit for one lookup, retries included, in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** How long NXDOMAIN and NODATA stay cached, in seconds. Default 60. */
  readonly negativeTtlSeconds?: number;
}

/**
 * Distinct queries that must time out, with none answered yet, before the context stops sending
 * and fails later queries at once. A timeout can concern one name only, because some resolvers
 * and firewalls drop all reverse lookups and still answer forward names. So every name under
 * in-addr.arpa and ip6.arpa counts as one query. A silent server thus costs one round of
 * waiting for the queries in flight, or two when the first round held only one forward name or
 * only reverse names. A network error (such as ICMP port unreachable) concerns the server, so
 * one is enough.
 */
const SILENT_AFTER = 2;

interface CacheEntry {
  readonly result: DnsResult<RecordType>;
  readonly expiresAt: number;
}

/** Builds a context around a resolver. */
export function createDnsContext(options: DnsContextOptions): DnsContext {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5000;
  const negativeTtlSeconds = options.negativeTtlSeconds ?? 60;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<DnsResult<RecordType>>>();
  const failures: Partial<Record<DnsFailureKind, number>> = {};
  let queries = 0;
  let cacheHits = 0;
  let answered = false;
  let offline = false;
  // Queries that timed out, keyed by `silenceKey`, and whether one hit a network error.
  const timedOut = new Set<string>();
  let networkError = false;
  const skipped = new Set<string>();
  // Queries sent whose result is not yet recorded, and those among them that were already in
  // flight when a query timed out.
  const sending = new Set<Promise<DnsResult<RecordType>>>();
  const sentBeforeTimeout = new Set<Promise<DnsResult<RecordType>>>();

  async function send<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>> {
    // Queries sent together with one that timed out are likely to time out too. A caller that
    // reacts to the first timeout thus waits for the rest of that round, so that all of its
    // timeouts count before the context decides whether to send.
    if (!answered && sentBeforeTimeout.size > 0) await Promise.all([...sentBeforeTimeout]);
    if (!answered && (networkError || timedOut.size >= SILENT_AFTER)) {
      skipped.add(`${type} ${name}`);
      // The skipped query carries the cause of the earlier failures, so that the checks give
      // one reason for one silent server.
      return dnsFailure(
        name,
        type,
        networkError ? "unreachable" : "timeout",
        "not sent, because the DNS server answered none of the earlier queries",
      );
    }
    const pending = withTimeout(options.resolver.resolve(name, type), name, type, timeoutMs).then(
      (result) => record(name, type, result),
    );
    sending.add(pending);
    try {
      return await pending;
    } finally {
      sending.delete(pending);
      sentBeforeTimeout.delete(pending);
    }
  }

  function record<T extends RecordType>(name: string, type: T, result: DnsResult<T>): DnsResult<T> {
    // An offline resolver sends nothing, so its results are not counted as queries.
    if (result.ok || result.kind !== "offline") queries++;
    if (result.ok) answered = true;
    else if (result.kind === "offline") offline = true;
    else if (result.kind === "timeout") {
      timedOut.add(silenceKey(name, type));
      for (const other of sending) sentBeforeTimeout.add(other);
    } else if (result.kind === "unreachable") networkError = true;
    else answered = true;
    return result;
  }

  function remember(key: string, result: DnsResult<RecordType>): void {
    const ttl = result.ok
      ? result.ttlSeconds
      : result.kind === "nxdomain" || result.kind === "nodata"
        ? negativeTtlSeconds
        : 0;
    if (ttl > 0) cache.set(key, { result, expiresAt: now() + ttl * 1000 });
  }

  async function lookup<T extends RecordType>(rawName: string, type: T): Promise<DnsResult<T>> {
    const name = normaliseName(rawName);
    const started = now();
    const key = `${type} ${name}`;
    const problem = nameProblem(name);
    const cached = cache.get(key);
    let result: DnsResult<T>;
    let hit = false;
    if (problem !== null) {
      result = dnsFailure(name, type, "invalid-name", problem);
    } else if (cached !== undefined && cached.expiresAt > now()) {
      result = cached.result as DnsResult<T>;
      hit = true;
      cacheHits++;
    } else {
      const pending = inFlight.get(key) ?? send(name, type);
      inFlight.set(key, pending);
      result = (await pending) as DnsResult<T>;
      inFlight.delete(key);
      remember(key, result);
    }
    if (!result.ok && !hit) failures[result.kind] = (failures[result.kind] ?? 0) + 1;
    options.trace?.(traceEvent(name, type, result, now() - started, hit));
    return result;
  }

  return {
    description: options.resolver.description,
    lookup,
    stats: () => ({ queries, cacheHits, failures: { ...failures }, skipped: skipped.size }),
    unreachable: () => (timedOut.size > 0 || networkError || offline) && !answered,
    offline: () => offline,
    now,
    close: async () => {
      await options.resolver.close?.();
    },
  };
}

/** Returns the key of a timed-out query for `SILENT_AFTER`, shared by all reverse names. */
function silenceKey(name: string, type: RecordType): string {
  return /(^|\.)(in-addr|ip6)\.arpa$/.test(name) ? "reverse tree" : `${type} ${name}`;
}

function withTimeout<T extends RecordType>(
  pending: Promise<DnsResult<T>>,
  name: string,
  type: T,
  timeoutMs: number,
): Promise<DnsResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DnsResult<T>>((resolve) => {
    timer = setTimeout(
      () => resolve(dnsFailure(name, type, "timeout", `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}

function traceEvent(
  name: string,
  type: RecordType,
  result: DnsResult<RecordType>,
  durationMs: number,
  cached: boolean,
): DnsTraceEvent {
  return {
    name,
    type,
    outcome: result.ok ? "answer" : result.kind,
    records: result.ok ? result.records.length : 0,
    ttlSeconds: result.ok ? result.ttlSeconds : null,
    durationMs,
    cached,
    detail: result.ok ? describeRecords(result.records) : result.detail,
  };
}

function describeRecords(records: readonly unknown[]): string {
  return records
    .map((record) => {
      if (Array.isArray(record)) return JSON.stringify(record.join(""));
      if (typeof record === "object" && record !== null && "exchange" in record) {
        const mx = record as { priority: number; exchange: string };
        return `${mx.priority} ${mx.exchange}`;
      }
      return String(record);
    })
    .join(", ");
}
