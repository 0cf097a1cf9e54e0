import type { Db } from "./database.js";
import { toAlert, type AlertRow } from "./rows.js";
import type { AlertRecord } from "./types.js";

/** The alert outbox: alerts are queued by `StateRepository.observe` and sent from here. */
export class AlertRepository {
  constructor(private readonly db: Db) {}

  /**
   * Lists pending alerts whose next attempt is due at `now`, oldest first. An alert that was
   * never attempted, postponed or held is due whatever `now` is, so that a clock set back after
   * the change was recorded does not hold its first attempt back.
   */
  due(now: number, limit = 100): AlertRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM alerts
         WHERE status = 'pending'
           AND ((attempts = 0 AND last_error IS NULL AND held = 0) OR next_attempt_at <= ?)
         ORDER BY id LIMIT ?`,
      )
      .all(now, limit) as AlertRow[];
    return rows.map(toAlert);
  }

  /**
   * Returns the time of the earliest pending attempt, or null when nothing is pending. An
   * alert that was never attempted, postponed or held counts as due at 0, the start of the epoch.
   */
  nextAttemptAt(): number | null {
    const row = this.db
      .prepare(
        `SELECT MIN(CASE WHEN attempts = 0 AND last_error IS NULL AND held = 0 THEN 0
                         ELSE next_attempt_at END) AS next
         FROM alerts WHERE status = 'pending'`,
      )
      .get() as { next: number | null };
    return row.next;
  }

  /**
   * Moves the next attempt of a pending alert to `at` without counting an attempt, and records
   * why in `last_error`. The dispatcher holds back the other alerts of a channel that just
   * failed this way.
   */
  postpone(id: number, at: number, reason: string): void {
    this.db
      .prepare(
        "UPDATE alerts SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'",
      )
      .run(at, reason, id);
  }

  /**
   * Returns the value that the last sent alert of `key` on `channel` reported, or null when
   * none was sent.
   */
  lastSentValue(key: string, channel: string): string | null {
    const row = this.db
      .prepare(
        `SELECT c.value AS value FROM alerts a JOIN state_changes c ON c.id = a.change_id
         WHERE c.key = ? AND a.channel = ? AND a.status = 'sent'
         ORDER BY a.id DESC LIMIT 1`,
      )
      .get(key, channel) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** Returns when the held alerts of a change go out, or null when none is held. */
  heldUntil(changeId: number): number | null {
    const row = this.db
      .prepare(
        `SELECT MAX(next_attempt_at) AS until FROM alerts
         WHERE change_id = ? AND held = 1 AND status = 'pending'`,
      )
      .get(changeId) as { until: number | null };
    return row.until;
  }

  /**
   * Lists when each alert held for the flap window goes out, earliest first. An alert that a
   * failed attempt or a postponement left pending is not listed, because it waits for a retry.
   */
  heldDueTimes(): number[] {
    const rows = this.db
      .prepare(
        `SELECT next_attempt_at AS dueAt FROM alerts
         WHERE status = 'pending' AND held = 1 AND last_error IS NULL
         ORDER BY next_attempt_at, id`,
      )
      .all() as { dueAt: number }[];
    return rows.map((row) => row.dueAt);
  }

  /** Marks a pending alert superseded, so it is never sent, and records why. */
  supersede(id: number, reason: string): void {
    this.db
      .prepare(
        "UPDATE alerts SET status = 'superseded', last_error = ? WHERE id = ? AND status = 'pending'",
      )
      .run(reason, id);
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
