import { Option, type Command } from "commander";
import type { DnsSetup } from "./dns-setup.js";
import { UsageError, type CliIo } from "./io.js";

export type { DnsSetup } from "./dns-setup.js";

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

/** Rules that a command adds to the DNS options that every command shares. */
export interface DnsOptionRules {
  /**
   * `--zone -` reads one zone file from standard input. Without this rule `-` is a file name,
   * as for commands that may read something else from standard input.
   */
  readonly zoneFromStdin?: boolean;
}

/** The rules of a command whose standard input is free for `--zone -`. */
export const ZONE_FROM_STDIN: DnsOptionRules = { zoneFromStdin: true };

/** Adds the DNS options to a command. */
export function addDnsOptions(command: Command, rules: DnsOptionRules = {}): Command {
  const stdin = rules.zoneFromStdin === true ? " (- reads one from standard input)" : "";
  return command
    .option("--resolver <host[:port]>", "ask this DNS server instead of the system's")
    .option(
      "--zone <file...>",
      `answer from RFC 1035 zone files${stdin}, sending nothing; names outside their zones are not checked`,
    )
    .option("--offline", "send no DNS or HTTPS queries; checks without --zone say not checked")
    .option("--verbose", "trace every DNS query on standard error")
    .option("--dns-record <file>", "save every DNS answer to a file for --dns-replay")
    .option("--dns-replay <file>", "answer DNS from a file written by --dns-record, offline")
    .option(
      "--timeout-ms <ms>",
      "time to wait for one DNS answer, in milliseconds (a query is tried twice)",
      "2000",
    )
    .addOption(
      new Option("--org-domain <method>", "how to find organisational domains")
        .choices(["tree-walk", "psl"])
        .default("tree-walk"),
    );
}

/**
 * Checks the DNS options and builds the resolver, tracing to stderr with `--verbose`. The
 * resolver modules load on the first call, so that registering a command with DNS options
 * loads none of them. `rules` must be the ones the command's options were added with. Throws
 * a UsageError for invalid options or an invalid zone or replay file.
 */
export async function setUpDns(
  options: DnsOptions,
  io: CliIo,
  rules: DnsOptionRules = {},
): Promise<DnsSetup> {
  const timeoutMs = checkDnsOptions(options, rules);
  const { buildDnsSetup } = await import("./dns-setup.js");
  return buildDnsSetup(options, io, timeoutMs, rules);
}

/**
 * Sets up DNS as `setUpDns` does, except for an `--offline` run without `--zone`,
 * `--dns-replay` or `--dns-record`. Such a run sends no query and reads or writes no DNS
 * file, so its options are only checked, no resolver module loads, and the result is null.
 * The default `rules` are those of `diagnose`, whose command handler rejects `--zone -` when
 * the logs or bounces read standard input.
 */
export async function setUpDnsUnlessOffline(
  options: DnsOptions,
  io: CliIo,
  rules: DnsOptionRules = ZONE_FROM_STDIN,
): Promise<DnsSetup | null> {
  const usesDnsFiles =
    options.zone !== undefined ||
    options.dnsReplay !== undefined ||
    options.dnsRecord !== undefined;
  if (options.offline === true && !usesDnsFiles) {
    checkDnsOptions(options, rules);
    return null;
  }
  return setUpDns(options, io, rules);
}

/** Throws a UsageError for DNS options that cannot go together; returns `--timeout-ms`. */
function checkDnsOptions(options: DnsOptions, rules: DnsOptionRules = {}): number {
  const timeoutMs = parseTimeout(options.timeoutMs);
  checkSources(options);
  if (rules.zoneFromStdin === true) checkZoneStdin(options.zone ?? []);
  return timeoutMs;
}

// Standard input can be read only once, so a second `-` would be an empty zone file.
function checkZoneStdin(zone: readonly string[]): void {
  const count = zone.filter((name) => name === "-").length;
  if (count > 1) {
    throw new UsageError(
      `--zone names - (standard input) ${count} times, but standard input can be read only ` +
        "once: give - once and put the other zones into files",
    );
  }
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
