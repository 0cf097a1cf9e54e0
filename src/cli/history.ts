import { resolve as resolvePath } from "node:path";
import type { Command } from "commander";
import {
  buildHistoryReport,
  defaultDatabasePath,
  HISTORY_SCHEMA_VERSION,
  HistoryStore,
  renderHistoryText,
  StoreError,
  type HistoryFilter,
} from "../store/index.js";
import type { SetExitCode } from "./commands.js";
import { EXIT_OK, EXIT_PROBLEMS, parseFormat, UsageError, type CliIo } from "./io.js";
import { VERSION } from "./version.js";

/** The `--db` option of the commands that use the history. */
export interface DbOptions {
  readonly db?: string;
}

/** Adds `--db FILE` to a command. */
export function addDbOption(command: Command): Command {
  return command.option(
    "--db <file>",
    "the history database (default: $XDG_STATE_HOME/delist/history.sqlite, else ~/.local/state/delist/history.sqlite)",
  );
}

/** Opens the history database of `--db` or the default path; a failure is a usage error. */
export function openHistoryStore(options: DbOptions, io: CliIo): HistoryStore {
  const path =
    options.db === undefined ? defaultDatabasePath(io.env) : resolvePath(io.cwd, options.db);
  try {
    return HistoryStore.open(path);
  } catch (error) {
    if (error instanceof StoreError) throw new UsageError(error.message);
    throw error;
  }
}

/** Formats a time for messages and JSON. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

interface HistoryOptions extends DbOptions {
  readonly format: string;
  readonly since?: string;
  readonly key?: string;
}

/** Adds `delist history`: incidents and state changes over time. */
export function registerHistory(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command("history")
    .summary("show incidents, state changes and removal requests over time")
    .description(
      "Show what the history database holds: incidents (a block or listing from when it was " +
        "first seen until it lifted), every state change (block seen, block lifted, newly listed, " +
        "delisted, DNS record broken or fixed) and the removal requests recorded. Exit status: 0 " +
        "when no incident is open, 1 when one is, 2 for bad options.",
    )
    .option(
      "--since <time>",
      "only from this time on: an ISO 8601 date or time, or a number of days such as 7d",
    )
    .option("--key <key>", "only this state key, such as block:gmail:192.0.2.1")
    .option("--format <format>", "output format: text or json", "text");
  addDbOption(command).action((options: HistoryOptions) => {
    setExitCode(runHistory(options, io));
  });
}

function runHistory(options: HistoryOptions, io: CliIo): number {
  const format = parseFormat(options.format, ["text", "json"]);
  const now = Date.now();
  const filter: HistoryFilter = {
    ...(options.since === undefined ? {} : { since: parseSince(options.since, now) }),
    ...(options.key === undefined ? {} : { key: options.key }),
  };
  const store = openHistoryStore(options, io);
  try {
    const report = buildHistoryReport(store, filter, now);
    if (format === "json") {
      const json = {
        schemaVersion: HISTORY_SCHEMA_VERSION,
        tool: { name: "delist", version: VERSION },
        generatedAt: isoTime(now),
        database: store.path,
        ...report,
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      io.stdout.write(renderHistoryText(report));
    }
    return report.incidents.some((incident) => incident.status === "open")
      ? EXIT_PROBLEMS
      : EXIT_OK;
  } finally {
    store.close();
  }
}

function parseSince(value: string, now: number): number {
  const days = /^(\d{1,4})d$/.exec(value);
  if (days !== null) return now - Number(days[1]) * 24 * 60 * 60 * 1000;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new UsageError(
      `invalid --since "${value}": give an ISO 8601 time such as 2024-03-01 or a number of days such as 7d`,
    );
  }
  return time;
}
