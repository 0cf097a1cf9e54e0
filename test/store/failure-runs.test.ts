import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { connectionKey, HistoryStore, type FailureRun } from "../../src/store/index.js";
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
