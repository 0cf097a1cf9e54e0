import type { Db } from "./database.js";

/**
 * How far a block state has come towards its lift, in the log's own times (ms since the epoch),
 * counted across log windows.
 */
export interface LiftProgress {
  /** Time of the last block reply of the state's provider and IP. */
  readonly lastBlockAt: number;
  /** Deliveries that the provider's own MX accepted after `lastBlockAt`, up to the lifting count. */
  readonly deliveries: number;
  /** Time of the latest of those deliveries, or null when there is none. */
  readonly lastDeliveryAt: number | null;
  /**
   * True when an attempt after `lastBlockAt` was not accepted. Rows saved before schema version
   * 11 did not record it and read as true, so they lift only by the count of deliveries.
   */
  readonly failedAfter: boolean;
}

/** The schema version from which lift progress records failed attempts (`failedAfter`). */
export const FAILED_AFTER_SCHEMA_VERSION = 11;

/** The outgoing sources saved with the lift progress of one block state. */
export interface LiftSources {
  /** Block state key (`blockKey`). */
  readonly key: string;
  /**
   * Outgoing sources (`DeliveryEvent.outgoingSource`) that send from the state's IP, such as
   * the Postfix syslog name `postfix-out1` whose block replies named it.
   */
  readonly sources: readonly string[];
}

/** The lift progress of open blocks, keyed by block state key (`blockKey`). */
export class LiftProgressRepository {
  constructor(private readonly db: Db) {}

  /** Returns the progress of `key`, or null when none is stored. */
  get(key: string): LiftProgress | null {
    const row = this.db
      .prepare(
        `SELECT last_block_at AS lastBlockAt, deliveries, last_delivery_at AS lastDeliveryAt,
           failed_after AS failedAfter
         FROM block_lift_progress WHERE key = ?`,
      )
      .get(key) as (Omit<LiftProgress, "failedAfter"> & { failedAfter: number }) | undefined;
    return row === undefined ? null : { ...row, failedAfter: row.failedAfter !== 0 };
  }

  /**
   * Saves the progress of `key`, replacing the one saved before, with the outgoing `sources`
   * that send from the state's IP.
   */
  save(key: string, progress: LiftProgress, at: number, sources: readonly string[] = []): void {
    this.db
      .prepare(
        `INSERT INTO block_lift_progress
           (key, last_block_at, deliveries, last_delivery_at, updated_at, sources_json,
            failed_after)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET last_block_at = excluded.last_block_at,
           deliveries = excluded.deliveries, last_delivery_at = excluded.last_delivery_at,
           updated_at = excluded.updated_at, sources_json = excluded.sources_json,
           failed_after = excluded.failed_after`,
      )
      .run(
        key,
        progress.lastBlockAt,
        progress.deliveries,
        progress.lastDeliveryAt,
        at,
        JSON.stringify([...sources].sort()),
        progress.failedAfter ? 1 : 0,
      );
  }

  /**
   * Returns the outgoing sources saved with each stored progress that has any. Rows written
   * before schema version 10 have none.
   */
  listSources(): LiftSources[] {
    const rows = this.db
      .prepare(
        `SELECT key, sources_json AS sourcesJson FROM block_lift_progress
         WHERE sources_json IS NOT NULL AND sources_json <> '[]' ORDER BY key`,
      )
      .all() as Array<{ key: string; sourcesJson: string }>;
    return rows.map((row) => ({ key: row.key, sources: parseSources(row.sourcesJson) }));
  }

  /** Returns the block state keys of every stored progress, sorted. */
  keys(): string[] {
    const rows = this.db
      .prepare("SELECT key FROM block_lift_progress ORDER BY key")
      .all() as Array<{
      key: string;
    }>;
    return rows.map((row) => row.key);
  }

  /** Deletes the progress of `key`, because its block was lifted or never opened. */
  delete(key: string): void {
    this.db.prepare("DELETE FROM block_lift_progress WHERE key = ?").run(key);
  }
}

/** Parses a `sources_json` value; anything but an array of strings gives no sources. */
function parseSources(json: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === "string");
}
