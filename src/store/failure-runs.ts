import type { Db } from "./database.js";

/**
 * Failed connections in a row to one provider from one connection source, with no accepted
 * delivery and no SMTP reply from the provider between them, counted across log windows.
 */
export interface FailureRun {
  readonly failures: number;
  /** Time of the first failure of the run. */
  readonly firstAt: number;
  /** Time of the latest failure of the run. */
  readonly lastAt: number;
  readonly evidence: FailureRunEvidence;
}

/** The part of a connection state's `outage` evidence that comes from the run's first failure. */
export interface FailureRunEvidence {
  /** The first failure, with the fields of `outage.first`. */
  readonly first: object;
  /** Steps to check and change, such as opening outbound port 25. */
  readonly fix: readonly string[];
}

interface FailureRunRow {
  readonly failures: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly evidenceJson: string;
}

/** The runs of failed connections, keyed by connection state key (`connectionKey`). */
export class FailureRunRepository {
  constructor(private readonly db: Db) {}

  /** Returns the run of `key`, or null when no failure came after the last delivery or reply. */
  get(key: string): FailureRun | null {
    const row = this.db
      .prepare(
        `SELECT failures, first_at AS firstAt, last_at AS lastAt, evidence_json AS evidenceJson
         FROM connection_failure_runs WHERE key = ?`,
      )
      .get(key) as FailureRunRow | undefined;
    if (row === undefined) return null;
    return {
      failures: row.failures,
      firstAt: row.firstAt,
      lastAt: row.lastAt,
      evidence: JSON.parse(row.evidenceJson) as FailureRunEvidence,
    };
  }

  /** Saves the run of `key`, replacing the one saved before. */
  save(key: string, run: FailureRun, at: number): void {
    this.db
      .prepare(
        `INSERT INTO connection_failure_runs (key, failures, first_at, last_at, evidence_json, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
           first_at = excluded.first_at, last_at = excluded.last_at,
           evidence_json = excluded.evidence_json, updated_at = excluded.updated_at`,
      )
      .run(key, run.failures, run.firstAt, run.lastAt, JSON.stringify(run.evidence), at);
  }

  /** Deletes the run of `key`, because the provider accepted a delivery or replied. */
  delete(key: string): void {
    this.db.prepare("DELETE FROM connection_failure_runs WHERE key = ?").run(key);
  }
}
