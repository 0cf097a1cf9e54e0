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
}

/** The lift progress of open blocks, keyed by block state key (`blockKey`). */
export class LiftProgressRepository {
  constructor(private readonly db: Db) {}

  /** Returns the progress of `key`, or null when none is stored. */
  get(key: string): LiftProgress | null {
    const row = this.db
      .prepare(
        `SELECT last_block_at AS lastBlockAt, deliveries, last_delivery_at AS lastDeliveryAt
         FROM block_lift_progress WHERE key = ?`,
      )
      .get(key) as LiftProgress | undefined;
    return row ?? null;
  }

  /** Saves the progress of `key`, replacing the one saved before. */
  save(key: string, progress: LiftProgress, at: number): void {
    this.db
      .prepare(
        `INSERT INTO block_lift_progress (key, last_block_at, deliveries, last_delivery_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET last_block_at = excluded.last_block_at,
           deliveries = excluded.deliveries, last_delivery_at = excluded.last_delivery_at,
           updated_at = excluded.updated_at`,
      )
      .run(key, progress.lastBlockAt, progress.deliveries, progress.lastDeliveryAt, at);
  }

  /** Deletes the progress of `key`, because its block was lifted or never opened. */
  delete(key: string): void {
    this.db.prepare("DELETE FROM block_lift_progress WHERE key = ?").run(key);
  }
}
