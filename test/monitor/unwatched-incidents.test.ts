import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMonitorConfig } from "../../src/monitor/index.js";
import { splitOpenIncidents } from "../../src/monitor/unwatched.js";
import {
  blockKey,
  blocklistKey,
  connectionKey,
  HistoryStore,
  type StateKind,
} from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

const START = Date.parse("2024-03-01T00:00:00Z");
const RUN_STARTED_AT = START + 60_000;
const CWD = "/srv/delist";
const tempDir = useTempDirs();

/** Opens an incident of `key` by observing the bad value of `kind` at `at`. */
function open(
  store: HistoryStore,
  kind: StateKind,
  key: string,
  at = START,
  runId: number | null = null,
): void {
  const value = { block: "blocked", blocklist: "listed", connection: "unreachable", dns: "fail" };
  store.states.observe(
    { key, kind, subject: key, value: value[kind], at, runId, evidence: {} },
    [],
  );
}

/** Returns the keys of the unwatched incidents under `config`, with their target and setting. */
function unwatched(store: HistoryStore, config: object) {
  const parsed = parseMonitorConfig(config, "test config");
  return splitOpenIncidents(store, parsed, CWD, RUN_STARTED_AT).unwatched.map((entry) => [
    entry.incident.key,
    entry.target,
    entry.setting,
  ]);
}

describe("splitOpenIncidents", () => {
  it("keeps configured IPs and domains", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "blocklist", blocklistKey("192.0.2.5", "spamhaus-zen"));
    open(store, "blocklist", blocklistKey("example.com", "spamhaus-dbl"));
    open(store, "block", blockKey("gmail", "2001:db8::5"));
    const config = { ips: ["192.0.2.5", "2001:DB8:0::5"], domains: ["Example.com"] };
    expect(unwatched(store, config)).toEqual([]);
    store.close();
  });

  it("names removed IPs and domains", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "blocklist", blocklistKey("2001:db8::7", "spamhaus-zen"));
    open(store, "blocklist", blocklistKey("example.net", "spamhaus-dbl"));
    open(store, "block", blockKey("gmail", "2001:db8::7"));
    expect(unwatched(store, { ips: ["192.0.2.5"] })).toEqual([
      ["blocklist:2001:db8::7:spamhaus-zen", "2001:db8::7", "ips"],
      ["blocklist:example.net:spamhaus-dbl", "example.net", "domains"],
      ["block:gmail:2001:db8::7", "2001:db8::7", "ips"],
    ]);
    store.close();
  });

  it("keeps the IPs of logs and probes", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "block", blockKey("gmail", "192.0.2.6"));
    open(store, "block", blockKey("yahoo", "192.0.2.7"));
    const config = {
      logs: [{ path: "/var/log/mail.log", ip: "192.0.2.6" }],
      probes: [{ to: "me@yahoo.com", sourceIp: "192.0.2.7" }],
    };
    expect(unwatched(store, config)).toEqual([]);
    store.close();
  });

  it("keeps the IPs of a log's outgoing sources", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "block", blockKey("gmail", "192.0.2.8"));
    const config = {
      logs: [{ path: "/var/log/mail.log", sources: { "postfix-out1": "192.0.2.8" } }],
    };
    expect(unwatched(store, config)).toEqual([]);
    store.close();
  });

  it("keeps blocks when a probe has no source IP", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "block", blockKey("gmail", "192.0.2.6"));
    expect(unwatched(store, { probes: [{ to: "me@gmail.com" }] })).toEqual([]);
    expect(unwatched(store, { ips: ["192.0.2.5"] })).toEqual([
      ["block:gmail:192.0.2.6", "192.0.2.6", "ips"],
    ]);
    store.close();
  });

  it("keeps blocks that a configured log recorded", () => {
    const store = HistoryStore.open(":memory:");
    const runId = store.runs.start("logs", START, { path: "/srv/delist/logs/mail.log", files: [] });
    open(store, "block", blockKey("gmail", "203.0.113.10"), START, runId);
    expect(unwatched(store, { logs: ["logs/mail.log"] })).toEqual([]);
    expect(unwatched(store, { logs: ["/var/log/other.log"] })).toEqual([
      ["block:gmail:203.0.113.10", "/srv/delist/logs/mail.log", "logs"],
    ]);
    store.close();
  });

  it("names the log of the latest change", () => {
    const store = HistoryStore.open(":memory:");
    const key = blockKey("gmail", "203.0.113.10");
    const firstRun = store.runs.start("logs", START, { path: "/var/log/b.log", files: [] });
    open(store, "block", key, START, firstRun);
    const laterRun = store.runs.start("logs", START + 1000, { path: "/var/log/a.log", files: [] });
    store.states.observe(
      {
        key,
        kind: "block",
        subject: key,
        value: "rate-limited",
        at: START + 1000,
        runId: laterRun,
        evidence: {},
      },
      [],
    );
    expect(unwatched(store, { logs: ["/var/log/other.log"] })).toEqual([
      ["block:gmail:203.0.113.10", "/var/log/a.log", "logs"],
    ]);
    store.close();
  });

  it("matches outages by log path", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "connection", connectionKey("gmail", "/srv/delist/logs/mail.log"));
    open(store, "connection", connectionKey("gmail", "/var/log/old.log"));
    expect(unwatched(store, { logs: ["logs/mail.log"] })).toEqual([
      ["connection:gmail:/var/log/old.log", "/var/log/old.log", "logs"],
    ]);
    store.close();
  });

  it("counts what this run observed", () => {
    const store = HistoryStore.open(":memory:");
    open(store, "block", blockKey("gmail", "198.51.100.77"), RUN_STARTED_AT);
    const config = parseMonitorConfig({ ips: ["192.0.2.5"] }, "test config");
    const split = splitOpenIncidents(store, config, CWD, RUN_STARTED_AT);
    expect(split.unwatched).toEqual([]);
    expect(split.counted.map((incident) => incident.key)).toEqual(["block:gmail:198.51.100.77"]);
    store.close();
  });
});

describe("long-running monitor and removed targets", () => {
  it("closes their incidents after the first step", async () => {
    const store = HistoryStore.open(":memory:");
    const key = blocklistKey("192.0.2.5", "spamhaus-zen");
    open(store, "blocklist", key);
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), "");
    const clock = new FakeClock(RUN_STARTED_AT);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      cwd: dir,
      config: {
        logs: ["mail.log"],
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });

    const controller = new AbortController();
    const running = monitor.run(controller.signal);
    await monitor.whenIdle(0);
    controller.abort();
    await running;

    expect(store.incidents.latest(key)?.closedAt).toBe(RUN_STARTED_AT);
    const closed = logs.filter((line) => line["incidentId"] !== undefined);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.["msg"]).toBe(
      `closed the open incident of ${key}, because 192.0.2.5 was removed from the ` +
        "configuration and no job checks it",
    );
    expect(store.incidents.changes().at(-1)?.change).toBe("target-removed");
    store.close();
  });
});
