import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export { DATABASE_FILE, defaultDatabasePath } from "./paths.js";

/** An open history database. */
export type Db = Database.Database;

/** A database that cannot be opened, read or written; the message names the file and the fix. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

/** Options of `openDatabase` for a database that does not exist yet. */
export interface OpenOptions {
  /**
   * Creates the database's missing directories when true, the default, which suits the default
   * path. When false, a missing directory is a StoreError, so that a mistyped `--db` does not
   * create a tree of folders and start a new history there.
   */
  readonly createDirectory?: boolean;
}

/**
 * Opens (creating it, and its directory unless `createDirectory` is false, when missing) the
 * history database at `path`, or an in-memory one for `:memory:`, and applies the migrations
 * it lacks. WAL mode lets
 * `delist removal status` read while the monitor writes; `busy_timeout` makes a writer wait
 * for the other one instead of failing at once. Throws a StoreError.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  return openDatabaseWithVersion(path, options).db;
}

/** An open history database, and its schema version before `openDatabaseWithVersion` upgraded it. */
export interface OpenedDatabase {
  readonly db: Db;
  /** 0 for a new database; equal to the current version when no migration ran. */
  readonly previousVersion: number;
}

/** Opens the history database at `path` as `openDatabase` does, and returns its old version too. */
export function openDatabaseWithVersion(path: string, options: OpenOptions = {}): OpenedDatabase {
  const directory = dirname(path);
  if (path !== ":memory:" && options.createDirectory === false && !existsSync(directory)) {
    throw new StoreError(
      `cannot open the history database ${path}: the folder ${directory} does not exist. Check the path of --db, or create the folder first`,
    );
  }
  let db: Db;
  try {
    if (path !== ":memory:") mkdirSync(directory, { recursive: true });
    db = new Database(path);
  } catch (error) {
    throw storeError(error, path, "open");
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("foreign_keys = ON");
    const previousVersion = migrate(db, path);
    return { db, previousVersion };
  } catch (error) {
    if (db.open) db.close();
    throw storeError(error, path, "open");
  }
}

/** How long a write waits for another process's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

// Applies the migrations that `db` lacks, and returns its schema version before them.
function migrate(db: Db, path: string): number {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new StoreError(
      `the history database ${path} has schema version ${version}, newer than this delist knows (${MIGRATIONS.length}): upgrade delist or use another --db`,
    );
  }
  for (let index = version; index < MIGRATIONS.length; index++) {
    const upgrade = db.transaction(() => {
      db.exec(MIGRATIONS[index] ?? "");
      db.pragma(`user_version = ${index + 1}`);
    });
    upgrade();
  }
  return version;
}

/**
 * Turns an error of better-sqlite3 or of the file system on the database at `path` into a
 * StoreError that names the file, the SQLite or errno code and what to do. `action` names
 * whether opening or a later read or write failed. Other errors, such as a StoreError
 * already, are returned unchanged.
 */
export function storeError(error: unknown, path: string, action: "open" | "use" = "use"): unknown {
  if (error instanceof StoreError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error;
  return new StoreError(
    `cannot ${action} the history database ${path}: ${error.message} (${code}): ${adviceFor(code)}`,
    { cause: error },
  );
}

/**
 * Describes an error that SQLite raised on the database at `path`, with the file and the fix,
 * or returns null for any other error, such as a failed DNS query of a job.
 */
export function describeSqliteError(error: unknown, path: string): string | null {
  if (!(error instanceof Database.SqliteError)) return null;
  return (storeError(error, path) as Error).message;
}

function adviceFor(code: string): string {
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_BUSY_") || code === "SQLITE_LOCKED") {
    return `another process held its write lock for more than ${BUSY_TIMEOUT_MS / 1000} s; try again, or stop the process that keeps it locked`;
  }
  if (code.startsWith("SQLITE_READONLY") || code === "EACCES" || code === "EPERM") {
    return "delist needs write access to the file and its directory; run as the user that owns them, or pass another --db";
  }
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return "the file is not a delist history database or is damaged; move it away to start a new history, or pass another --db";
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC") return "the disk is full; free some space";
  return "check the file and its directory, or pass another --db";
}
