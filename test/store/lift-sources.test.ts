import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore, type LiftProgress } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const KEY = blockKey("gmail", "203.0.113.5");
const OTHER = blockKey("gmail", "203.0.113.6");
const PROGRESS: LiftProgress = {
  lastBlockAt: 1_000,
  deliveries: 3,
  lastDeliveryAt: 5_000,
  failedAfter: false,
};

describe("lift progress sources", () => {
  it("saves sources sorted and lists rows with any", () => {
    const store = HistoryStore.open(":memory:");
    store.liftProgress.save(KEY, PROGRESS, 6_000, ["postfix-out3", "postfix-out1"]);
    store.liftProgress.save(OTHER, PROGRESS, 6_000);

    expect(store.liftProgress.listSources()).toEqual([
      { key: KEY, sources: ["postfix-out1", "postfix-out3"] },
    ]);
    expect(store.liftProgress.get(KEY)).toEqual(PROGRESS);
    store.close();
  });

  it("replaces sources and drops them with the progress", () => {
    const store = HistoryStore.open(":memory:");
    store.liftProgress.save(KEY, PROGRESS, 6_000, ["postfix-out1"]);
    store.liftProgress.save(KEY, PROGRESS, 7_000, ["postfix-out2"]);
    expect(store.liftProgress.listSources()).toEqual([{ key: KEY, sources: ["postfix-out2"] }]);

    store.liftProgress.delete(KEY);
    expect(store.liftProgress.listSources()).toEqual([]);
    store.close();
  });

  it("keeps a version 9 row without sources", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 9)) db.exec(migration);
    db.pragma("user_version = 9");
    db.prepare(
      `INSERT INTO block_lift_progress (key, last_block_at, deliveries, last_delivery_at, updated_at)
       VALUES (?, 1000, 3, 5000, 6000)`,
    ).run(KEY);
    db.close();

    const store = HistoryStore.open(path);
    // Rows from before version 11 did not record failed attempts, so they read as having one.
    expect(store.liftProgress.get(KEY)).toEqual({ ...PROGRESS, failedAfter: true });
    expect(store.liftProgress.listSources()).toEqual([]);
    store.close();
  });
});
