import dns from "node:dns";
import { existsSync } from "node:fs";
import type { SenderCheckReport } from "../auth/index.js";
import { buildDiagnosis } from "../diagnose/diagnose.js";
import { senderCheckInput, type GivenSenders } from "../diagnose/dns.js";
import { isQueueSpaceReportProblem } from "../diagnose/queue-space.js";
import {
  analyseLogs,
  inputReport,
  truncatedWhileRead,
  unreadInputErrors,
  unusableInputSentences,
  type LogRun,
} from "../diagnose/run.js";
import type { Diagnosis, RecordedRemovalRequest } from "../diagnose/types.js";
import {
  failingConnectionProviders,
  isProblemStatus,
  suspendedProviders,
} from "../diagnose/verdict.js";
import { looksLikeLogFile } from "../logs/detect.js";
import { painter } from "../report/colour.js";
import { decodeReportText } from "../report/log-text.js";
import { renderDiagnosisMarkdown } from "../report/markdown.js";
import { renderDiagnosisText } from "../report/text.js";
import type { BlocklistReport } from "../reputation/index.js";
import type { HistoryStore } from "../store/history.js";
import type { DiagnoseOptions } from "./diagnose.js";
import { setUpDnsUnlessOffline, type DnsSetup } from "./dns-options.js";
import { databasePath } from "./history.js";
import {
  EXIT_OK,
  EXIT_PROBLEMS,
  EXIT_USAGE,
  colourEnabled,
  hintTerminalStdin,
  writeWrappedMessage,
  type CliIo,
} from "./io.js";
import { clearProgress, logRunSettings } from "./log-options.js";
import { validDomains, validIps } from "./sender-options.js";
import { unusableInputJson } from "./unusable-input.js";
import { VERSION } from "./version.js";

/** Runs `delist diagnose` and returns the exit status. */
export async function runDiagnose(
  logs: string[],
  options: DiagnoseOptions,
  io: CliIo,
): Promise<number> {
  const bounces = options.bounces ?? [];
  const settings = logRunSettings(logs, options, io, undefined, {
    present: bounces.length > 0,
    variadic: { "--domain": options.domain, "--ip": options.ip },
    fileVariadic: { "--bounces": options.bounces, "--zone": options.zone },
    isLog: looksLikeLogFile,
  });
  const given = {
    domains: validDomains(options.domain ?? [], "--domain"),
    ips: validIps(options.ip ?? []),
    helo: options.helo ?? null,
  };
  const dnsSetup = await setUpDnsUnlessOffline(options, io);
  if (logs.includes("-")) hintTerminalStdin(io, "the logs");
  const run = await analyseLogs(logs, { ...settings.readOptions, bounces });
  clearProgress(io, settings);
  const unusable = unusableInputSentences(run);
  if (unusable !== null) {
    // A script that reads JSON gets a document to parse, and people read the same on stderr.
    if (settings.format === "json") io.stdout.write(unusableInputJson(unusable));
    io.stderr.write(`delist: ${unusable.join("\ndelist: ")}\n`);
    await dnsSetup?.dns.close();
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
    removalRequests: await readRemovalRequests(options, io),
    givenIps: given.ips,
    givenDomains: given.domains,
    unreadInputs: unreadInputErrors(run),
  });
  const diagnosis = decodeReportText(built);

  if (settings.format === "json") io.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
  else if (settings.format === "markdown") io.stdout.write(renderDiagnosisMarkdown(diagnosis));
  else io.stdout.write(renderDiagnosisText(diagnosis, painter(colourEnabled(io)), io.cwd));

  // The messages on unread inputs are long, so they are wrapped as the report is.
  const notRead = new Set(diagnosis.verdict.inputsNotRead);
  for (const file of diagnosis.input.files) {
    if (file.error === null) continue;
    if (notRead.has(file.name)) writeWrappedMessage(io, file.error);
    else io.stderr.write(`delist: ${file.error}\n`);
  }
  for (const file of diagnosis.input.bounces?.files ?? []) {
    for (const error of file.errors) io.stderr.write(`delist: ${error}\n`);
  }
  // The notes of messages read only in part (cut short, over the size limit), as `bounces`
  // prints them.
  for (const file of run.bounces?.files ?? []) {
    for (const note of file.notes) io.stderr.write(`delist: note: ${note}\n`);
  }
  for (const note of run.bounces?.notes ?? []) io.stderr.write(`delist: note: ${note}\n`);
  return truncatedWhileRead(run) ? EXIT_USAGE : exitCode(diagnosis);
}

/** The results of the DNS and blocklist checks of a diagnose run. */
interface NetworkChecks {
  readonly checks: { report: SenderCheckReport; resolver: string } | null;
  readonly blocklists: BlocklistReport | null;
}

/**
 * Checks the sending domains and IPs in DNS and on the blocklists. An `--offline` run checks
 * only against `--zone` or `--dns-replay` files, as `delist check --offline` does. Nothing is
 * checked when the logs name no domain or IP and none was given.
 */
async function runChecks(
  run: LogRun,
  given: GivenSenders,
  setup: DnsSetup | null,
  options: DiagnoseOptions,
  io: CliIo,
): Promise<NetworkChecks> {
  try {
    if (setup === null || !dnsCanAnswer(options)) return { checks: null, blocklists: null };
    const input = senderCheckInput(run.facts, given);
    if (input.domains.length === 0 && input.ips.length === 0) {
      return { checks: null, blocklists: null };
    }
    // The DNS checks and blocklist look-ups load here, so that an --offline run never loads
    // them.
    const { checkSenders } = await import("../auth/index.js");
    const { checkBlocklists } = await import("../reputation/index.js");
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
    await setup?.dns.close();
  }
}

/** Returns false for an `--offline` run that reads no zone file or DNS replay. */
function dnsCanAnswer(options: DiagnoseOptions): boolean {
  if (options.offline !== true) return true;
  return options.zone !== undefined || options.dnsReplay !== undefined;
}

/**
 * Reads the removal requests recorded with `delist removal request`, so that the readiness
 * section can tell when the next request is allowed. A missing database means none were
 * recorded. A database that cannot be read costs only that part of the report, so the
 * failure is a warning.
 */
async function readRemovalRequests(
  options: DiagnoseOptions,
  io: CliIo,
): Promise<RecordedRemovalRequest[]> {
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
    // The store and its SQLite binding load only when there is a database to read, and a
    // binding that fails to load costs only this part of the report too.
    const { HistoryStore } = await import("../store/history.js");
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

/** Returns the resolver's addresses, so that the blocklist look-ups can recognise a public one. */
function resolverAddresses(setup: DnsSetup, options: DiagnoseOptions): string[] {
  if (setup.offline) return [];
  return options.resolver !== undefined ? [options.resolver] : dns.getServers();
}

/**
 * Returns 2 when a log or a bounce input named on the command line could not be used, 1 when
 * something is wrong and 0 when healthy. Repeated connection failures to a named provider count
 * as wrong although its status stays `ok`, because they delay its mail. So do outbound mail that
 * this server held itself and a named provider that accepted nothing while delivery to it was
 * suspended, a confirmed queue disk fault (`QueueSpaceReport.confirmed`), which a lone 452
 * 4.3.1 reject is not, and a lost local submission. The report of the other inputs is printed
 * first.
 * Bounce messages skipped inside a folder or mbox do not count, as garbled log lines do not.
 * The caller checks for a log cut short while it was read.
 */
function exitCode(diagnosis: Diagnosis): number {
  const files = diagnosis.input.files;
  const noLogs = files.every((file) => file.error !== null && file.lines === 0);
  const bounceFiles = diagnosis.input.bounces?.files ?? [];
  const noBounces = bounceFiles.every((file) => file.messages === 0);
  if (noLogs && noBounces) return EXIT_USAGE;
  if (files.some((file) => file.error !== null)) return EXIT_USAGE;
  if (bounceFiles.some((file) => file.errors.length > 0)) return EXIT_USAGE;
  const problems =
    isProblemStatus(diagnosis.verdict.status) ||
    diagnosis.findings.some((finding) => finding.severity !== "info") ||
    failingConnectionProviders(diagnosis.providers).length > 0 ||
    suspendedProviders(diagnosis.providers).length > 0 ||
    diagnosis.verdict.heldByServer !== null ||
    isQueueSpaceReportProblem(diagnosis.queueSpace);
  return problems ? EXIT_PROBLEMS : EXIT_OK;
}
