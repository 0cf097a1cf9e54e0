import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const LOG = "/var/log/mail.log";

describe("PositionRepository", () => {
  it("saves and returns the file id", () => {
    const store = HistoryStore.open(join(tempDir(), "history.sqlite"));
    const position = {
      fingerprint: "0:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      fingerprintBytes: 0,
      offset: 0,
      fileId: "64769:1234567:1796458909496056549",
    };
    store.positions.save(LOG, position, 1000);
    expect(store.positions.get(LOG)).toEqual(position);

    store.positions.save(LOG, { ...position, fileId: null }, 2000);
    expect(store.positions.get(LOG)?.fileId).toBeNull();
    store.close();
  });

  it("reads a version 5 row without file id", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    for (const migration of MIGRATIONS.slice(0, 5)) db.exec(migration);
    db.pragma("user_version = 5");
    db.prepare(
      `INSERT INTO log_positions (path, fingerprint, fingerprint_bytes, offset, updated_at)
       VALUES (?, '4:abc', 4, 4, 1000)`,
    ).run(LOG);
    db.close();

    const store = HistoryStore.open(path);
    expect(store.positions.get(LOG)).toEqual({
      fingerprint: "4:abc",
      fingerprintBytes: 4,
      offset: 4,
      fileId: null,
    });
    store.close();
  });
});
