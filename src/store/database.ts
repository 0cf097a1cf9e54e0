import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

/** An open history database. */
export type Db = Database.Database;

/** The file name of the history database inside the state directory. */
export const DATABASE_FILE = "history.sqlite";

/**
 * Returns the default database path: `$XDG_STATE_HOME/delist/history.sqlite`, or
 * `~/.local/state/delist/history.sqlite` when the variable is unset or not absolute, because the
 * XDG Base Directory specification requires relative values to be ignored.
 */
export function defaultDatabasePath(
  env: Readonly<Record<string, string | undefined>>,
  home: string = homedir(),
): string {
  const state = env["XDG_STATE_HOME"];
  const base = state !== undefined && state.startsWith("/") ? state : join(home, ".local", "state");
  return join(base, "delist", DATABASE_FILE);
}

/** A database that cannot be opened or upgraded; the message names the file. */
export class StoreError extends Error {
  override readonly name = "StoreError";
}

/**
 * Opens (creating it and its directory when missing) the history database at `path`, or an
 * in-memory one for `:memory:`, and applies the migrations it lacks. WAL mode lets
 * `delist removal status` read while the monitor writes; `busy_timeout` makes a writer wait
 * for the other one instead of failing at once.
 */
export function openDatabase(path: string): Db {
  let db: Db;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (error) {
    throw new StoreError(`cannot open the history database ${path}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db, path);
  return db;
}

function migrate(db: Db, path: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
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
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
