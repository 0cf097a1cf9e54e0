import { resolve as resolvePath } from "node:path";
import { Option, type Command } from "commander";
import type { OrgDomainMethod } from "../auth/dmarc/discover.js";
import { httpsFetcher, type HttpsFetcher } from "../auth/https.js";
import { createDnsContext, type DnsContext, type DnsTraceEvent } from "../dns/context.js";
import { hostNameProblem, isIpAddress } from "../dns/names.js";
import { recordingResolver, replayResolver } from "../dns/replay.js";
import { offlineResolver, serverResolver, systemResolver } from "../dns/system.js";
import type { Resolver } from "../dns/types.js";
import { zoneFileResolver } from "../dns/zone.js";
import { UsageError, type CliIo } from "./io.js";

/** The DNS options shared by `delist check` and `delist diagnose`. */
export interface DnsOptions {
  readonly resolver?: string;
  readonly zone?: string[];
  readonly offline?: boolean;
  readonly verbose?: boolean;
  readonly dnsRecord?: string;
  readonly dnsReplay?: string;
  readonly timeoutMs: string;
  readonly orgDomain: string;
}

/** Adds the DNS options to a command. */
export function addDnsOptions(command: Command): Command {
  return command
    .option("--resolver <host[:port]>", "ask this DNS server instead of the system's")
    .option(
      "--zone <file...>",
      "answer from RFC 1035 zone files only; nothing is sent to the network",
    )
    .option("--offline", "send no DNS or HTTPS queries; checks without --zone say not checked")
    .option("--verbose", "trace every DNS query on standard error")
    .option("--dns-record <file>", "save every DNS answer to a file for --dns-replay")
    .option("--dns-replay <file>", "answer DNS from a file written by --dns-record, offline")
    .option("--timeout-ms <ms>", "time to wait for one DNS answer, in milliseconds", "2000")
    .addOption(
      new Option("--org-domain <method>", "how to find organisational domains")
        .choices(["tree-walk", "psl"])
        .default("tree-walk"),
    );
}

/** What the DNS options set up for one run. */
export interface DnsSetup {
  readonly dns: DnsContext;
  /** The HTTPS client for MTA-STS policies; null when the run sends no queries. */
  readonly fetcher: HttpsFetcher | null;
  readonly orgDomainMethod: OrgDomainMethod;
  /** True when nothing is sent to the network (`--offline`, `--zone`, `--dns-replay`). */
  readonly offline: boolean;
}

/** Checks the DNS options and builds the resolver, tracing to stderr with `--verbose`. */
export async function setUpDns(options: DnsOptions, io: CliIo): Promise<DnsSetup> {
  const timeoutMs = parseTimeout(options.timeoutMs);
  checkSources(options);
  const offline = sendsNoQueries(options);
  const dns = createDnsContext({
    resolver: await buildResolver(options, io, timeoutMs),
    timeoutMs: timeoutMs * 3,
    ...(options.verbose === true
      ? { trace: (event: DnsTraceEvent) => io.stderr.write(traceLine(event)) }
      : {}),
  });
  return {
    dns,
    fetcher: offline ? null : httpsFetcher(),
    orgDomainMethod: options.orgDomain as OrgDomainMethod,
    offline,
  };
}

/** Lower-cases domains and rejects anything that is not a domain name. */
export function validDomains(domains: readonly string[], option: string): string[] {
  const cleaned = domains.map((d) => d.toLowerCase().replace(/\.$/, ""));
  for (const domain of cleaned) {
    const problem = hostNameProblem(domain);
    if (problem !== null || !domain.includes(".") || isIpAddress(domain)) {
      throw new UsageError(
        `invalid ${option} "${domain}": ${problem ?? "give a domain name such as example.com"} (IP addresses go after --ip)`,
      );
    }
  }
  return [...new Set(cleaned)];
}

/** Rejects anything in `--ip` that is not an IPv4 or IPv6 address. */
export function validIps(ips: readonly string[]): string[] {
  for (const ip of ips) {
    if (!isIpAddress(ip))
      throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address`);
  }
  return [...new Set(ips)];
}

/** Zone files and replays stand for an offline run: the MTA-STS policy is not fetched either. */
function sendsNoQueries(options: DnsOptions): boolean {
  return options.offline === true || options.zone !== undefined || options.dnsReplay !== undefined;
}

function parseTimeout(value: string): number {
  const timeoutMs = Number(value);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) {
    throw new UsageError(`invalid --timeout-ms "${value}": give milliseconds from 1 to 60000`);
  }
  return timeoutMs;
}

function checkSources(options: DnsOptions): void {
  const sources = [
    options.zone !== undefined,
    options.dnsReplay !== undefined,
    options.resolver !== undefined,
  ].filter(Boolean);
  if (sources.length > 1) {
    throw new UsageError("use only one of --zone, --dns-replay and --resolver");
  }
  if (options.offline === true && options.resolver !== undefined) {
    throw new UsageError("--offline sends no DNS queries: drop --resolver, or use --zone");
  }
}

async function buildResolver(options: DnsOptions, io: CliIo, timeoutMs: number): Promise<Resolver> {
  let resolver: Resolver;
  try {
    if (options.dnsReplay !== undefined)
      resolver = await replayResolver(resolvePath(io.cwd, options.dnsReplay));
    else if (options.zone !== undefined)
      resolver = await zoneFileResolver(options.zone.map((z) => resolvePath(io.cwd, z)));
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

function traceLine(event: DnsTraceEvent): string {
  const outcome =
    event.outcome === "answer"
      ? `${event.records} record${event.records === 1 ? "" : "s"}, ttl ${event.ttlSeconds ?? 0}`
      : event.outcome;
  return `dns: ${event.type} ${event.name} -> ${outcome}${event.cached ? " (cached)" : ` in ${event.durationMs} ms`}: ${event.detail}\n`;
}
