import { readFile } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { Option, type Command } from "commander";
import {
  checkSenders,
  httpsFetcher,
  renderCheckText,
  type SenderCheckReport,
} from "../auth/index.js";
import { selectorsInMessage } from "../auth/dkim/selectors.js";
import { checkMessage, type MessageCheck } from "../auth/message.js";
import type { SelectorSource } from "../auth/dkim/check.js";
import type { OrgDomainMethod } from "../auth/dmarc/discover.js";
import { createDnsContext, type DnsContext, type DnsTraceEvent } from "../dns/context.js";
import { isIpAddress, nameProblem } from "../dns/names.js";
import { recordingResolver, replayResolver } from "../dns/replay.js";
import { serverResolver, systemResolver, unavailableResolver } from "../dns/system.js";
import type { Resolver } from "../dns/types.js";
import { zoneFileResolver } from "../dns/zone.js";
import { painter } from "../report/colour.js";
import type { SetExitCode } from "./commands.js";
import {
  colourEnabled,
  EXIT_OK,
  EXIT_PROBLEMS,
  parseFormat,
  UsageError,
  type CliIo,
} from "./io.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist check`; docs/check.schema.json describes it. */
export const CHECK_SCHEMA_VERSION = 1;

interface CheckOptions {
  readonly ip?: string[];
  readonly helo?: string;
  readonly selector?: string[];
  readonly message?: string;
  readonly format: string;
  readonly resolver?: string;
  readonly zone?: string[];
  readonly offline?: boolean;
  readonly verbose?: boolean;
  readonly dnsRecord?: string;
  readonly dnsReplay?: string;
  readonly timeoutMs: string;
  readonly orgDomain: string;
}

/** Adds `delist check DOMAIN…`: SPF, DKIM, DMARC, PTR, MX, MTA-STS, TLS-RPT and BIMI. */
export function registerCheck(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  program
    .command("check")
    .summary("check SPF, DKIM, DMARC, reverse DNS, MX, MTA-STS, TLS-RPT and BIMI")
    .description(
      "Check the DNS records receivers judge a sender by, explain every problem and write the " +
        "corrected SPF record. Put the domains before --ip and --selector. Exit status: 0 when " +
        "nothing fails, 1 when a check fails or DNS could not be asked, 2 for bad options.",
    )
    .argument("<domains...>", "sending domains (MAIL FROM and From domains)")
    .option("--ip <ip...>", "sending IP addresses, IPv4 or IPv6")
    .option("--helo <name>", "the HELO/EHLO name the server sends")
    .option("--selector <selector...>", "DKIM selectors to check (default: common selectors)")
    .option(
      "--message <file>",
      "a sample message: its DKIM selectors are checked, its signatures verified and DMARC evaluated",
    )
    .option("--format <format>", "output format: text or json", "text")
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
    )
    .action(async (domains: string[], options: CheckOptions) => {
      setExitCode(await runCheck(domains, options, io));
    });
}

async function runCheck(domains: string[], options: CheckOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const input = validate(domains, options);
  const dns = createDnsContext({
    resolver: await buildResolver(options, io, input.timeoutMs),
    timeoutMs: input.timeoutMs * 3,
    ...(options.verbose === true
      ? { trace: (event: DnsTraceEvent) => io.stderr.write(traceLine(event)) }
      : {}),
  });
  const message =
    options.message === undefined ? null : await readFile(resolvePath(io.cwd, options.message));
  const selectors = selectorSources(input.domains, options.selector ?? [], message);
  const report = await checkSenders(
    { domains: input.domains, ips: input.ips, helo: options.helo ?? null, selectors },
    {
      dns,
      fetcher: sendsNoQueries(options) ? null : httpsFetcher(),
      orgDomainMethod: options.orgDomain as OrgDomainMethod,
    },
  );
  const messageCheck =
    message === null
      ? null
      : await checkMessage(
          message,
          input.domains[0] ?? "",
          input.ips,
          options.helo ?? null,
          dns,
          options.orgDomain as OrgDomainMethod,
        );
  const stats = dns.stats();
  await dns.close();

  if (format === "json") {
    io.stdout.write(
      `${JSON.stringify(toJson(report, input, dns, messageCheck, options), null, 2)}\n`,
    );
  } else {
    const paint = painter(colourEnabled(io));
    const style = {
      good: paint.green,
      bad: paint.red,
      warn: paint.yellow,
      dim: paint.dim,
      bold: paint.bold,
    };
    io.stdout.write(
      renderCheckText(
        report,
        { resolver: dns.description, queries: stats.queries, cacheHits: stats.cacheHits },
        style,
      ),
    );
    if (messageCheck !== null) io.stdout.write(messageText(messageCheck));
  }
  const failed =
    report.verdict === "fail" ||
    report.verdict === "not-checked" ||
    (messageCheck !== null && messageCheck.dmarc?.result !== "pass");
  return failed ? EXIT_PROBLEMS : EXIT_OK;
}

/** Zone files and replays stand for an offline run: the MTA-STS policy is not fetched either. */
function sendsNoQueries(options: CheckOptions): boolean {
  return options.offline === true || options.zone !== undefined || options.dnsReplay !== undefined;
}

function validate(
  domains: string[],
  options: CheckOptions,
): { domains: string[]; ips: string[]; timeoutMs: number } {
  const cleaned = domains.map((d) => d.toLowerCase().replace(/\.$/, ""));
  for (const domain of cleaned) {
    const problem = nameProblem(domain);
    if (problem !== null || !domain.includes(".") || isIpAddress(domain)) {
      throw new UsageError(
        `invalid domain "${domain}": ${problem ?? "give a domain name such as example.com"} (IP addresses go after --ip)`,
      );
    }
  }
  for (const ip of options.ip ?? []) {
    if (!isIpAddress(ip))
      throw new UsageError(`invalid --ip "${ip}": give an IPv4 or IPv6 address`);
  }
  const timeoutMs = Number(options.timeoutMs);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60000) {
    throw new UsageError(
      `invalid --timeout-ms "${options.timeoutMs}": give milliseconds from 1 to 60000`,
    );
  }
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
  return { domains: [...new Set(cleaned)], ips: [...new Set(options.ip ?? [])], timeoutMs };
}

async function buildResolver(
  options: CheckOptions,
  io: CliIo,
  timeoutMs: number,
): Promise<Resolver> {
  let resolver: Resolver;
  try {
    if (options.dnsReplay !== undefined)
      resolver = await replayResolver(resolvePath(io.cwd, options.dnsReplay));
    else if (options.zone !== undefined)
      resolver = await zoneFileResolver(options.zone.map((z) => resolvePath(io.cwd, z)));
    else if (options.offline === true)
      resolver = unavailableResolver("--offline: no DNS queries sent");
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

function selectorSources(
  domains: readonly string[],
  given: readonly string[],
  message: Buffer | null,
): Record<string, SelectorSource[]> {
  const found = message === null ? [] : selectorsInMessage(message.toString("latin1"));
  return Object.fromEntries(
    domains.map((domain) => {
      const sources: SelectorSource[] = given.map((selector) => ({ selector, source: "given" }));
      for (const signature of found.filter((s) => s.domain === domain)) {
        if (!sources.some((s) => s.selector === signature.selector))
          sources.push({ selector: signature.selector, source: "found" });
      }
      return [domain, sources];
    }),
  );
}

function toJson(
  report: SenderCheckReport,
  input: { domains: string[]; ips: string[] },
  dns: DnsContext,
  messageCheck: MessageCheck | null,
  options: CheckOptions,
): object {
  const [first] = report.domains;
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: new Date().toISOString(),
    input: {
      domains: input.domains,
      ips: input.ips,
      helo: options.helo ?? null,
      resolver: dns.description,
      offline: sendsNoQueries(options),
    },
    ...(first === undefined ? {} : first),
    verdict: report.verdict,
    domains: report.domains,
    ptr: report.ptr,
    reverseDns: report.reverseDns,
    message: messageCheck,
    findings: report.findings,
    readiness: report.readiness,
    dns: { ...dns.stats(), unreachable: dns.unreachable() },
  };
}

/** Renders the sample message's verdict in a few lines. */
function messageText(check: MessageCheck): string {
  const lines = ["", "Sample message"];
  lines.push(
    `  From: ${check.fromDomain ?? check.fromError ?? "?"}; envelope: ${check.envelopeDomain}`,
  );
  if (check.signatures.length === 0) lines.push("  DKIM: no signature");
  for (const s of check.signatures) {
    const comment = s.comment === null ? "" : ` (${s.comment})`;
    lines.push(`  DKIM d=${s.domain} s=${s.selector ?? "?"}: ${s.result}${comment}`);
  }
  if (check.spf !== null) lines.push(`  SPF from ${check.spf.ip}: ${check.spf.result}`);
  if (check.dmarc !== null) lines.push(`  DMARC: ${check.dmarc.result} (${check.dmarc.reason})`);
  return `${lines.map((line) => (line.length > 80 ? `${line.slice(0, 77)}...` : line)).join("\n")}\n`;
}

function traceLine(event: DnsTraceEvent): string {
  const outcome =
    event.outcome === "answer"
      ? `${event.records} record${event.records === 1 ? "" : "s"}, ttl ${event.ttlSeconds ?? 0}`
      : event.outcome;
  return `dns: ${event.type} ${event.name} -> ${outcome}${event.cached ? " (cached)" : ` in ${event.durationMs} ms`}: ${event.detail}\n`;
}
