import { resolve as resolvePath } from "node:path";
import type { OrgDomainMethod } from "../auth/dmarc/discover.js";
import { httpsFetcher, type HttpsFetcher } from "../auth/https.js";
import { createDnsContext, type DnsContext, type DnsTraceEvent } from "../dns/context.js";
import { contextLookup } from "../dns/host-lookup.js";
import { recordingResolver, replayResolver } from "../dns/replay.js";
import { offlineResolver, serverResolver, systemResolver } from "../dns/system.js";
import type { Resolver } from "../dns/types.js";
import type { DnsOptionRules, DnsOptions } from "./dns-options.js";
import { UsageError, type CliIo } from "./io.js";
import { zoneInputResolver } from "./zone-input.js";

/** The resolver, HTTPS client and settings that the DNS options set up for one run. */
export interface DnsSetup {
  readonly dns: DnsContext;
  /** The HTTPS client for MTA-STS policies; null when the run sends no queries. */
  readonly fetcher: HttpsFetcher | null;
  readonly orgDomainMethod: OrgDomainMethod;
  /** True when nothing is sent to the network (`--offline`, `--zone`, `--dns-replay`). */
  readonly offline: boolean;
}

/**
 * Builds the resolver of options that `setUpDns` in dns-options.ts has checked, tracing to
 * stderr with `--verbose`. `timeoutMs` is the parsed `--timeout-ms`.
 */
export async function buildDnsSetup(
  options: DnsOptions,
  io: CliIo,
  timeoutMs: number,
  rules: DnsOptionRules = {},
): Promise<DnsSetup> {
  const offline = sendsNoQueries(options);
  const dns = createDnsContext({
    resolver: await buildResolver(options, io, timeoutMs, rules),
    timeoutMs: timeoutMs * 3,
    ...(options.verbose === true
      ? { trace: (event: DnsTraceEvent) => io.stderr.write(traceLine(event)) }
      : {}),
  });
  return {
    dns,
    // The policy host is resolved through the same context, so `--resolver` covers it too.
    fetcher: offline ? null : httpsFetcher({ lookup: contextLookup(dns) }),
    orgDomainMethod: options.orgDomain as OrgDomainMethod,
    offline,
  };
}

/** Zone files and replays stand for an offline run: the MTA-STS policy is not fetched either. */
function sendsNoQueries(options: DnsOptions): boolean {
  return options.offline === true || options.zone !== undefined || options.dnsReplay !== undefined;
}

async function buildResolver(
  options: DnsOptions,
  io: CliIo,
  timeoutMs: number,
  rules: DnsOptionRules,
): Promise<Resolver> {
  let resolver: Resolver;
  try {
    if (options.dnsReplay !== undefined)
      resolver = await replayResolver(resolvePath(io.cwd, options.dnsReplay));
    else if (options.zone !== undefined) resolver = await readZoneFiles(options.zone, io, rules);
    else if (options.offline === true) resolver = offlineResolver();
    else if (options.resolver !== undefined)
      resolver = serverResolver(options.resolver, { timeoutMs });
    else resolver = systemResolver({ timeoutMs });
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError)
      throw new UsageError(error.message);
    throw error;
  }
  return options.dnsRecord === undefined
    ? resolver
    : recordingResolver(resolver, resolvePath(io.cwd, options.dnsRecord));
}

/** Builds the resolver of `--zone`, printing a note on stderr for each record it skipped. */
async function readZoneFiles(
  names: readonly string[],
  io: CliIo,
  rules: DnsOptionRules,
): Promise<Resolver> {
  const notes: string[] = [];
  const stdin = rules.zoneFromStdin === true ? io.stdin : null;
  const resolver = await zoneInputResolver(names, { cwd: io.cwd, stdin }, notes);
  for (const note of notes) io.stderr.write(`delist: note: ${note}\n`);
  return resolver;
}

function traceLine(event: DnsTraceEvent): string {
  const outcome =
    event.outcome === "answer"
      ? `${event.records} record${event.records === 1 ? "" : "s"}, ttl ${event.ttlSeconds ?? 0}`
      : event.outcome;
  return `dns: ${event.type} ${event.name} -> ${outcome}${event.cached ? " (cached)" : ` in ${event.durationMs} ms`}: ${event.detail}\n`;
}
