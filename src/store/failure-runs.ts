import { DAY_MS } from "./clock.js";
import type { Db } from "./database.js";

/**
 * How long a run of failed connections is kept after its last failure (see `deleteIdle`). 5 days
 * is the default `maximal_queue_lifetime` of Postfix (qmgr(8)), after which Postfix returns a
 * message that it could not deliver. By then no message of the run is retried, and the row of a
 * provider that this server no longer sends to would otherwise stay for ever.
 */
export const FAILURE_RUN_MAX_AGE_MS = 5 * DAY_MS;

/**
 * Failed connections in a row to one provider from one connection source, with no accepted
 * delivery and no SMTP reply from the provider between them, counted across log windows. Once
 * such a run is an outage (OUTAGE_MIN_FAILURES failures) and a delivery or reply ends it, the
 * run stays stored with its `recovery` until the provider has recovered by the rule of
 * `hasRecovered` in diagnose.
 */
export interface FailureRun {
  readonly failures: number;
  /** Time of the first failure of the run. */
  readonly firstAt: number;
  /** Time of the latest failure of the run. */
  readonly lastAt: number;
  readonly evidence: FailureRunEvidence;
  /** The progress towards recovery of an outage that ended, or null while the run goes on. */
  readonly recovery: FailureRunRecovery | null;
}

/** The part of a connection state's `outage` evidence that comes from the run's first failure. */
export interface FailureRunEvidence {
  /** The first failure, with the fields of `outage.first`. */
  readonly first: object;
  /** Steps to check and change, such as opening outbound port 25. */
  readonly fix: readonly string[];
}

/** The deliveries that an outage's provider accepted after the outage ended, in log time. */
export interface FailureRunRecovery {
  /** Time of the delivery or SMTP reply that ended the failures. */
  readonly endedAt: number;
  /** Deliveries accepted at or after `endedAt`, counted across log windows. */
  readonly deliveries: number;
  /** Time of the latest of those deliveries, or null when there is none. */
  readonly lastDeliveryAt: number | null;
}

interface FailureRunRow {
  readonly failures: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly evidenceJson: string;
  readonly recoveryEndedAt: number | null;
  readonly recoveryDeliveries: number | null;
  readonly recoveryLastDeliveryAt: number | null;
}

/** The runs of failed connections, keyed by connection state key (`connectionKey`). */
export class FailureRunRepository {
  constructor(private readonly db: Db) {}

  /**
   * Returns the run of `key`, or null when none is stored: no failure came after the last
   * delivery or reply, or the outage they ended has recovered.
   */
  get(key: string): FailureRun | null {
    const row = this.db
      .prepare(
        `SELECT failures, first_at AS firstAt, last_at AS lastAt, evidence_json AS evidenceJson,
           recovery_ended_at AS recoveryEndedAt, recovery_deliveries AS recoveryDeliveries,
           recovery_last_delivery_at AS recoveryLastDeliveryAt
         FROM connection_failure_runs WHERE key = ?`,
      )
      .get(key) as FailureRunRow | undefined;
    if (row === undefined) return null;
    return {
      failures: row.failures,
      firstAt: row.firstAt,
      lastAt: row.lastAt,
      evidence: JSON.parse(row.evidenceJson) as FailureRunEvidence,
      recovery:
        row.recoveryEndedAt === null
          ? null
          : {
              endedAt: row.recoveryEndedAt,
              deliveries: row.recoveryDeliveries ?? 0,
              lastDeliveryAt: row.recoveryLastDeliveryAt,
            },
    };
  }

  /** Saves the run of `key`, replacing the one saved before. */
  save(key: string, run: FailureRun, at: number): void {
    const { recovery } = run;
    this.db
      .prepare(
        `INSERT INTO connection_failure_runs (key, failures, first_at, last_at, evidence_json,
           recovery_ended_at, recovery_deliveries, recovery_last_delivery_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
           first_at = excluded.first_at, last_at = excluded.last_at,
           evidence_json = excluded.evidence_json,
           recovery_ended_at = excluded.recovery_ended_at,
           recovery_deliveries = excluded.recovery_deliveries,
           recovery_last_delivery_at = excluded.recovery_last_delivery_at,
           updated_at = excluded.updated_at`,
      )
      .run(
        key,
        run.failures,
        run.firstAt,
        run.lastAt,
        JSON.stringify({ first: run.evidence.first, fix: run.evidence.fix }),
        recovery?.endedAt ?? null,
        recovery?.deliveries ?? null,
        recovery?.lastDeliveryAt ?? null,
        at,
      );
  }

  /**
   * Deletes the run of `key`: a delivery or reply ended a run that was no outage, or the
   * outage has recovered.
   */
  delete(key: string): void {
    this.db.prepare("DELETE FROM connection_failure_runs WHERE key = ?").run(key);
  }

  /**
   * Deletes the runs whose last failure is before `before` (ms since the epoch), also those of
   * an outage that is counting towards its recovery, and returns their keys in sorted order.
   * A run saved at or after `before` is kept, because the failure times come from the log: a
   * backlog of old lines, such as one read with `logsFromStart`, would lose its runs otherwise.
   */
  deleteIdle(before: number): string[] {
    const rows = this.db
      .prepare(
        "DELETE FROM connection_failure_runs WHERE last_at < ? AND updated_at < ? RETURNING key",
      )
      .all(before, before) as { key: string }[];
    return rows.map((row) => row.key).sort();
  }
}
