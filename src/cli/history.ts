import { resolve as resolvePath } from "node:path";
import type { Command } from "commander";
import { defaultDatabasePath } from "../store/paths.js";
import type { SetExitCode } from "./commands.js";
import type { CliIo } from "./io.js";

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

/** Returns the path of `--db`, relative to the working directory, or the default path. */
export function databasePath(options: DbOptions, io: CliIo): string {
  return options.db === undefined ? defaultDatabasePath(io.env) : resolvePath(io.cwd, options.db);
}

/** Formats a time for messages and JSON. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Options of `delist history`. */
export interface HistoryOptions extends DbOptions {
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
      "only from this time on: an ISO 8601 date or time (UTC unless it has an offset), or a number of days such as 7d",
    )
    .option("--key <key>", "only this state key, such as block:gmail:192.0.2.1")
    .option("-f, --format <format>", "output format: text or json", "text");
  addDbOption(command).action(async (options: HistoryOptions) => {
    // The store and its SQLite binding load only when this command runs.
    const { runHistory } = await import("./history-run.js");
    setExitCode(await runHistory(options, io));
  });
}
