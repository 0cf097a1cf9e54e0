import type { Db } from "./database.js";
import { toAlert, type AlertRow } from "./rows.js";
import type { AlertRecord } from "./types.js";

/** The alert outbox: alerts are queued by `StateRepository.observe` and sent from here. */
export class AlertRepository {
  constructor(private readonly db: Db) {}

  /** Lists pending alerts whose next attempt is due at `now`, oldest first. */
  due(now: number, limit = 100): AlertRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts WHERE status = 'pending' AND next_attempt_at <= ?
         ORDER BY id LIMIT ?`,
      )
      .all(now, limit) as AlertRow[];
    return rows.map(toAlert);
  }

  /** Returns the time of the earliest pending attempt, or null when nothing is pending. */
  nextAttemptAt(): number | null {
    const row = this.db
      .prepare("SELECT MIN(next_attempt_at) AS next FROM alerts WHERE status = 'pending'")
      .get() as { next: number | null };
    return row.next;
  }

  /** Lists every alert, oldest first. */
  all(): AlertRecord[] {
    return (this.db.prepare("SELECT * FROM alerts ORDER BY id").all() as AlertRow[]).map(toAlert);
  }

  /** Marks an alert sent. */
  markSent(id: number, at: number): void {
    this.db
      .prepare(
        "UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE id = ?",
      )
      .run(at, id);
  }

  /**
   * Records a failed attempt: the alert stays pending until `retryAt`, or is marked failed
   * when `retryAt` is null.
   */
  markAttemptFailed(id: number, error: string, retryAt: number | null): void {
    this.db
      .prepare(
        `UPDATE alerts SET attempts = attempts + 1, last_error = ?,
           status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
           next_attempt_at = COALESCE(?, next_attempt_at)
         WHERE id = ?`,
      )
      .run(error, retryAt, retryAt, id);
  }
}
