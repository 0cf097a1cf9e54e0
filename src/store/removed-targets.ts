import type { Db } from "./database.js";
import type { Incident, StateChange } from "./types.js";

/** The value that a `target-removed` change records: no job checks the state any more. */
export const UNWATCHED_VALUE = "unwatched";

/**
 * Closes the open `incident` of a target that the monitor's configuration no longer names, at
 * `at`, and records a `target-removed` change with `evidence` (the reason and the target). The
 * state, its lift progress and its run of failed connections are deleted, so that a target
 * added back starts from its first observation and a block or listing then opens a new
 * incident. No alert is queued, because the operator removed the target. Runs inside the
 * caller's transaction.
 */
export function closeRemovedTarget(
  db: Db,
  incident: Incident,
  at: number,
  evidence: object,
): StateChange {
  const state = db.prepare("SELECT value FROM states WHERE key = ?").get(incident.key) as
    { value: string } | undefined;
  const evidenceJson = JSON.stringify(evidence);
  db.prepare(
    "UPDATE incidents SET closed_at = ?, close_evidence_json = ? WHERE id = ? AND closed_at IS NULL",
  ).run(at, evidenceJson, incident.id);
  const result = db
    .prepare(
      `INSERT INTO state_changes
         (key, kind, subject, change, previous, value, at, observed_at, run_id, incident_id,
          evidence_json)
       VALUES (?, ?, ?, 'target-removed', ?, ?, ?, ?, NULL, ?, ?)`,
    )
    .run(
      incident.key,
      incident.kind,
      incident.subject,
      state?.value ?? null,
      UNWATCHED_VALUE,
      at,
      at,
      incident.id,
      evidenceJson,
    );
  for (const table of ["states", "block_lift_progress", "connection_failure_runs"]) {
    db.prepare(`DELETE FROM ${table} WHERE key = ?`).run(incident.key);
  }
  return {
    id: Number(result.lastInsertRowid),
    key: incident.key,
    kind: incident.kind,
    subject: incident.subject,
    change: "target-removed",
    previous: state?.value ?? null,
    value: UNWATCHED_VALUE,
    at,
    runId: null,
    incidentId: incident.id,
    evidence,
  };
}
