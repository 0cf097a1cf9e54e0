import { existsSync, statSync } from "node:fs";
import {
  buildHistoryReport,
  HISTORY_SCHEMA_VERSION,
  HistoryStore,
  StoreError,
  storeError,
  type HistoryFilter,
} from "../store/index.js";
import { databasePath, isoTime, type DbOptions, type HistoryOptions } from "./history.js";
import { renderHistoryText } from "./history-text.js";
import { EXIT_OK, EXIT_PROBLEMS, parseFormat, UsageError, type CliIo } from "./io.js";
import { VERSION } from "./version.js";

/**
 * The access a command needs to the history. `write` creates a missing file, while `read` reads
 * an empty history instead and leaves the disk alone.
 */
export type HistoryAccess = "read" | "write";

/**
 * Opens the history database of `--db` or the default path, runs `work` on it and closes it.
 * With `read` access a missing file is read as an empty history, because a new user's first
 * command finds none yet. A note on standard error then names the path, so that a mistyped
 * `--db` does not pass silently for "nothing recorded". An empty file with `read` access is a
 * UsageError (see `rejectEmptyFile`). With `write` access a missing file is
 * created, with a note that names it unless `noteCreated` is false (the monitor logs it
 * instead). A `--db` whose folder is missing is a UsageError, so that a typo starts no
 * separate history. A database that cannot be opened, read or written
 * (locked, read-only, damaged) is a UsageError that names the file and the fix.
 */
export async function withHistoryStore<T>(
  options: DbOptions,
  io: CliIo,
  access: HistoryAccess,
  work: (store: HistoryStore) => T | Promise<T>,
  noteCreated = true,
): Promise<T> {
  const path = databasePath(options, io);
  const missing = access === "read" && !existsSync(path);
  if (access === "read" && !missing) rejectEmptyFile(path);
  if (missing) {
    io.stderr.write(
      `delist: no history database at ${path} yet, so nothing is recorded: delist probe, delist removal request and delist monitor create it; pass --db to read another file\n`,
    );
  }
  let store: HistoryStore | null = null;
  try {
    store = HistoryStore.open(missing ? ":memory:" : path, {
      createDirectory: options.db === undefined,
    });
    if (store.created && noteCreated) {
      io.stderr.write(
        `delist: note: created a new history database at ${path}; pass --db to use another file\n`,
      );
    }
    return await work(store);
  } catch (error) {
    const converted = storeError(error, path);
    if (converted instanceof StoreError) throw new UsageError(converted.message);
    throw converted;
  } finally {
    store?.close();
  }
}

/**
 * Throws a UsageError for an empty file given to a reading command. SQLite would write a new
 * database into it, and a reading command must not change a file that may be something else.
 */
function rejectEmptyFile(path: string): void {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isFile() !== true || stats.size > 0) return;
  throw new UsageError(
    `${path} is an empty file, not a history database, so nothing was read. Pass --db with ` +
      "the database that delist probe, delist removal request or delist monitor wrote",
  );
}

/** Runs `delist history` and returns the exit status. */
export async function runHistory(options: HistoryOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format, ["text", "json"]);
  const now = Date.now();
  const filter: HistoryFilter = {
    ...(options.since === undefined ? {} : { since: parseSince(options.since, now) }),
    ...(options.key === undefined ? {} : { key: options.key }),
  };
  return withHistoryStore(options, io, "read", (store) => {
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
  });
}

// YYYY-MM-DD, optionally followed by Thh:mm, seconds, fractions and a Z or ±hh:mm offset.
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Parses `--since`: a number of days such as `7d`, or an ISO 8601 date or time. A date or time
 * without an offset is UTC, as `delist history` prints its times. Anything else, including the
 * forms that `Date.parse` guesses at (`7`, `March 1`, `12/31/2024`), is a UsageError.
 */
export function parseSince(value: string, now: number): number {
  const days = /^(\d{1,4})d$/.exec(value);
  if (days !== null) return now - Number(days[1]) * 24 * 60 * 60 * 1000;
  const match = ISO_TIME.exec(value);
  const time = match === null ? Number.NaN : isoToMs(match);
  if (Number.isNaN(time)) {
    throw new UsageError(
      `invalid --since "${value}": give an ISO 8601 date or time such as 2024-03-01 or 2024-03-01T08:00Z, or a number of days such as 7d`,
    );
  }
  return time;
}

function isoToMs(match: RegExpExecArray): number {
  const [, year, month, day, hour = "00", minute = "00", second = "00"] = match;
  const fraction = match[7] ?? "";
  const offset = match[8] ?? "Z";
  const time = Date.parse(
    `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`,
  );
  // Date.parse rolls 2024-02-30 over into March; a date that does not exist is invalid.
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const exists =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day);
  return exists ? time : Number.NaN;
}
