import {
  classifyChange,
  closesIncident,
  describeChange,
  describePastBlock,
  opensIncident,
} from "./changes.js";
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
   *
   * A change is dated by `observation.occurredAt` when the evidence shows an earlier start (see
   * `changeTime`), and its alerts are queued to go out at once all the same. A change recorded
   * less than `flapWindowMs` after the change of the last alert of its key on a channel was
   * recorded is queued held until that window ends. It supersedes any alert of the key still
   * held, so that only the latest state of a flapping key goes out, and the dispatcher drops it
   * when it reports the state that the last sent alert already reported. A window of 0 queues
   * every alert to go out at once.
   */
  observe(
    observation: Observation,
    channels: readonly string[],
    flapWindowMs = 0,
  ): StateChange | null {
    return this.db.transaction(() =>
      this.observeInTransaction(observation, channels, flapWindowMs),
    )();
  }

  private observeInTransaction(
    observation: Observation,
    channels: readonly string[],
    flapWindowMs: number,
  ): StateChange | null {
    const current = this.get(observation.key);
    const previous = current?.value ?? null;
    const at = changeTime(observation, current);
    this.saveState(observation, current, at);
    const change = classifyChange(observation.kind, previous, observation.value);
    if (change === null) return null;

    let incident = this.openIncident(observation.key);
    if (opensIncident(change) && incident === null) {
      incident = this.insertIncident(observation, at);
    }
    if (closesIncident(change) && incident !== null) {
      incident = this.close(incident, observation, at);
    }
    const recorded = this.insertChange(observation, change, previous, incident, at);
    // A past value alerts once, on its end, so that no alert reports a block already over as new.
    if (observation.past === true && !closesIncident(change)) return recorded;
    const summary =
      observation.past === true && previous !== null && incident !== null
        ? describePastBlock(observation.subject, previous, incident.openedAt, at)
        : describeChange(change, observation.subject, observation.value);
    for (const channel of channels) {
      this.queueAlert(recorded, incident, channel, flapWindowMs, observation.at, summary);
    }
    return recorded;
  }

  private saveState(observation: Observation, current: CurrentState | null, at: number): void {
    const since = current !== null && current.value === observation.value ? current.since : at;
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

  private insertIncident(observation: Observation, openedAt: number): Incident {
    const evidence = JSON.stringify(observation.evidence);
    const result = this.db
      .prepare(
        `INSERT INTO incidents (key, kind, subject, opened_at, open_evidence_json)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(observation.key, observation.kind, observation.subject, openedAt, evidence);
    return {
      id: Number(result.lastInsertRowid),
      key: observation.key,
      kind: observation.kind,
      subject: observation.subject,
      openedAt,
      closedAt: null,
      openEvidence: observation.evidence,
      closeEvidence: null,
    };
  }

  private close(incident: Incident, observation: Observation, closedAt: number): Incident {
    this.db
      .prepare("UPDATE incidents SET closed_at = ?, close_evidence_json = ? WHERE id = ?")
      .run(closedAt, JSON.stringify(observation.evidence), incident.id);
    return { ...incident, closedAt, closeEvidence: observation.evidence };
  }

  private insertChange(
    observation: Observation,
    change: StateChange["change"],
    previous: StateValue | null,
    incident: Incident | null,
    at: number,
  ): StateChange {
    const result = this.db
      .prepare(
        `INSERT INTO state_changes
           (key, kind, subject, change, previous, value, at, observed_at, run_id, incident_id,
            evidence_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        observation.key,
        observation.kind,
        observation.subject,
        change,
        previous,
        observation.value,
        at,
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
      at,
      runId: observation.runId,
      incidentId: incident?.id ?? null,
      evidence: observation.evidence,
    };
  }

  private queueAlert(
    change: StateChange,
    incident: Incident | null,
    channel: string,
    flapWindowMs: number,
    observedAt: number,
    summary: string,
  ): void {
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
      summary,
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
    this.supersedeHeld(change, channel);
    const windowStart = flapWindowMs > 0 ? this.lastAlertObservedAt(change.key, channel) : null;
    const holdUntil = windowStart === null ? null : windowStart + flapWindowMs;
    const held = holdUntil !== null && observedAt < holdUntil;
    this.db
      .prepare(
        `INSERT INTO alerts
           (change_id, channel, payload_json, status, attempts, next_attempt_at, held)
         VALUES (?, ?, ?, 'pending', 0, ?, ?)`,
      )
      .run(
        change.id,
        channel,
        JSON.stringify(payload),
        held ? holdUntil : observedAt,
        held ? 1 : 0,
      );
  }

  /**
   * Returns when the change of the last alert of `key` on `channel` that was sent, given up, or
   * queued to go out at once was recorded, or null when there is none. Superseded and held
   * alerts do not count, so a key that keeps flapping pages about once per window, not on every
   * change.
   */
  private lastAlertObservedAt(key: string, channel: string): number | null {
    const row = this.db
      .prepare(
        `SELECT COALESCE(c.observed_at, c.at) AS at FROM alerts a
         JOIN state_changes c ON c.id = a.change_id
         WHERE c.key = ? AND a.channel = ?
           AND (a.status IN ('sent', 'failed') OR (a.status = 'pending' AND a.held = 0))
         ORDER BY a.id DESC LIMIT 1`,
      )
      .get(key, channel) as { at: number } | undefined;
    return row?.at ?? null;
  }

  private supersedeHeld(change: StateChange, channel: string): void {
    this.db
      .prepare(
        `UPDATE alerts SET status = 'superseded', last_error = ?
         WHERE status = 'pending' AND held = 1 AND channel = ?
           AND change_id IN (SELECT id FROM state_changes WHERE key = ? AND id < ?)`,
      )
      .run(`superseded by the alert of change ${change.id}`, channel, change.key, change.id);
  }
}

/**
 * Returns the time a change is dated: `occurredAt` when the evidence shows that the value began
 * before it was observed, else `at`. It is never earlier than the time the previous value was
 * first seen, so that an old log line does not date a block before the lift that ended the
 * last incident.
 */
function changeTime(observation: Observation, current: CurrentState | null): number {
  const { at, occurredAt } = observation;
  if (occurredAt === undefined || !Number.isFinite(occurredAt) || occurredAt >= at) return at;
  if (current === null || current.value === observation.value) return occurredAt;
  return Math.max(occurredAt, current.since);
}
