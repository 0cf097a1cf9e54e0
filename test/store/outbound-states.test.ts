import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const LOG = "/var/log/mail.log";

describe("OutboundStateRepository", () => {
  it("saves and replaces a state", () => {
    const store = HistoryStore.open(join(tempDir(), "history.sqlite"));
    expect(store.outboundStates.get(LOG)).toBeNull();

    const watching = { outboundAt: null, firstLineWithoutAt: 1_000, warnedAt: 5_000 };
    store.outboundStates.save(LOG, watching, 5_000);
    expect(store.outboundStates.get(LOG)).toEqual(watching);

    const cleared = { outboundAt: 9_000, firstLineWithoutAt: null, warnedAt: null };
    store.outboundStates.save(LOG, cleared, 10_000);
    expect(store.outboundStates.get(LOG)).toEqual(cleared);
    expect(store.outboundStates.get("/var/log/other.log")).toBeNull();
    store.close();
  });

  it("state survives a reopen", () => {
    const path = join(tempDir(), "history.sqlite");
    const state = { outboundAt: null, firstLineWithoutAt: 1_000, warnedAt: null };
    const first = HistoryStore.open(path);
    first.outboundStates.save(LOG, state, 2_000);
    first.close();

    const second = HistoryStore.open(path);
    expect(second.outboundStates.get(LOG)).toEqual(state);
    second.close();
  });

  it("version 11 database gets the table", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 11)) db.exec(migration);
    db.pragma("user_version = 11");
    db.close();

    const store = HistoryStore.open(path);
    expect(store.outboundStates.get(LOG)).toBeNull();
    const state = { outboundAt: 3_000, firstLineWithoutAt: null, warnedAt: null };
    store.outboundStates.save(LOG, state, 4_000);
    expect(store.outboundStates.get(LOG)).toEqual(state);
    store.close();

    const upgraded = new Database(path);
    expect(upgraded.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    upgraded.close();
  });
});
