import type { Db } from "./database.js";
import {
  toChange,
  toIncident,
  toRemoval,
  type ChangeRow,
  type IncidentRow,
  type RemovalRow,
} from "./rows.js";
import type { Incident, RemovalRequest, StateChange } from "./types.js";

/** Filters of the history queries; every field is optional. */
export interface HistoryFilter {
  /** Only what happened (or, for incidents, was still open) at or after this time. */
  readonly since?: number;
  /** Only this state key, such as `block:gmail:192.0.2.1`. */
  readonly key?: string;
}

/** Reads incidents and state changes, and records removal requests. */
export class IncidentRepository {
  constructor(private readonly db: Db) {}

  /** Returns the open incident of `key`, else the most recently opened one, else null. */
  latest(key: string): Incident | null {
    const row = this.db
      .prepare(
        "SELECT * FROM incidents WHERE key = ? ORDER BY closed_at IS NULL DESC, opened_at DESC, id DESC LIMIT 1",
      )
      .get(key) as IncidentRow | undefined;
    return row === undefined ? null : toIncident(row);
  }

  /** Lists incidents oldest first; with `since`, those still open then or opened after. */
  incidents(filter: HistoryFilter = {}): Incident[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM incidents
         WHERE (@since IS NULL OR closed_at IS NULL OR closed_at >= @since)
           AND (@key IS NULL OR key = @key)
         ORDER BY opened_at, id`,
      )
      .all({ since: filter.since ?? null, key: filter.key ?? null }) as IncidentRow[];
    return rows.map(toIncident);
  }

  /** Lists state changes oldest first. */
  changes(filter: HistoryFilter = {}): StateChange[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM state_changes
         WHERE (@since IS NULL OR at >= @since) AND (@key IS NULL OR key = @key)
         ORDER BY at, id`,
      )
      .all({ since: filter.since ?? null, key: filter.key ?? null }) as ChangeRow[];
    return rows.map(toChange);
  }

  /**
   * Returns the paths of the logs whose checks recorded a change of incident `incidentId`, as
   * the log job stores them in its runs (resolved, so absolute). The log of the latest change
   * comes first.
   */
  logPaths(incidentId: number): string[] {
    const rows = this.db
      .prepare(
        `SELECT json_extract(runs.detail_json, '$.path') AS path
         FROM state_changes JOIN runs ON runs.id = state_changes.run_id
         WHERE state_changes.incident_id = ? AND runs.kind = 'logs' AND path IS NOT NULL
         GROUP BY path
         ORDER BY MAX(state_changes.id) DESC`,
      )
      .all(incidentId) as Array<{ path: string }>;
    return rows.map((row) => row.path);
  }

  /** Records a removal request and returns it. */
  addRemoval(request: Omit<RemovalRequest, "id">): RemovalRequest {
    const result = this.db
      .prepare(
        `INSERT INTO removal_requests (provider, ip, incident_id, requested_at, forced, note)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        request.provider,
        request.ip,
        request.incidentId,
        request.requestedAt,
        request.forced ? 1 : 0,
        request.note,
      );
    return { id: Number(result.lastInsertRowid), ...request };
  }

  /** Lists the removal requests of a provider and IP (all when both are null), newest first. */
  removals(provider: string | null, ip: string | null): RemovalRequest[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM removal_requests
         WHERE (@provider IS NULL OR provider = @provider) AND (@ip IS NULL OR ip = @ip)
         ORDER BY requested_at DESC, id DESC`,
      )
      .all({ provider, ip }) as RemovalRow[];
    return rows.map(toRemoval);
  }
}
