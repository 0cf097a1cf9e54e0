import type { Db } from "./database.js";

/**
 * The outbound delivery record of one followed log, across its reads. Log times are the log's
 * own times in ms since the epoch.
 */
export interface OutboundState {
  /**
   * Log time of the last line of the latest read that showed outbound delivery (the time of
   * the check when that read had no dated line), or null while no read has shown it.
   */
  readonly outboundAt: number | null;
  /**
   * Log time of the first line of the reads without outbound delivery since the last read that
   * showed it, or null when no such read had a dated line or when the latest read showed it.
   */
  readonly firstLineWithoutAt: number | null;
  /** Time of the monitor's warning that the log shows no outbound delivery, or null. */
  readonly warnedAt: number | null;
}

/** The outbound delivery state of followed logs, keyed by the resolved log path. */
export class OutboundStateRepository {
  constructor(private readonly db: Db) {}

  /** Returns the state of `path`, or null when no read of it was recorded. */
  get(path: string): OutboundState | null {
    const row = this.db
      .prepare(
        `SELECT outbound_at AS outboundAt, first_line_without_at AS firstLineWithoutAt,
           warned_at AS warnedAt
         FROM log_outbound_states WHERE path = ?`,
      )
      .get(path) as OutboundState | undefined;
    return row ?? null;
  }

  /** Saves the state of `path`, replacing the one saved before. */
  save(path: string, state: OutboundState, at: number): void {
    this.db
      .prepare(
        `INSERT INTO log_outbound_states
           (path, outbound_at, first_line_without_at, warned_at, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (path) DO UPDATE SET outbound_at = excluded.outbound_at,
           first_line_without_at = excluded.first_line_without_at,
           warned_at = excluded.warned_at, updated_at = excluded.updated_at`,
      )
      .run(path, state.outboundAt, state.firstLineWithoutAt, state.warnedAt, at);
  }
}
