import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MONITOR_LOCK_SUFFIX, MonitorLock, StoreError } from "../../src/store/index.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

const REPOSITORY = new URL("../../", import.meta.url).pathname;

describe("MonitorLock", () => {
  it("lets one holder in at a time", () => {
    const db = join(tempDir(), "history.sqlite");
    const first = MonitorLock.acquire(db);
    expect(() => MonitorLock.acquire(db)).toThrow(StoreError);
    expect(() => MonitorLock.acquire(db)).toThrow(
      `another delist monitor is using the history database ${db}`,
    );
    first.release();
    const second = MonitorLock.acquire(db);
    second.release();
    second.release();
  });

  it("is free again after kill -9 of its holder", async () => {
    const db = join(tempDir(), "history.sqlite");
    // A child process holds the lock file as MonitorLock does, writes "locked", and waits to be killed.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const Database = require("better-sqlite3");
         const lock = new Database(${JSON.stringify(db + MONITOR_LOCK_SUFFIX)});
         lock.exec("BEGIN EXCLUSIVE");
         process.stdout.write("locked\\n");
         setInterval(() => undefined, 1000);`,
      ],
      { cwd: REPOSITORY, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    expect(() => MonitorLock.acquire(db)).toThrow(/another delist monitor/);

    child.kill("SIGKILL");
    await new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const after = MonitorLock.acquire(db);
    after.release();
  });

  it("needs no lock for an in-memory database", () => {
    const first = MonitorLock.acquire(":memory:");
    const second = MonitorLock.acquire(":memory:");
    first.release();
    second.release();
  });
});
