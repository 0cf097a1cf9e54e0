import { classifyChange, closesIncident, describeChange, opensIncident } from "./changes.js";
import type { Db } from "./database.js";
import { toIncident, type IncidentRow } from "./rows.js";
import type { AlertPayload, Incident, Observation, StateChange, StateValue } from "./types.js";

/** The current value of a watched thing. */
export interface CurrentState {
  readonly key: string;
  readonly kind: string;
  readonly subject: string;
  readonly value: StateValue;
  /** When the value was first seen. */
  readonly since: number;
  readonly checkedAt: number;
}

/**
 * The watched states and their changes. `observe` is the only writer: in one transaction it
 * updates the state, records the change, opens or closes the incident and queues one alert per
 * channel. A crash therefore leaves either all of it or none, and an alert queued before a
 * crash is still sent after the restart, once.
 */
export class StateRepository {
  constructor(private readonly db: Db) {}

  /** Returns the current state of `key`, or null when it was never observed. */
  get(key: string): CurrentState | null {
    const row = this.db
      .prepare(
        "SELECT key, kind, subject, value, since, checked_at AS checkedAt FROM states WHERE key = ?",
      )
      .get(key) as CurrentState | undefined;
    return row ?? null;
  }

  /** Lists every current state, ordered by key. */
  list(): CurrentState[] {
    return this.db
      .prepare(
        "SELECT key, kind, subject, value, since, checked_at AS checkedAt FROM states ORDER BY key",
      )
      .all() as CurrentState[];
  }

  /**
   * Records an observation and returns the change it makes, or null when it changes nothing
   * that raises an alert. `channels` are the alert channels to queue the change on.
   */
  observe(observation: Observation, channels: readonly string[]): StateChange | null {
    return this.db.transaction(() => this.observeInTransaction(observation, channels))();
  }

  private observeInTransaction(
    observation: Observation,
    channels: readonly string[],
  ): StateChange | null {
    const current = this.get(observation.key);
    const previous = current?.value ?? null;
    this.saveState(observation, current);
    const change = classifyChange(observation.kind, previous, observation.value);
    if (change === null) return null;

    let incident = this.openIncident(observation.key);
    if (opensIncident(change) && incident === null) incident = this.insertIncident(observation);
    if (closesIncident(change) && incident !== null) incident = this.close(incident, observation);
    const recorded = this.insertChange(observation, change, previous, incident);
    for (const channel of channels) this.queueAlert(recorded, incident, channel);
    return recorded;
  }

  private saveState(observation: Observation, current: CurrentState | null): void {
    const since =
      current !== null && current.value === observation.value ? current.since : observation.at;
    this.db
      .prepare(
        `INSERT INTO states (key, kind, subject, value, since, checked_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, subject = excluded.subject,
           since = excluded.since, checked_at = excluded.checked_at`,
      )
      .run(
        observation.key,
        observation.kind,
        observation.subject,
        observation.value,
        since,
        observation.at,
      );
  }

  private openIncident(key: string): Incident | null {
    const row = this.db
      .prepare("SELECT * FROM incidents WHERE key = ? AND closed_at IS NULL")
      .get(key) as IncidentRow | undefined;
    return row === undefined ? null : toIncident(row);
  }

  private insertIncident(observation: Observation): Incident {
    const evidence = JSON.stringify(observation.evidence);
    const result = this.db
      .prepare(
        `INSERT INTO incidents (key, kind, subject, opened_at, open_evidence_json)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(observation.key, observation.kind, observation.subject, observation.at, evidence);
    return {
      id: Number(result.lastInsertRowid),
      key: observation.key,
      kind: observation.kind,
      subject: observation.subject,
      openedAt: observation.at,
      closedAt: null,
      openEvidence: observation.evidence,
      closeEvidence: null,
    };
  }

  private close(incident: Incident, observation: Observation): Incident {
    this.db
      .prepare("UPDATE incidents SET closed_at = ?, close_evidence_json = ? WHERE id = ?")
      .run(observation.at, JSON.stringify(observation.evidence), incident.id);
    return { ...incident, closedAt: observation.at, closeEvidence: observation.evidence };
  }

  private insertChange(
    observation: Observation,
    change: StateChange["change"],
    previous: StateValue | null,
    incident: Incident | null,
  ): StateChange {
    const result = this.db
      .prepare(
        `INSERT INTO state_changes
           (key, kind, subject, change, previous, value, at, run_id, incident_id, evidence_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        observation.key,
        observation.kind,
        observation.subject,
        change,
        previous,
        observation.value,
        observation.at,
        observation.runId,
        incident?.id ?? null,
        JSON.stringify(observation.evidence),
      );
    return {
      id: Number(result.lastInsertRowid),
      key: observation.key,
      kind: observation.kind,
      subject: observation.subject,
      change,
      previous,
      value: observation.value,
      at: observation.at,
      runId: observation.runId,
      incidentId: incident?.id ?? null,
      evidence: observation.evidence,
    };
  }

  private queueAlert(change: StateChange, incident: Incident | null, channel: string): void {
    const payload: AlertPayload = {
      schemaVersion: 1,
      alertKey: `delist-change-${change.id}-${change.at}-${channel}`,
      change: change.change,
      key: change.key,
      kind: change.kind,
      subject: change.subject,
      previous: change.previous,
      value: change.value,
      at: new Date(change.at).toISOString(),
      summary: describeChange(change.change, change.subject, change.value),
      incident:
        incident === null
          ? null
          : {
              id: incident.id,
              openedAt: new Date(incident.openedAt).toISOString(),
              closedAt:
                incident.closedAt === null ? null : new Date(incident.closedAt).toISOString(),
            },
      evidence: change.evidence,
    };
    this.db
      .prepare(
        `INSERT INTO alerts (change_id, channel, payload_json, status, attempts, next_attempt_at)
         VALUES (?, ?, ?, 'pending', 0, ?)`,
      )
      .run(change.id, channel, JSON.stringify(payload), change.at);
  }
}
