/**
 * The schema of the history database, one migration per schema version. `PRAGMA user_version`
 * contains the number of migrations applied. A migration is never edited once released: a change
 * is a new migration at the end, so a database written by any earlier version upgrades in place.
 *
 * Times are integers in milliseconds since the Unix epoch (UTC). Columns holding JSON are TEXT
 * and end in `_json`.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    outcome TEXT,
    detail_json TEXT
  );
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    finding_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    evidence_json TEXT NOT NULL
  );
  CREATE INDEX findings_run ON findings (run_id);

  CREATE TABLE blocklist_results (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    target TEXT NOT NULL,
    list TEXT NOT NULL,
    status TEXT NOT NULL,
    meaning TEXT,
    codes_json TEXT NOT NULL
  );
  CREATE INDEX blocklist_results_run ON blocklist_results (run_id);

  CREATE TABLE dns_results (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    subject TEXT NOT NULL,
    check_name TEXT NOT NULL,
    verdict TEXT NOT NULL,
    explanation TEXT NOT NULL
  );
  CREATE INDEX dns_results_run ON dns_results (run_id);

  CREATE TABLE probes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    target TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sender TEXT NOT NULL,
    provider TEXT NOT NULL,
    ip TEXT,
    mx_host TEXT,
    mx_address TEXT,
    mx_port INTEGER,
    status TEXT NOT NULL,
    detail TEXT NOT NULL,
    forced INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    result_json TEXT NOT NULL
  );
  CREATE INDEX probes_target ON probes (target, started_at);

  CREATE TABLE states (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    value TEXT NOT NULL,
    since INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
  );

  CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    open_evidence_json TEXT NOT NULL,
    close_evidence_json TEXT
  );
  CREATE UNIQUE INDEX incidents_open ON incidents (key) WHERE closed_at IS NULL;
  CREATE INDEX incidents_opened ON incidents (opened_at);

  CREATE TABLE state_changes (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    change TEXT NOT NULL,
    previous TEXT,
    value TEXT NOT NULL,
    at INTEGER NOT NULL,
    run_id INTEGER REFERENCES runs (id),
    incident_id INTEGER REFERENCES incidents (id),
    evidence_json TEXT NOT NULL
  );
  CREATE INDEX state_changes_at ON state_changes (at);

  CREATE TABLE removal_requests (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    ip TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents (id),
    requested_at INTEGER NOT NULL,
    forced INTEGER NOT NULL,
    note TEXT
  );
  CREATE INDEX removal_requests_subject ON removal_requests (provider, ip, requested_at);

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    change_id INTEGER NOT NULL REFERENCES state_changes (id),
    channel TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT,
    UNIQUE (change_id, channel)
  );
  CREATE INDEX alerts_pending ON alerts (status, next_attempt_at);

  CREATE TABLE log_positions (
    path TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    fingerprint_bytes INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Version 2: an alert queued inside the flap window of its key is held (held = 1) until the
  // window ends, and a newer change of the key supersedes it.
  `
  ALTER TABLE alerts ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX state_changes_key ON state_changes (key, id);
  CREATE INDEX alerts_change ON alerts (change_id);
  `,
  // Version 3: a change seen in a log is dated by the log line that shows it (`at`), which can
  // be long before the monitor recorded it (`observed_at`). The flap window counts from
  // `observed_at`, because alerts go out when a change is recorded. NULL in older rows means
  // `at`.
  `
  ALTER TABLE state_changes ADD COLUMN observed_at INTEGER;
  `,
  // Version 4: states, changes and incidents may have the kind `connection` (whether this
  // server can connect to a provider) and the changes `outage-started` and `outage-ended`. No
  // table changes, because kinds and changes are free TEXT. A delist that supports only version 3
  // has no summary for these changes and throws a TypeError in `delist history`. The new version
  // number makes it reject the database with its "upgrade delist" message instead.
  `
  -- No statements: this version marks the new values only.
  `,
  // Version 5: the run of failed connections to a provider, per connection state key, carries
  // over between log windows. `evidence_json` contains the run's first failure and its fix.
  `
  CREATE TABLE connection_failure_runs (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    evidence_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Version 6: a read position carries the identity of its file (device, inode and birth time,
  // `DEVICE:INODE:BIRTH_NS`), which finds the rotated copy of a file that was empty when it was
  // last read. NULL when the file system reports no inode, and in rows of older versions.
  `
  ALTER TABLE log_positions ADD COLUMN file_id TEXT;
  `,
  // Version 7: the progress of each block state towards its lift carries over between log
  // windows, in log time. `last_block_at` is the last block reply. `deliveries` counts the
  // deliveries that the provider's own MX accepted after it, up to the count that lifts a block,
  // and `last_delivery_at` is the latest of them (NULL while there is none).
  `
  CREATE TABLE block_lift_progress (
    key TEXT PRIMARY KEY,
    last_block_at INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    last_delivery_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  `,
  // Version 8: an outage that ended, but has not recovered by diagnose's rule (`hasRecovered`),
  // keeps its row in `connection_failure_runs` with its progress towards recovery.
  // `recovery_ended_at` is the delivery or reply that ended the failures, `recovery_deliveries`
  // counts the deliveries accepted since, and `recovery_last_delivery_at` is the latest of them.
  // All three are NULL while the run goes on. Version 7 kept them in `evidence_json` under
  // `recovery` (`endedAt`, `deliveries`, `lastDelivery`), so they move from there.
  `
  ALTER TABLE connection_failure_runs ADD COLUMN recovery_ended_at INTEGER;
  ALTER TABLE connection_failure_runs ADD COLUMN recovery_deliveries INTEGER;
  ALTER TABLE connection_failure_runs ADD COLUMN recovery_last_delivery_at INTEGER;
  UPDATE connection_failure_runs SET
    recovery_ended_at = json_extract(evidence_json, '$.recovery.endedAt'),
    recovery_deliveries = json_extract(evidence_json, '$.recovery.deliveries'),
    recovery_last_delivery_at = json_extract(evidence_json, '$.recovery.lastDelivery'),
    evidence_json = json_remove(evidence_json, '$.recovery')
  WHERE json_type(evidence_json, '$.recovery') = 'object';
  `,
  // Version 9: state changes may have the change `target-removed` with the value `unwatched`: the
  // monitor closed the incident of a target removed from its configuration. No table changes.
  // A delist that supports only version 8 has no summary for this change and throws a TypeError
  // in `delist history`. The new version number makes it reject the database with its "upgrade
  // delist" message instead.
  `
  -- No statements: this version marks the new values only.
  `,
  // Version 10: the lift progress of a block state keeps, as a JSON array of strings, the outgoing
  // sources (`postfix-out1`, an Exim interface address) whose block replies named its IP. Their
  // acceptances then lift the block in later log windows too. NULL in older rows means none.
  `
  ALTER TABLE block_lift_progress ADD COLUMN sources_json TEXT;
  `,
  // Version 11: the lift progress of a block state records whether an attempt after the last
  // block reply was not accepted (1) or not (0), because a block also lifts after hours without
  // a block reply in which every attempt was accepted. Older rows did not record it, so they get
  // 1 and lift only by the count of deliveries.
  `
  ALTER TABLE block_lift_progress ADD COLUMN failed_after INTEGER NOT NULL DEFAULT 1;
  `,
  // Version 12: whether each followed log has shown outbound delivery carries over between log
  // checks, restarts and `--once` runs, in log time. `outbound_at` is the last line of the
  // latest read that showed outbound delivery (NULL while none has). `first_line_without_at` is
  // the first line of the reads without it (NULL once one showed it), and `warned_at` is when
  // the monitor warned about the log (NULL while it has not).
  `
  CREATE TABLE log_outbound_states (
    path TEXT PRIMARY KEY,
    outbound_at INTEGER,
    first_line_without_at INTEGER,
    warned_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  `,
];
