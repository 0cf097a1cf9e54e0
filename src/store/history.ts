import { AlertRepository } from "./alerts.js";
import { openDatabaseWithVersion, type Db, type OpenOptions } from "./database.js";
import { FailureRunRepository } from "./failure-runs.js";
import { IncidentRepository } from "./incidents.js";
import { FAILED_AFTER_SCHEMA_VERSION, LiftProgressRepository } from "./lift-progress.js";
import { OutboundStateRepository } from "./outbound-states.js";
import { PositionRepository } from "./positions.js";
import { pruneHistory, type PrunedRows } from "./retention.js";
import { ProbeRepository } from "./probes.js";
import { closeRemovedTarget } from "./removed-targets.js";
import { RunRepository } from "./runs.js";
import { StateRepository } from "./states.js";
import type { Incident, StateChange } from "./types.js";

/**
 * The history database and its repositories. Every method is synchronous (better-sqlite3);
 * `transaction` groups writes of several repositories into one atomic step.
 */
export class HistoryStore {
  readonly runs: RunRepository;
  readonly probes: ProbeRepository;
  readonly states: StateRepository;
  readonly incidents: IncidentRepository;
  readonly alerts: AlertRepository;
  readonly positions: PositionRepository;
  readonly failureRuns: FailureRunRepository;
  readonly liftProgress: LiftProgressRepository;
  readonly outboundStates: OutboundStateRepository;
  /**
   * Block state keys whose lift progress was saved before schema version 11, found when this
   * open upgraded the database past it; empty otherwise. Such progress did not record failed
   * attempts, so its block lifts only by the count of deliveries or after a new block reply.
   */
  readonly liftProgressWithoutFailures: readonly string[];
  /** True when this open created the database file, or found it with no schema yet. */
  readonly created: boolean;

  private constructor(
    private readonly db: Db,
    /** The file the store was opened from, or `:memory:`. */
    readonly path: string,
    previousVersion: number,
  ) {
    this.created = previousVersion === 0 && path !== ":memory:";
    this.runs = new RunRepository(db);
    this.probes = new ProbeRepository(db);
    this.states = new StateRepository(db);
    this.incidents = new IncidentRepository(db);
    this.alerts = new AlertRepository(db);
    this.positions = new PositionRepository(db);
    this.failureRuns = new FailureRunRepository(db);
    this.liftProgress = new LiftProgressRepository(db);
    this.outboundStates = new OutboundStateRepository(db);
    const upgradedPastFailures =
      previousVersion > 0 && previousVersion < FAILED_AFTER_SCHEMA_VERSION;
    this.liftProgressWithoutFailures = upgradedPastFailures ? this.liftProgress.keys() : [];
  }

  /**
   * Opens the database at `path` (creating and upgrading it, see `openDatabase` for
   * `options`); throws a StoreError.
   */
  static open(path: string, options: OpenOptions = {}): HistoryStore {
    const { db, previousVersion } = openDatabaseWithVersion(path, options);
    return new HistoryStore(db, path, previousVersion);
  }

  /** Runs `work` in one transaction: it commits when `work` returns and rolls back if it throws. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** Deletes the run details older than `before` in one transaction (see `pruneHistory`). */
  prune(before: number): PrunedRows {
    return this.transaction(() => pruneHistory(this.db, before));
  }

  /**
   * Closes the open incident of a target removed from the configuration in one transaction,
   * and returns the `target-removed` change it records (see `closeRemovedTarget`).
   */
  closeRemovedTarget(incident: Incident, at: number, evidence: object): StateChange {
    return this.transaction(() => closeRemovedTarget(this.db, incident, at, evidence));
  }

  /** Closes the database; the store must not be used afterwards. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
