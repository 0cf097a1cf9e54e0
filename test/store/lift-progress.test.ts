import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore, type LiftProgress } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const KEY = blockKey("gmail", "192.0.2.1");
const PROGRESS: LiftProgress = {
  lastBlockAt: 1_000,
  deliveries: 3,
  lastDeliveryAt: 5_000,
  failedAfter: false,
};

describe("LiftProgressRepository", () => {
  it("saves, replaces and deletes progress", () => {
    const store = HistoryStore.open(":memory:");
    expect(store.liftProgress.get(KEY)).toBeNull();

    store.liftProgress.save(KEY, PROGRESS, 6_000);
    expect(store.liftProgress.get(KEY)).toEqual(PROGRESS);

    const restarted = {
      lastBlockAt: 7_000,
      deliveries: 0,
      lastDeliveryAt: null,
      failedAfter: true,
    };
    store.liftProgress.save(KEY, restarted, 7_500);
    expect(store.liftProgress.get(KEY)).toEqual(restarted);

    store.liftProgress.delete(KEY);
    expect(store.liftProgress.get(KEY)).toBeNull();
    store.close();
  });

  it("upgrades a version 6 database", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 6)) db.exec(migration);
    db.pragma("user_version = 6");
    db.close();

    const store = HistoryStore.open(path);
    store.liftProgress.save(KEY, PROGRESS, 6_000);
    store.close();
    const reopened = HistoryStore.open(path);
    expect(reopened.liftProgress.get(KEY)).toEqual(PROGRESS);
    reopened.close();
  });

  it("reads a version 10 row as having a failed attempt", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 10)) db.exec(migration);
    db.pragma("user_version = 10");
    db.prepare(
      `INSERT INTO block_lift_progress
         (key, last_block_at, deliveries, last_delivery_at, updated_at, sources_json)
       VALUES (?, 1000, 3, 5000, 6000, NULL)`,
    ).run(KEY);
    db.close();

    const store = HistoryStore.open(path);
    expect(store.liftProgress.get(KEY)).toEqual({ ...PROGRESS, failedAfter: true });
    expect(store.liftProgressWithoutFailures).toEqual([KEY]);
    store.close();
    const reopened = HistoryStore.open(path);
    expect(reopened.liftProgressWithoutFailures).toEqual([]);
    reopened.close();
  });

  it("lists no old progress of a version 11 database", () => {
    const path = join(tempDir(), "history.sqlite");
    const store = HistoryStore.open(path);
    store.liftProgress.save(KEY, { ...PROGRESS, failedAfter: true }, 6_000);
    store.close();

    const reopened = HistoryStore.open(path);
    expect(reopened.liftProgressWithoutFailures).toEqual([]);
    expect(reopened.liftProgress.keys()).toEqual([KEY]);
    reopened.close();
  });
});
