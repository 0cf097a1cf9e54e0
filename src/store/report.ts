import { describeChange } from "./changes.js";
import type { HistoryStore } from "./history.js";
import type { HistoryFilter } from "./incidents.js";
import type { Incident, RemovalRequest, StateChange } from "./types.js";

/** Version of the JSON output of `delist history`; docs/history.schema.json describes it. */
export const HISTORY_SCHEMA_VERSION = 1;

/** An incident as `delist history` reports it. */
export interface IncidentReport {
  readonly id: number;
  readonly key: string;
  readonly kind: string;
  readonly subject: string;
  readonly status: "open" | "closed";
  readonly openedAt: string;
  readonly closedAt: string | null;
  /** Hours from opening to closing, or to `generatedAt` while open. */
  readonly hours: number;
  readonly openEvidence: object;
  readonly closeEvidence: object | null;
}

/** A state change as `delist history` reports it. */
export interface ChangeReport {
  readonly id: number;
  readonly at: string;
  readonly key: string;
  readonly kind: string;
  readonly subject: string;
  readonly change: string;
  readonly previous: string | null;
  readonly value: string;
  readonly summary: string;
  readonly incidentId: number | null;
  readonly evidence: object;
}

/** The body of `delist history --format json`, without the tool header. */
export interface HistoryReport {
  readonly since: string | null;
  readonly incidents: readonly IncidentReport[];
  readonly changes: readonly ChangeReport[];
  readonly removalRequests: ReadonlyArray<{
    readonly id: number;
    readonly provider: string;
    readonly ip: string;
    readonly requestedAt: string;
    readonly forced: boolean;
    readonly incidentId: number | null;
    readonly note: string | null;
  }>;
}

const HOUR_MS = 60 * 60 * 1000;

/** Reads incidents, state changes and removal requests for the report, oldest first. */
export function buildHistoryReport(
  store: HistoryStore,
  filter: HistoryFilter,
  now: number,
): HistoryReport {
  const removals = store.incidents
    .removals(null, null)
    .filter((r) => filter.since === undefined || r.requestedAt >= filter.since)
    .reverse();
  return {
    since: filter.since === undefined ? null : iso(filter.since),
    incidents: store.incidents.incidents(filter).map((incident) => incidentReport(incident, now)),
    changes: store.incidents.changes(filter).map(changeReport),
    removalRequests: removals.map(removalReport),
  };
}

/** Converts an incident for reports. */
export function incidentReport(incident: Incident, now: number): IncidentReport {
  const end = incident.closedAt ?? now;
  return {
    id: incident.id,
    key: incident.key,
    kind: incident.kind,
    subject: incident.subject,
    status: incident.closedAt === null ? "open" : "closed",
    openedAt: iso(incident.openedAt),
    closedAt: incident.closedAt === null ? null : iso(incident.closedAt),
    hours: Math.round(((end - incident.openedAt) / HOUR_MS) * 10) / 10,
    openEvidence: incident.openEvidence,
    closeEvidence: incident.closeEvidence,
  };
}

function changeReport(change: StateChange): ChangeReport {
  return {
    id: change.id,
    at: iso(change.at),
    key: change.key,
    kind: change.kind,
    subject: change.subject,
    change: change.change,
    previous: change.previous,
    value: change.value,
    summary: describeChange(change.change, change.subject, change.value),
    incidentId: change.incidentId,
    evidence: change.evidence,
  };
}

function removalReport(request: RemovalRequest): HistoryReport["removalRequests"][number] {
  return {
    id: request.id,
    provider: request.provider,
    ip: request.ip,
    requestedAt: iso(request.requestedAt),
    forced: request.forced,
    incidentId: request.incidentId,
    note: request.note,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
