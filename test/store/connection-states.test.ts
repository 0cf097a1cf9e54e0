import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  blockKey,
  classifyChange,
  connectionKey,
  describeChange,
  HistoryStore,
  isBad,
  type Observation,
} from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();
const KEY = connectionKey("gmail", "192.0.2.1");
const WINDOW_MS = 30 * 60_000;

function connection(value: string, at: number): Observation {
  return {
    key: KEY,
    kind: "connection",
    subject: "gmail from 192.0.2.1",
    value,
    at,
    runId: null,
    evidence: { value },
  };
}

/**
 * Writes a database as delist wrote it at schema version 3: a block seen and lifted, its closed
 * incident, one sent alert and one held alert of the lift.
 */
function writeVersion3(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.slice(0, 3)) db.exec(migration);
  db.pragma("user_version = 3");
  db.exec(`
    INSERT INTO states (key, kind, subject, value, since, checked_at)
      VALUES ('block:gmail:192.0.2.1', 'block', 'gmail 192.0.2.1', 'ok', 2000, 2000);
    INSERT INTO incidents (id, key, kind, subject, opened_at, closed_at, open_evidence_json,
        close_evidence_json)
      VALUES (1, 'block:gmail:192.0.2.1', 'block', 'gmail 192.0.2.1', 1000, 2000, '{}', '{}');
    INSERT INTO state_changes (id, key, kind, subject, change, previous, value, at, observed_at,
        incident_id, evidence_json)
      VALUES (1, 'block:gmail:192.0.2.1', 'block', 'gmail 192.0.2.1', 'block-seen', NULL,
        'blocked', 1000, 1000, 1, '{}'),
      (2, 'block:gmail:192.0.2.1', 'block', 'gmail 192.0.2.1', 'block-lifted', 'blocked', 'ok',
        2000, 2000, 1, '{}');
    INSERT INTO alerts (change_id, channel, payload_json, status, attempts, next_attempt_at,
        sent_at, held)
      VALUES (1, 'webhook', '{}', 'sent', 1, 1000, 1000, 0),
      (2, 'webhook', '{}', 'pending', 0, 1801000, NULL, 1);
  `);
  db.close();
}

describe("connection states", () => {
  it("classify outage changes", () => {
    expect(classifyChange("connection", null, "reachable")).toBeNull();
    expect(classifyChange("connection", null, "unreachable")).toBe("outage-started");
    expect(classifyChange("connection", "reachable", "unreachable")).toBe("outage-started");
    expect(classifyChange("connection", "unreachable", "unreachable")).toBeNull();
    expect(classifyChange("connection", "unreachable", "reachable")).toBe("outage-ended");
    expect(isBad("connection", "unreachable")).toBe(true);
    expect(isBad("connection", "reachable")).toBe(false);
  });

  it("describe outage changes", () => {
    expect(describeChange("outage-started", "gmail from 192.0.2.1", "unreachable")).toBe(
      "Outage started: this server cannot connect to gmail from 192.0.2.1.",
    );
    expect(describeChange("outage-ended", "gmail from 192.0.2.1", "reachable")).toBe(
      "Outage ended: this server connects to gmail from 192.0.2.1 again.",
    );
  });

  it("spell the key's IP canonically", () => {
    expect(connectionKey("gmail", "2001:DB8:0::5")).toBe("connection:gmail:2001:db8::5");
    expect(connectionKey("gmail", "/var/log/mail.log")).toBe("connection:gmail:/var/log/mail.log");
  });

  it("open and close an outage incident", () => {
    const store = HistoryStore.open(":memory:");
    expect(store.states.observe(connection("reachable", 1_000), ["webhook"])).toBeNull();

    const started = store.states.observe(connection("unreachable", 2_000), ["webhook"]);
    expect(started?.change).toBe("outage-started");
    const incident = store.incidents.latest(KEY);
    expect(incident?.kind).toBe("connection");
    expect(incident?.openedAt).toBe(2_000);
    expect(started?.incidentId).toBe(incident?.id);

    const ended = store.states.observe(connection("reachable", 3_000), ["webhook"]);
    expect(ended?.change).toBe("outage-ended");
    expect(store.incidents.latest(KEY)?.closedAt).toBe(3_000);
    expect(store.alerts.all().map((alert) => alert.payload.change)).toEqual([
      "outage-started",
      "outage-ended",
    ]);
    store.close();
  });
});

describe("HistoryStore migrations", () => {
  it("upgrade a version 3 database", () => {
    const path = join(tempDir(), "history.sqlite");
    writeVersion3(path);

    const store = HistoryStore.open(path);

    const block = blockKey("gmail", "192.0.2.1");
    expect(store.states.get(block)?.value).toBe("ok");
    expect(store.incidents.latest(block)?.closedAt).toBe(2_000);
    expect(store.alerts.nextAttemptAt()).toBe(1_801_000);
    const started = store.states.observe(connection("unreachable", 3_000), ["webhook"], WINDOW_MS);
    expect(started?.change).toBe("outage-started");
    expect(store.incidents.incidents().map((incident) => incident.kind)).toEqual([
      "block",
      "connection",
    ]);
    // The outage is another key, so it neither supersedes nor waits for the block's held alert.
    expect(store.alerts.all().map((alert) => [alert.payload.change ?? null, alert.held])).toEqual([
      [null, false],
      [null, true],
      ["outage-started", false],
    ]);
    store.close();

    const db = new Database(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });
});
