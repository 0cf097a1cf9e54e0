/**
 * The history database: runs, findings, blocklist and DNS results, probes, watched states and
 * their changes, incidents, removal requests, the alert outbox, log read positions, runs of
 * failed connections, the progress of blocks towards their lift and whether each followed log
 * has shown outbound delivery.
 */
export { HistoryStore } from "./history.js";
export {
  defaultDatabasePath,
  openDatabase,
  StoreError,
  storeError,
  describeSqliteError,
  BUSY_TIMEOUT_MS,
  DATABASE_FILE,
  type Db,
} from "./database.js";
export { systemClock, DAY_MS, type Clock } from "./clock.js";
export { MonitorLock, MONITOR_LOCK_SUFFIX } from "./lock.js";
export type { PrunedRows } from "./retention.js";
export { classifyChange, describeChange, isBad } from "./changes.js";
export type { CurrentState } from "./states.js";
export type { HistoryFilter } from "./incidents.js";
export type { ProbeEntry, StoredProbe } from "./probes.js";
export type { LogPosition } from "./positions.js";
export type { FailureRun, FailureRunEvidence, FailureRunRecovery } from "./failure-runs.js";
export type { LiftProgress } from "./lift-progress.js";
export type { OutboundState } from "./outbound-states.js";
export type { RunKind, StoredBlocklistResult, StoredDnsResult, StoredFinding } from "./runs.js";
export * from "./types.js";
export {
  buildHistoryReport,
  HISTORY_SCHEMA_VERSION,
  incidentReport,
  type ChangeReport,
  type HistoryReport,
  type IncidentReport,
} from "./report.js";
