import type { Command } from "commander";
import { buildDiagnosis } from "../diagnose/diagnose.js";
import dns from "node:dns";
import { existsSync } from "node:fs";
import { HistoryStore } from "../store/index.js";
import { checkSenders, type SenderCheckReport } from "../auth/index.js";
import { checkBlocklists, type BlocklistReport } from "../reputation/index.js";
import { senderCheckInput, type GivenSenders } from "../diagnose/dns.js";
import { analyseLogs, inputReport, unusableInput, type LogRun } from "../diagnose/run.js";
import type { Diagnosis, RecordedRemovalRequest } from "../diagnose/types.js";
import { painter } from "../report/colour.js";
import { renderDiagnosisMarkdown } from "../report/markdown.js";
import { decodeReportText } from "../report/log-text.js";
import { renderDiagnosisText } from "../report/text.js";
import type { SetExitCode } from "./commands.js";
import {
  addDnsOptions,
  setUpDns,
  validDomains,
  validIps,
  type DnsOptions,
  type DnsSetup,
} from "./dns-options.js";
import { databasePath } from "./history.js";
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, colourEnabled, type CliIo } from "./io.js";
import {
  addLogOptions,
  clearProgress,
  logRunSettings,
  type LogCommandOptions,
} from "./log-options.js";
import { VERSION } from "./version.js";

/** Registers `delist diagnose LOG…`. */
export function registerDiagnose(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = addLogOptions(
    program
      .command("diagnose")
      .description(
        "read mail logs and tell whether Gmail, Outlook or Yahoo block this server, since when, why, and what to fix first",
      )
      .argument("[logs...]", "log files, directories or globs; gzip is read as is; - for stdin")
      .option(
        "--bounces <paths...>",
        "bounce messages to read as well: .eml files, mbox, maildir or directories",
      )
      .option(
        "--domain <domain...>",
        "sending domains to check in DNS (default: the domains of the server's own senders in the logs)",
      )
      .option(
        "--ip <ip...>",
        "sending IPs to check in DNS (default: the IPs receivers named in their replies)",
      )
      .option("--helo <name>", "the HELO/EHLO name the server sends, compared with its PTR")
      .option(
        "--spamhaus-dqs-key <key>",
        "ask Spamhaus through its Data Query Service with this key (or set DELIST_SPAMHAUS_DQS_KEY)",
      )
      .option(
        "--db <file>",
        "the history database to read past removal requests from (default: $XDG_STATE_HOME/delist/history.sqlite, else ~/.local/state/delist/history.sqlite; skipped when missing)",
      ),
  );
  command.addHelpText(
    "after",
    "\nExit status: 0 when no receiver blocks the server and no finding is a warning or worse, " +
      "1 when one is, 2 for a usage error or when an input could not be read (the report of " +
      "the other inputs is still printed).",
  );
  addDnsOptions(command).action(async (logs: string[], options: DiagnoseOptions) => {
    setExitCode(await runDiagnose(logs, options, io));
  });
}

/** Options of `delist diagnose`. */
interface DiagnoseOptions extends LogCommandOptions, DnsOptions {
  readonly bounces?: string[];
  readonly domain?: string[];
  readonly ip?: string[];
  readonly helo?: string;
  readonly spamhausDqsKey?: string;
  readonly db?: string;
}

async function runDiagnose(logs: string[], options: DiagnoseOptions, io: CliIo): Promise<number> {
  const bounces = options.bounces ?? [];
  const settings = logRunSettings(logs, options, io, undefined, {
    present: bounces.length > 0,
    variadic: { "--bounces": options.bounces, "--domain": options.domain, "--ip": options.ip },
  });
  const given = {
    domains: validDomains(options.domain ?? [], "--domain"),
    ips: validIps(options.ip ?? []),
    helo: options.helo ?? null,
  };
  const dnsSetup = await setUpDns(options, io);
  const run = await analyseLogs(logs, { ...settings.readOptions, bounces });
  clearProgress(io, settings);
  const unusable = unusableInput(run);
  if (unusable !== null) {
    io.stderr.write(`delist: ${unusable}\n`);
    await dnsSetup.dns.close();
    return EXIT_USAGE;
  }
  const { checks, blocklists } = await runChecks(run, given, dnsSetup, options, io);
  const built = buildDiagnosis(run.facts, {
    input: inputReport(run, settings.timeZone),
    timeZone: settings.timeZone,
    version: VERSION,
    now: Date.now(),
    checks,
    blocklists,
    removalRequests: readRemovalRequests(options, io),
  });
  const diagnosis = decodeReportText(built);

  if (settings.format === "json") io.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
  else if (settings.format === "markdown") io.stdout.write(renderDiagnosisMarkdown(diagnosis));
  else io.stdout.write(renderDiagnosisText(diagnosis, painter(colourEnabled(io))));

  for (const file of diagnosis.input.files) {
    if (file.error !== null) io.stderr.write(`delist: ${file.error}\n`);
  }
  for (const file of diagnosis.input.bounces?.files ?? []) {
    for (const error of file.errors) io.stderr.write(`delist: ${error}\n`);
  }
  return exitCode(diagnosis);
}

/** What the DNS and blocklist checks of a diagnose run found. */
interface NetworkChecks {
  readonly checks: { report: SenderCheckReport; resolver: string } | null;
  readonly blocklists: BlocklistReport | null;
}

/**
 * Checks the sending domains and IPs in DNS and on the blocklists, unless the run is
 * `--offline` (zone files and replays still answer). Nothing is checked when the logs name
 * no domain or IP and none was given.
 */
async function runChecks(
  run: LogRun,
  given: GivenSenders,
  setup: DnsSetup,
  options: DiagnoseOptions,
  io: CliIo,
): Promise<NetworkChecks> {
  try {
    if (options.offline === true) return { checks: null, blocklists: null };
    const input = senderCheckInput(run.facts, given);
    if (input.domains.length === 0 && input.ips.length === 0) {
      return { checks: null, blocklists: null };
    }
    const report = await checkSenders(input, {
      dns: setup.dns,
      fetcher: setup.fetcher,
      orgDomainMethod: setup.orgDomainMethod,
    });
    const blocklists = await checkBlocklists(
      { ips: input.ips, domains: input.domains },
      setup.dns,
      {
        dqsKey: options.spamhausDqsKey ?? io.env["DELIST_SPAMHAUS_DQS_KEY"] ?? null,
        resolverAddresses: resolverAddresses(setup, options),
        resolverGiven: options.resolver !== undefined,
      },
    );
    return { checks: { report, resolver: setup.dns.description }, blocklists };
  } finally {
    await setup.dns.close();
  }
}

/**
 * Reads the removal requests recorded with `delist removal request`, so that the readiness
 * section can tell when the next request is allowed. A missing database means none were
 * recorded. A database that cannot be read costs only that part of the report, so the
 * failure is a warning.
 */
function readRemovalRequests(options: DiagnoseOptions, io: CliIo): RecordedRemovalRequest[] {
  const path = databasePath(options, io);
  if (!existsSync(path)) {
    if (options.db !== undefined) {
      io.stderr.write(
        `delist: warning: no history database at ${path}, so past removal requests are not shown; check --db\n`,
      );
    }
    return [];
  }
  let store: HistoryStore | null = null;
  try {
    store = HistoryStore.open(path);
    return store.incidents.removals(null, null);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `delist: warning: could not read removal requests from ${path} (${reason}); the report leaves them out\n`,
    );
    return [];
  } finally {
    store?.close();
  }
}

/** The resolver's addresses, so that the blocklist look-ups can recognise a public one. */
function resolverAddresses(setup: DnsSetup, options: DiagnoseOptions): string[] {
  if (setup.offline) return [];
  return options.resolver !== undefined ? [options.resolver] : dns.getServers();
}

/**
 * 2 when an input could not be read (the report of the rest is printed first), 1 when
 * something is wrong, 0 when healthy.
 */
function exitCode(diagnosis: Diagnosis): number {
  const files = diagnosis.input.files;
  const noLogs = files.every((file) => file.error !== null && file.lines === 0);
  const bounces = diagnosis.input.bounces;
  const noBounces = bounces === null || bounces.files.every((file) => file.messages === 0);
  if (noLogs && noBounces) return EXIT_USAGE;
  if (files.some((file) => file.error !== null)) return EXIT_USAGE;
  const problems =
    diagnosis.verdict.status !== "ok" ||
    diagnosis.findings.some((finding) => finding.severity !== "info");
  return problems ? EXIT_PROBLEMS : EXIT_OK;
}
