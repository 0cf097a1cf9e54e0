import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { FAILURE_RUN_MAX_AGE_MS } from "../../src/store/failure-runs.js";
import { connectionKey, DAY_MS, HistoryStore, type FailureRun } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const KEY = connectionKey("gmail", "192.0.2.1");

const RUN: FailureRun = {
  failures: 3,
  firstAt: 1_000,
  lastAt: 3_000,
  evidence: {
    first: { time: "1970-01-01T00:00:01Z", text: "connect to mx.example.com: timed out" },
    fix: ["Open outbound port 25."],
  },
  recovery: null,
};

/** RUN as an outage that ended at 4_000 and has two deliveries towards its recovery since. */
const RECOVERING: FailureRun = {
  ...RUN,
  failures: 12,
  recovery: { endedAt: 4_000, deliveries: 2, lastDeliveryAt: 5_000 },
};

/** Writes a database as delist wrote it at schema version 4, with one connection state. */
function writeVersion4(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 4)) db.exec(migration);
  db.pragma("user_version = 4");
  db.prepare(
    `INSERT INTO states (key, kind, subject, value, since, checked_at)
     VALUES (?, 'connection', 'gmail from 192.0.2.1', 'reachable', 500, 500)`,
  ).run(KEY);
  db.close();
}

/**
 * Writes a database at schema version 7 with the row of an outage whose recovery progress is
 * kept in `evidence_json`, as delist wrote it at that version.
 */
function writeVersion7(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 7)) db.exec(migration);
  db.pragma("user_version = 7");
  const evidence = {
    ...RUN.evidence,
    recovery: { endedAt: 4_000, deliveries: 2, lastDelivery: 5_000 },
  };
  db.prepare(
    `INSERT INTO connection_failure_runs (key, failures, first_at, last_at, evidence_json, updated_at)
     VALUES (?, 12, 1000, 3000, ?, 5000)`,
  ).run(KEY, JSON.stringify(evidence));
  db.close();
}

/** Returns the stored columns of the row of KEY, as SQLite has them. */
function rawRow(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  const row = db.prepare("SELECT * FROM connection_failure_runs WHERE key = ?").get(KEY);
  db.close();
  return row as Record<string, unknown>;
}

describe("FailureRunRepository", () => {
  it("saves, replaces and deletes a run", () => {
    const store = HistoryStore.open(":memory:");
    expect(store.failureRuns.get(KEY)).toBeNull();

    store.failureRuns.save(KEY, RUN, 3_000);
    expect(store.failureRuns.get(KEY)).toEqual(RUN);

    store.failureRuns.save(KEY, { ...RUN, failures: 6, lastAt: 6_000 }, 6_000);
    expect(store.failureRuns.get(KEY)?.failures).toBe(6);
    expect(store.failureRuns.get(KEY)?.lastAt).toBe(6_000);
    expect(store.failureRuns.get(connectionKey("gmail", "192.0.2.2"))).toBeNull();

    store.failureRuns.delete(KEY);
    expect(store.failureRuns.get(KEY)).toBeNull();
    store.close();
  });

  it("deletes runs idle past the age", () => {
    const now = 30 * DAY_MS;
    const idleKey = connectionKey("yahoo", "192.0.2.1");
    const store = HistoryStore.open(":memory:");
    const before = now - FAILURE_RUN_MAX_AGE_MS;
    const backlogKey = connectionKey("outlook", "192.0.2.1");
    store.failureRuns.save(KEY, { ...RUN, lastAt: before }, before);
    store.failureRuns.save(idleKey, { ...RUN, lastAt: before - 1 }, before - 1);
    // Old failures saved recently, as when the monitor reads a backlog.
    store.failureRuns.save(backlogKey, { ...RUN, lastAt: before - 1 }, now);

    expect(store.failureRuns.deleteIdle(before)).toEqual([idleKey]);
    expect(store.failureRuns.get(idleKey)).toBeNull();
    expect(store.failureRuns.get(KEY)?.lastAt).toBe(before);
    expect(store.failureRuns.get(backlogKey)?.lastAt).toBe(before - 1);
    expect(FAILURE_RUN_MAX_AGE_MS).toBe(5 * DAY_MS);
    store.close();
  });

  it("keeps recovery progress in columns", () => {
    const path = join(tempDir(), "history.sqlite");
    const store = HistoryStore.open(path);
    store.failureRuns.save(KEY, RECOVERING, 5_000);
    expect(store.failureRuns.get(KEY)).toEqual(RECOVERING);
    store.close();

    const row = rawRow(path);
    expect(row["recovery_ended_at"]).toBe(4_000);
    expect(row["recovery_deliveries"]).toBe(2);
    expect(row["recovery_last_delivery_at"]).toBe(5_000);
    expect(JSON.parse(row["evidence_json"] as string)).toEqual(RUN.evidence);
  });

  it("moves version 7 recovery out of the evidence", () => {
    const path = join(tempDir(), "history.sqlite");
    writeVersion7(path);

    const store = HistoryStore.open(path);
    expect(store.failureRuns.get(KEY)).toEqual(RECOVERING);
    store.close();

    const row = rawRow(path);
    expect(row["recovery_deliveries"]).toBe(2);
    expect(JSON.parse(row["evidence_json"] as string)).toEqual(RUN.evidence);
  });

  it("reads a version 7 run without recovery", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 7)) db.exec(migration);
    db.pragma("user_version = 7");
    db.prepare(
      `INSERT INTO connection_failure_runs (key, failures, first_at, last_at, evidence_json, updated_at)
       VALUES (?, 3, 1000, 3000, ?, 3000)`,
    ).run(KEY, JSON.stringify(RUN.evidence));
    db.close();

    const store = HistoryStore.open(path);
    expect(store.failureRuns.get(KEY)).toEqual(RUN);
    store.close();
  });

  it("upgrades a version 4 database", () => {
    const path = join(tempDir(), "history.sqlite");
    writeVersion4(path);

    const store = HistoryStore.open(path);
    expect(store.states.get(KEY)?.value).toBe("reachable");
    store.failureRuns.save(KEY, RUN, 3_000);
    store.close();

    const reopened = HistoryStore.open(path);
    expect(reopened.failureRuns.get(KEY)).toEqual(RUN);
    reopened.close();
    const db = new Database(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});
