import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { blockKey, DAY_MS, HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { GMAIL_RATE_LIMIT, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";
import { advanceTo, NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const IP = "203.0.113.10";
const MINUTE = 60_000;

/**
 * Makes every write of `store` fail with SQLITE_READONLY, as on a file system remounted
 * read-only, or lets it write again. `query_only` is SQLite's own switch for this.
 */
function setReadOnly(store: HistoryStore, readOnly: boolean): void {
  const db = (store as unknown as { db: Database.Database }).db;
  db.pragma(`query_only = ${readOnly ? 1 : 0}`);
}

function rateLimitLines(start: number, count: number): string {
  const log = new PostfixLog();
  for (let index = 0; index < count; index++) {
    log.submit({
      time: start + index * MINUTE,
      account: "sales@example.com",
      clientIp: "198.51.100.7",
      recipients: [{ address: `user${index}@gmail.com`, outcome: GMAIL_RATE_LIMIT }],
    });
  }
  return log.text();
}

describe("monitor on a database it cannot write", () => {
  it("names the file and keeps the lines", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const db = join(dir, "history.sqlite");
    const store = HistoryStore.open(db);
    const clock = new FakeClock(T0);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      cwd: dir,
      config: {
        ips: [IP],
        logs: ["mail.log"],
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      },
    });
    await monitor.runJob("logs");

    setReadOnly(store, true);
    appendFileSync(path, rateLimitLines(T0 + MINUTE, 3));
    for (let minute = 5; minute < 10; minute++) {
      clock.set(T0 + minute * MINUTE);
      expect(await monitor.runJob("logs")).toBe("failed");
    }
    const failures = logs.filter((line) => line["msg"] === "job failed");
    expect(failures).toHaveLength(1);
    expect(failures[0]?.["job"]).toBe("logs");
    expect(failures[0]?.["err"]).toContain(`cannot use the history database ${db}`);
    expect(failures[0]?.["err"]).toContain("(SQLITE_READONLY): delist needs write access");
    expect(store.states.list()).toEqual([]);

    // Writable again: the lines of the failed runs are read, because their position was
    // never saved, and the block is recorded once.
    setReadOnly(store, false);
    clock.set(T0 + 10 * MINUTE);
    expect(await monitor.runJob("logs")).toBe("complete");
    expect(logs.some((line) => line["msg"] === "job ran again after failing")).toBe(true);
    expect(store.states.get(blockKey("gmail", IP))?.value).toBe("rate-limited");
    expect(store.incidents.changes()).toHaveLength(1);
    store.close();
  });
});

describe("monitor history retention", () => {
  it("prunes old run details once a day", async () => {
    const dir = tempDir();
    const store = HistoryStore.open(":memory:");
    const oldRun = store.runs.start("logs", T0 - 40 * DAY_MS);
    store.runs.addFindings(oldRun, [
      { id: "rate-limited", severity: "warning", title: "t", evidence: {} },
    ]);
    const clock = new FakeClock(T0);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      cwd: dir,
      config: {
        logs: ["mail.log"],
        retentionDays: 30,
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });
    const controller = new AbortController();
    const running = monitor.run(controller.signal);
    await monitor.whenIdle(0);
    const pruned = logs.filter((line) => line["msg"] === "history pruned");
    expect(pruned).toHaveLength(1);
    expect(pruned[0]).toMatchObject({ findings: 1, runs: 1, retentionDays: 30 });
    expect(store.runs.count("runs")).toBe(0);

    // The next prune is a day later, not at every wake-up.
    store.runs.start("logs", T0 - 40 * DAY_MS);
    await advanceTo(clock, monitor, T0 + 12 * 60 * MINUTE);
    expect(store.runs.count("runs")).toBe(1);
    await advanceTo(clock, monitor, T0 + DAY_MS + MINUTE);
    expect(store.runs.count("runs")).toBe(0);
    controller.abort();
    await running;
    store.close();
  });
});
