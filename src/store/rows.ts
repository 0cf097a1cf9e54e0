import type {
  AlertPayload,
  AlertRecord,
  AlertStatus,
  ChangeKind,
  Incident,
  RemovalRequest,
  StateChange,
  StateKind,
} from "./types.js";

/** Parses a JSON column written by this store. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** A row of `incidents` as better-sqlite3 returns it. */
export interface IncidentRow {
  id: number;
  key: string;
  kind: string;
  subject: string;
  opened_at: number;
  closed_at: number | null;
  open_evidence_json: string;
  close_evidence_json: string | null;
}

/** Converts an `incidents` row. */
export function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind as StateKind,
    subject: row.subject,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    openEvidence: parseJson<object>(row.open_evidence_json),
    closeEvidence:
      row.close_evidence_json === null ? null : parseJson<object>(row.close_evidence_json),
  };
}

/** A row of `state_changes`. */
export interface ChangeRow {
  id: number;
  key: string;
  kind: string;
  subject: string;
  change: string;
  previous: string | null;
  value: string;
  at: number;
  run_id: number | null;
  incident_id: number | null;
  evidence_json: string;
}

/** Converts a `state_changes` row. */
export function toChange(row: ChangeRow): StateChange {
  return {
    id: row.id,
    key: row.key,
    kind: row.kind as StateKind,
    subject: row.subject,
    change: row.change as ChangeKind,
    previous: row.previous,
    value: row.value,
    at: row.at,
    runId: row.run_id,
    incidentId: row.incident_id,
    evidence: parseJson<object>(row.evidence_json),
  };
}

/** A row of `removal_requests`. */
export interface RemovalRow {
  id: number;
  provider: string;
  ip: string;
  incident_id: number | null;
  requested_at: number;
  forced: number;
  note: string | null;
}

/** Converts a `removal_requests` row. */
export function toRemoval(row: RemovalRow): RemovalRequest {
  return {
    id: row.id,
    provider: row.provider,
    ip: row.ip,
    incidentId: row.incident_id,
    requestedAt: row.requested_at,
    forced: row.forced === 1,
    note: row.note,
  };
}

/** A row of `alerts`. */
export interface AlertRow {
  id: number;
  change_id: number;
  channel: string;
  payload_json: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
  held: number;
}

/** Converts an `alerts` row. */
export function toAlert(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    changeId: row.change_id,
    channel: row.channel,
    payload: parseJson<AlertPayload>(row.payload_json),
    status: row.status as AlertStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
    lastError: row.last_error,
    held: row.held === 1,
  };
}
