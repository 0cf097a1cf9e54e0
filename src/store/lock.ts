import Database from "better-sqlite3";
import { StoreError, storeError } from "./database.js";

/** The suffix of the lock file that sits next to the history database. */
export const MONITOR_LOCK_SUFFIX = ".monitor-lock";

/**
 * The lock that lets one monitor at a time use a history database. Two monitors on one
 * database would both send every queued alert and both probe each target.
 *
 * The lock is an exclusive SQLite transaction on a separate file, `<database>.monitor-lock`,
 * held open for the monitor's lifetime. SQLite takes it with POSIX advisory locks, which the
 * operating system releases when the process ends in any way, `kill -9` included, so a restart
 * never finds a stale lock. The history database itself stays open to other readers and
 * writers, such as `delist removal request`.
 */
export class MonitorLock {
  private constructor(private readonly db: Database.Database | null) {}

  /**
   * Takes the lock of the database at `databasePath`, or throws a StoreError when another
   * process holds it. `:memory:` databases are private to their process and need none.
   */
  static acquire(databasePath: string): MonitorLock {
    if (databasePath === ":memory:") return new MonitorLock(null);
    const path = `${databasePath}${MONITOR_LOCK_SUFFIX}`;
    let db: Database.Database;
    try {
      db = new Database(path);
      db.pragma("busy_timeout = 0");
    } catch (error) {
      throw storeError(error, path);
    }
    try {
      db.exec("BEGIN EXCLUSIVE");
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code === "SQLITE_BUSY") {
        throw new StoreError(
          `another delist monitor is using the history database ${databasePath} (it has ${path} open): stop that monitor first, or give this one its own --db`,
        );
      }
      throw storeError(error, path);
    }
    return new MonitorLock(db);
  }

  /** Releases the lock; calling it again does nothing. */
  release(): void {
    if (this.db === null || !this.db.open) return;
    this.db.exec("ROLLBACK");
    this.db.close();
  }
}
