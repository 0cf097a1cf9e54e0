import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import {
  blockKey,
  blocklistKey,
  defaultDatabasePath,
  dnsKey,
  HistoryStore,
  StoreError,
  type Observation,
} from "../../src/store/index.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { useTempDirs } from "./helpers.js";

const tempDir = useTempDirs();

function block(value: string, at: number): Observation {
  return {
    key: blockKey("gmail", "192.0.2.1"),
    kind: "block",
    subject: "gmail 192.0.2.1",
    value,
    at,
    runId: null,
    evidence: { value },
  };
}

describe("defaultDatabasePath", () => {
  it("uses XDG_STATE_HOME when absolute", () => {
    expect(defaultDatabasePath({ XDG_STATE_HOME: "/var/state" }, "/home/a")).toBe(
      "/var/state/delist/history.sqlite",
    );
  });

  it("falls back to ~/.local/state", () => {
    expect(defaultDatabasePath({}, "/home/a")).toBe("/home/a/.local/state/delist/history.sqlite");
    expect(defaultDatabasePath({ XDG_STATE_HOME: "relative" }, "/home/a")).toBe(
      "/home/a/.local/state/delist/history.sqlite",
    );
  });
});

describe("HistoryStore migrations", () => {
  it("creates the schema and its directory", () => {
    const path = join(tempDir(), "nested", "history.sqlite");
    const store = HistoryStore.open(path);
    store.close();
    const db = new Database(path);
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    db.close();
    expect(tables).toEqual([
      "alerts",
      "block_lift_progress",
      "blocklist_results",
      "connection_failure_runs",
      "dns_results",
      "findings",
      "incidents",
      "log_outbound_states",
      "log_positions",
      "probes",
      "removal_requests",
      "runs",
      "state_changes",
      "states",
    ]);
  });

  it("upgrades a version 1 database with its outbox", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    db.exec(MIGRATIONS[0] ?? "");
    db.pragma("user_version = 1");
    db.prepare(
      `INSERT INTO state_changes (id, key, kind, subject, change, value, at, evidence_json)
       VALUES (1, 'block:gmail:192.0.2.1', 'block', 'gmail 192.0.2.1', 'block-seen', 'blocked', 100, '{}')`,
    ).run();
    db.prepare(
      `INSERT INTO alerts (change_id, channel, payload_json, status, attempts, next_attempt_at)
       VALUES (1, 'webhook', '{}', 'pending', 0, 100)`,
    ).run();
    db.close();

    const store = HistoryStore.open(path);
    const [alert] = store.alerts.due(100);
    expect(alert?.held).toBe(false);
    expect(alert?.status).toBe("pending");
    store.close();
  });

  it("rejects a database from a newer delist", () => {
    const path = join(tempDir(), "history.sqlite");
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => HistoryStore.open(path)).toThrow(StoreError);
    expect(() => HistoryStore.open(path)).toThrow(/newer than this delist knows/);
  });

  it("reports a path that cannot be created", () => {
    const file = join(tempDir(), "file");
    HistoryStore.open(file).close();
    expect(() => HistoryStore.open(join(file, "sub", "history.sqlite"))).toThrow(
      /cannot open the history database/,
    );
  });
});

describe("StateRepository.observe", () => {
  it("opens and closes an incident with alerts", () => {
    const store = HistoryStore.open(":memory:");
    expect(store.states.observe(block("ok", 1_000), ["webhook"])).toBeNull();

    const seen = store.states.observe(block("rate-limited", 2_000), ["webhook", "email"]);
    expect(seen?.change).toBe("block-seen");
    expect(seen?.previous).toBe("ok");
    const incident = store.incidents.latest(blockKey("gmail", "192.0.2.1"));
    expect(incident?.openedAt).toBe(2_000);
    expect(incident?.closedAt).toBeNull();
    expect(seen?.incidentId).toBe(incident?.id);

    expect(store.states.observe(block("rate-limited", 3_000), ["webhook"])).toBeNull();
    expect(store.states.observe(block("blocked", 4_000), ["webhook"])?.change).toBe(
      "block-changed",
    );
    const lifted = store.states.observe(block("ok", 5_000), ["webhook"]);
    expect(lifted?.change).toBe("block-lifted");
    const closed = store.incidents.latest(blockKey("gmail", "192.0.2.1"));
    expect(closed?.id).toBe(incident?.id);
    expect(closed?.closedAt).toBe(5_000);
    expect(closed?.closeEvidence).toEqual({ value: "ok" });

    const alerts = store.alerts.all();
    expect(alerts.map((a) => [a.channel, a.payload.change])).toEqual([
      ["webhook", "block-seen"],
      ["email", "block-seen"],
      ["webhook", "block-changed"],
      ["webhook", "block-lifted"],
    ]);
    expect(alerts[0]?.payload.summary).toBe("Block seen: gmail 192.0.2.1 is rate-limited.");
    expect(new Set(alerts.map((a) => a.payload.alertKey)).size).toBe(4);
    store.close();
  });

  it("treats a bad first observation as a change", () => {
    const store = HistoryStore.open(":memory:");
    const listed = store.states.observe(
      {
        key: blocklistKey("192.0.2.1", "spamhaus-zen"),
        kind: "blocklist",
        subject: "192.0.2.1 on spamhaus-zen",
        value: "listed",
        at: 10,
        runId: null,
        evidence: {},
      },
      [],
    );
    expect(listed?.change).toBe("listed");
    expect(listed?.previous).toBeNull();
    expect(store.alerts.all()).toEqual([]);
    store.close();
  });

  it("ignores pass and warn swaps of DNS checks", () => {
    const store = HistoryStore.open(":memory:");
    const dns = (value: string, at: number): Observation => ({
      key: dnsKey("example.com", "spf"),
      kind: "dns",
      subject: "example.com spf",
      value,
      at,
      runId: null,
      evidence: {},
    });
    expect(store.states.observe(dns("pass", 1), [])).toBeNull();
    expect(store.states.observe(dns("warn", 2), [])).toBeNull();
    expect(store.states.observe(dns("fail", 3), [])?.change).toBe("dns-broken");
    expect(store.states.observe(dns("pass", 4), [])?.change).toBe("dns-fixed");
    expect(store.incidents.incidents()).toEqual([]);
    expect(store.states.get(dnsKey("example.com", "spf"))?.since).toBe(4);
    store.close();
  });

  it("keeps everything across a reopen", () => {
    const path = join(tempDir(), "history.sqlite");
    const first = HistoryStore.open(path);
    first.states.observe(block("blocked", 1_000), ["webhook"]);
    first.close();

    const second = HistoryStore.open(path);
    expect(second.states.get(blockKey("gmail", "192.0.2.1"))?.value).toBe("blocked");
    expect(second.alerts.due(1_000)).toHaveLength(1);
    expect(second.states.observe(block("blocked", 2_000), ["webhook"])).toBeNull();
    expect(second.alerts.all()).toHaveLength(1);
    second.close();
  });
});

describe("HistoryStore.transaction", () => {
  it("rolls back every write when the work throws", () => {
    const store = HistoryStore.open(":memory:");
    expect(() =>
      store.transaction(() => {
        store.states.observe(block("blocked", 1), ["webhook"]);
        throw new Error("crash");
      }),
    ).toThrow("crash");
    expect(store.states.list()).toEqual([]);
    expect(store.alerts.all()).toEqual([]);
    store.close();
  });
});

describe("AlertRepository", () => {
  it("retries, then fails, a failing alert", () => {
    const store = HistoryStore.open(":memory:");
    store.states.observe(block("blocked", 100), ["webhook"]);
    const [alert] = store.alerts.due(100);
    expect(alert).toBeDefined();
    store.alerts.markAttemptFailed(alert?.id ?? 0, "HTTP 500", 200);
    expect(store.alerts.due(150)).toEqual([]);
    expect(store.alerts.nextAttemptAt()).toBe(200);
    store.alerts.markAttemptFailed(alert?.id ?? 0, "HTTP 500", null);
    expect(store.alerts.all()[0]?.status).toBe("failed");
    expect(store.alerts.all()[0]?.attempts).toBe(2);
    expect(store.alerts.nextAttemptAt()).toBeNull();
    store.close();
  });
});

describe("AlertRepository", () => {
  it("sends a first attempt after the clock went back", () => {
    const store = HistoryStore.open(":memory:");
    store.states.observe(block("blocked", 10_000), ["webhook"]);
    expect(store.alerts.due(5_000)).toHaveLength(1);
    expect(store.alerts.nextAttemptAt()).toBe(0);
    store.close();
  });

  it("postpones an alert without counting an attempt", () => {
    const store = HistoryStore.open(":memory:");
    store.states.observe(block("blocked", 100), ["webhook"]);
    const id = store.alerts.due(100)[0]?.id ?? 0;
    store.alerts.postpone(id, 500, "held back");
    expect(store.alerts.due(499)).toEqual([]);
    expect(store.alerts.nextAttemptAt()).toBe(500);
    const [alert] = store.alerts.due(500);
    expect(alert?.attempts).toBe(0);
    expect(alert?.lastError).toBe("held back");
    store.close();
  });
});

describe("IncidentRepository removals", () => {
  it("lists removal requests newest first", () => {
    const store = HistoryStore.open(":memory:");
    const base = { provider: "gmail", ip: "192.0.2.1", incidentId: null, forced: false };
    store.incidents.addRemoval({ ...base, requestedAt: 1, note: null });
    store.incidents.addRemoval({ ...base, requestedAt: 5, note: "second" });
    store.incidents.addRemoval({ ...base, ip: "192.0.2.2", requestedAt: 9, note: null });
    expect(store.incidents.removals("gmail", "192.0.2.1").map((r) => r.requestedAt)).toEqual([
      5, 1,
    ]);
    expect(store.incidents.removals(null, null)).toHaveLength(3);
    store.close();
  });
});
