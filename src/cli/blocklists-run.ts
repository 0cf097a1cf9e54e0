import dns from "node:dns";
import { resolve as resolvePath } from "node:path";
import { Writable } from "node:stream";
import type { DnsContext } from "../dns/context.js";
import { painter, statusStyle } from "../report/colour.js";
import {
  BlocklistConfigError,
  CATALOGUE,
  checkBlocklists,
  checkDqsKey,
  isUncheckedStatus,
  loadBlocklistConfig,
  renderBlocklistText,
  uniqueTargets,
  withConfig,
  type BlocklistConfig,
  type BlocklistInput,
  type BlocklistReport,
  type Target,
} from "../reputation/index.js";
import { KEY_PLACEHOLDER } from "../reputation/query-name.js";
import { chooseLists } from "../reputation/select.js";
import { DQS_KEY_VARIABLE, type BlocklistsOptions } from "./blocklists.js";
import { rejectListsForOtherTargets } from "./blocklists-choice.js";
import { setUpDns, ZONE_FROM_STDIN } from "./dns-options.js";
import { dnsExitStatus, tallyLookups } from "./dns-outcome.js";
import { colourEnabled, EXIT_USAGE, parseFormat, UsageError, type CliIo } from "./io.js";
import { VERSION } from "./version.js";

/** Version of the JSON output of `delist blocklists`; docs/blocklists.schema.json describes it. */
export const BLOCKLISTS_SCHEMA_VERSION = 1;

/** Runs `delist blocklists` and returns the exit status. */
export async function runBlocklists(
  targets: string[],
  options: BlocklistsOptions,
  io: CliIo,
): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const concurrency = parseConcurrency(options.concurrency);
  const dqsKey = options.spamhausDqsKey ?? io.env[DQS_KEY_VARIABLE] ?? null;
  const config = options.config === undefined ? undefined : await readConfig(options.config, io);
  const input = validInput(targets, options.list, dqsKey, config);
  const redacted = withRedactedStderr(io, dqsKey);
  const setup = await setUpDns(options, redacted, ZONE_FROM_STDIN);
  const offline = setup.offline;
  const { dns: context, tally } = tallyLookups(setup.dns);
  let report: BlocklistReport;
  try {
    report = await checkBlocklists(input, context, {
      ...(config === undefined ? {} : { config }),
      ...(options.list === undefined ? {} : { lists: options.list }),
      dqsKey,
      concurrency,
      resolverAddresses: resolverAddresses(options, offline),
      resolverGiven: options.resolver !== undefined,
    });
  } finally {
    await context.close();
  }

  if (format === "json") {
    const json = toJson(report, context, { offline, dqs: dqsKey !== null, concurrency, options });
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const style = statusStyle(painter(colourEnabled(io)));
    io.stdout.write(renderBlocklistText(report, context.description, style));
  }
  if (report.results.length === 0) {
    io.stderr.write(`delist: ${NOTHING_QUERIED_MESSAGE}\n`);
    return EXIT_USAGE;
  }
  return dnsExitStatus(tally(), verdict(report) !== "clean", options, redacted);
}

/** The error of a run in which no chosen list could be queried for any target. */
const NOTHING_QUERIED_MESSAGE =
  "nothing could be checked, because none of the chosen lists can be queried for these " +
  "targets (the report gives the reason for each list). Choose lists with --list, or run " +
  "delist blocklists --help to see them.";

/** `listed` when a block list lists a target, `not-checked` when any check was not done. */
function verdict(report: BlocklistReport): "listed" | "clean" | "not-checked" {
  const blocking = report.results.filter((r) => r.listType === "block" || r.listType === "mixed");
  if (blocking.some((result) => result.status === "listed")) return "listed";
  const unchecked = report.results.some((r) => isUncheckedStatus(r.status));
  return unchecked || report.results.length === 0 ? "not-checked" : "clean";
}

function parseConcurrency(value: string): number {
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new UsageError(`invalid --concurrency "${value}": give a whole number from 1 to 256`);
  }
  return concurrency;
}

/**
 * Checks targets, list ids and the key before any query, and that a chosen list takes one of
 * the targets, as usage errors.
 */
function validInput(
  targets: readonly string[],
  lists: readonly string[] | undefined,
  dqsKey: string | null,
  config: BlocklistConfig | undefined,
): BlocklistInput {
  let parsed: Target[];
  try {
    // Each address or domain is named once, in the spelling that the report uses.
    parsed = uniqueTargets(targets);
    if (dqsKey !== null) checkDqsKey(dqsKey);
    const catalogue = config === undefined ? CATALOGUE : withConfig(CATALOGUE, config);
    const chosen = chooseLists(catalogue, {
      ids: lists,
      enable: config?.enable,
      disable: config?.disable,
    });
    rejectListsForOtherTargets(parsed, {
      chosen: chosen.lists,
      explicit: chosen.explicit,
      catalogue,
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  return {
    ips: parsed.filter((target) => target.kind !== "domain").map((target) => target.value),
    domains: parsed.filter((target) => target.kind === "domain").map((target) => target.value),
  };
}

async function readConfig(path: string, io: CliIo): Promise<BlocklistConfig> {
  try {
    return await loadBlocklistConfig(resolvePath(io.cwd, path));
  } catch (error) {
    if (error instanceof BlocklistConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** Returns the resolver's addresses, to recognise a public resolver; none for offline runs. */
function resolverAddresses(options: BlocklistsOptions, offline: boolean): string[] {
  if (offline) return [];
  return options.resolver !== undefined ? [options.resolver] : dns.getServers();
}

/** Keeps the DQS key out of `--verbose` traces: query names in DQS zones contain it. */
function withRedactedStderr(io: CliIo, key: string | null): CliIo {
  if (key === null || key === "") return io;
  const pattern = new RegExp(key.replace(/[^A-Za-z0-9]/g, ""), "gi");
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      io.stderr.write(chunk.toString().replace(pattern, KEY_PLACEHOLDER));
      callback();
    },
  });
  return { ...io, stderr };
}

function toJson(
  report: BlocklistReport,
  context: DnsContext,
  run: { offline: boolean; dqs: boolean; concurrency: number; options: BlocklistsOptions },
): object {
  return {
    schemaVersion: BLOCKLISTS_SCHEMA_VERSION,
    tool: { name: "delist", version: VERSION },
    generatedAt: new Date().toISOString(),
    input: {
      targets: report.targets.map((target) => target.value),
      lists: report.lists.map((list) => list.id),
      config: run.options.config ?? null,
      resolver: context.description,
      offline: run.offline,
      spamhausDqs: run.dqs,
      concurrency: run.concurrency,
    },
    verdict: verdict(report),
    results: report.results,
    lists: report.lists,
    notices: report.notices,
    finding: report.finding,
    readiness: report.readiness,
    dns: { ...context.stats(), unreachable: context.unreachable() },
  };
}
