import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { testMonitor, type LogLines } from "./harness.js";

const tempDir = useTempDirs();
const OPEN_KEY = blockKey("gmail", "192.0.2.10");
const CLOSED_KEY = blockKey("yahoo", "192.0.2.11");
const IPV6_KEY = blockKey("outlook", "2001:db8::25");

/**
 * Writes a version 10 history database with lift progress for an open Gmail block, an open
 * Outlook.com block of an IPv6 address and a closed Yahoo block.
 */
function version10Database(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 10)) db.exec(migration);
  db.pragma("user_version = 10");
  const incident = db.prepare(
    `INSERT INTO incidents (id, key, kind, subject, opened_at, closed_at, open_evidence_json)
     VALUES (?, ?, 'block', ?, 1000, ?, '{}')`,
  );
  incident.run(1, OPEN_KEY, "gmail 192.0.2.10", null);
  incident.run(2, CLOSED_KEY, "yahoo 192.0.2.11", 9000);
  incident.run(3, IPV6_KEY, "outlook 2001:db8::25", null);
  const progress = db.prepare(
    `INSERT INTO block_lift_progress
       (key, last_block_at, deliveries, last_delivery_at, updated_at, sources_json)
     VALUES (?, 1000, 2, 5000, 6000, NULL)`,
  );
  for (const key of [OPEN_KEY, CLOSED_KEY, IPV6_KEY]) progress.run(key);
  db.close();
}

async function startupWarnings(path: string, cwd: string): Promise<LogLines> {
  const store = HistoryStore.open(path);
  const { monitor, logs } = testMonitor({
    store,
    clock: new FakeClock(Date.parse("2026-03-12T04:00:00Z")),
    cwd,
    config: { logs: ["mail.log"] },
  });
  await monitor.runOnce();
  store.close();
  return logs.filter((line) => line["level"] === 40 && line["incident"] !== undefined);
}

describe("monitor after the version 11 upgrade", () => {
  it("warns once per open incident", async () => {
    const dir = tempDir();
    const path = join(dir, "history.sqlite");
    version10Database(path);

    const warnings = await startupWarnings(path, dir);

    expect(warnings.map((line) => line["incident"])).toEqual([1, 3]);
    const gmail = warnings[0] ?? {};
    expect(gmail["provider"]).toBe("gmail");
    expect(gmail["ip"]).toBe("192.0.2.10");
    expect(gmail["msg"]).toMatch(/^incident #1 \(gmail 192\.0\.2\.10\) lifts only after 20 /);
    expect(gmail["msg"]).toContain("or after its next block reply");
    expect(warnings[1]?.["ip"]).toBe("2001:db8::25");
  });

  it("does not warn on the next run", async () => {
    const dir = tempDir();
    const path = join(dir, "history.sqlite");
    version10Database(path);
    await startupWarnings(path, dir);

    const warnings = await startupWarnings(path, dir);

    expect(warnings).toEqual([]);
  });
});
