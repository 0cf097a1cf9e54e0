import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import type { JobContext } from "../../src/monitor/context.js";
import { createMonitorLogger, parseMonitorConfig } from "../../src/monitor/index.js";
import { runLogJob } from "../../src/monitor/log-job.js";
import { RepeatFilter } from "../../src/monitor/repeats.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { GMAIL_RATE_LIMIT, PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const IP = "203.0.113.10";
const MINUTE = 60_000;
const HOUR_MS = 60 * MINUTE;

/** Postfix lines of `count` messages to Gmail, each with `outcome`, `stepMs` apart from `start`. */
function gmailLines(start: number, count: number, outcome = SENT, stepMs = MINUTE): string {
  const log = new PostfixLog();
  for (let index = 0; index < count; index++) {
    log.submit({
      time: start + index * stepMs,
      account: "sales@example.com",
      clientIp: "198.51.100.7",
      recipients: [{ address: `user${index}@gmail.com`, outcome }],
    });
  }
  return log.text();
}

function monitorFor(dir: string, store: HistoryStore, clock: FakeClock) {
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [IP],
      logs: ["mail.log"],
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
    },
  });
}

describe("log job", () => {
  it("sees a block in new lines and its lift after rotation", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, gmailLines(T0, 3, GMAIL_RATE_LIMIT));
    const store = HistoryStore.open(join(dir, "history.sqlite"));
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor, logs } = monitorFor(dir, store, clock);

    // The first check starts at the end of the file: old lines are not news.
    await monitor.runJob("logs");
    expect(store.states.list()).toEqual([]);

    appendFileSync(path, gmailLines(T0 + 20 * MINUTE, 3, GMAIL_RATE_LIMIT));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");
    const key = blockKey("gmail", IP);
    expect(store.states.get(key)?.value).toBe("rate-limited");
    const incident = store.incidents.latest(key);
    expect(incident?.openEvidence).toMatchObject({ source: "logs", blockedAttempts: 3 });

    // logrotate renames and compresses the file between two checks; the new file has
    // deliveries that Gmail accepted.
    appendFileSync(path, gmailLines(T0 + 40 * MINUTE, 2, GMAIL_RATE_LIMIT));
    renameSync(path, join(dir, "mail.log.1"));
    writeFileSync(join(dir, "mail.log.1.gz"), gzipSync(readFileSync(join(dir, "mail.log.1"))));
    renameSync(join(dir, "mail.log.1"), join(dir, "old-copy"));
    writeFileSync(path, gmailLines(T0 + 60 * MINUTE, 4, SENT));
    clock.set(T0 + 70 * MINUTE);
    await monitor.runJob("logs");
    const checked = logs.filter((line) => line["msg"] === "log checked").at(-1);
    expect(checked?.["event"]).toBe("rotated");
    expect(checked?.["files"]).toBe(2);
    // The window holds both the last deferrals and the acceptances: still a block.
    expect(store.states.get(key)?.value).toBe("rate-limited");

    // 20 acceptances after the last deferral, the last of them two hours after it, lift the
    // block, dated by that deferral (logged a second after its message, at 41 minutes).
    appendFileSync(path, gmailLines(T0 + 70 * MINUTE, 16, SENT, 7 * MINUTE));
    clock.set(T0 + 3 * HOUR_MS);
    await monitor.runJob("logs");
    expect(store.states.get(key)?.value).toBe("ok");
    expect(store.incidents.latest(key)?.closedAt).toBe(T0 + 41 * MINUTE + 1_000);
    store.close();
  });

  it("keeps a rate limit open through partial acceptances", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(join(dir, "history.sqlite"));
    const clock = new FakeClock(T0);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    const key = blockKey("gmail", IP);

    // Gmail defers part of the mail and accepts the rest: windows alternate between the two.
    for (let minute = 1; minute <= 30; minute++) {
      const outcome = minute % 3 === 1 ? GMAIL_RATE_LIMIT : SENT;
      appendFileSync(path, gmailLines(T0 + minute * MINUTE - 30_000, 1, outcome));
      clock.set(T0 + minute * MINUTE);
      await monitor.runJob("logs");
    }
    expect(store.incidents.changes().map((change) => change.change)).toEqual(["block-seen"]);
    expect(store.states.get(key)?.value).toBe("rate-limited");
    expect(store.incidents.incidents()).toHaveLength(1);
    store.close();
  });

  it("reads no line twice across a restart", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const db = join(dir, "history.sqlite");
    const clock = new FakeClock(T0);
    const first = monitorFor(dir, HistoryStore.open(db), clock);
    await first.monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 2, GMAIL_RATE_LIMIT));
    await first.monitor.runJob("logs");

    const store = HistoryStore.open(db);
    const second = monitorFor(dir, store, clock);
    await second.monitor.runJob("logs");
    const checked = second.logs.find((line) => line["msg"] === "log checked");
    expect(checked?.["bytes"]).toBe(0);
    expect(checked?.["runId"]).toBeNull();
    expect(store.incidents.changes()).toHaveLength(1);
    store.close();
  });

  it("reads lines again after a crash before the commit", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const db = join(dir, "history.sqlite");
    const clock = new FakeClock(T0 + HOUR_MS);
    const crashing = HistoryStore.open(db);
    const first = monitorFor(dir, crashing, clock);
    await first.monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 2, GMAIL_RATE_LIMIT));
    // The process dies after reading the new lines, before their results are committed.
    vi.spyOn(crashing, "transaction").mockImplementationOnce(() => {
      throw new Error("killed");
    });
    await first.monitor.runJob("logs");
    expect(first.logs.find((line) => line["msg"] === "job failed")?.["err"]).toBe("killed");
    expect(crashing.states.list()).toEqual([]);

    const store = HistoryStore.open(db);
    await monitorFor(dir, store, clock).monitor.runJob("logs");
    expect(store.states.get(blockKey("gmail", IP))?.value).toBe("rate-limited");
    expect(store.incidents.changes().map((change) => change.change)).toEqual(["block-seen"]);
    store.close();
    crashing.close();
  });

  it("warns about a missing log", async () => {
    const dir = tempDir();
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = monitorFor(dir, store, new FakeClock(T0));
    expect(await monitor.runJob("logs")).toBe("incomplete");
    const warning = logs.find((line) => String(line["msg"]).startsWith("log file not found"));
    expect(warning?.["path"]).toBe(join(dir, "mail.log"));
    expect(String(warning?.["msg"])).toContain("Check the path in logs of the configuration");
    expect(String(warning?.["msg"])).toContain("resolved against the monitor's working directory");
    store.close();
  });

  it("warns about a directory as log", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "mail.log"));
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = monitorFor(dir, store, new FakeClock(T0));
    expect(await monitor.runJob("logs")).toBe("incomplete");
    const warning = logs.find((line) => line["level"] === 40);
    expect(warning?.["path"]).toBe(join(dir, "mail.log"));
    expect(String(warning?.["msg"])).toMatch(/^log path is not a regular file/);
    expect(String(warning?.["msg"])).toContain("to the log file itself");
    store.close();
  });

  it("warns about a missing log once an hour", async () => {
    const dir = tempDir();
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0);
    const { monitor, logs } = monitorFor(dir, store, clock);
    const warnings = () =>
      logs.filter((line) => String(line["msg"]).startsWith("log file not found"));
    for (let minute = 0; minute < 60; minute++) {
      clock.set(T0 + minute * MINUTE);
      await monitor.runJob("logs");
    }
    expect(warnings()).toHaveLength(1);

    clock.set(T0 + HOUR_MS);
    await monitor.runJob("logs");
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]?.["repeatsHeldBack"]).toBe(59);

    writeFileSync(join(dir, "mail.log"), "");
    expect(await monitor.runJob("logs")).toBe("complete");
    expect(logs.some((line) => line["msg"] === "log file read again")).toBe(true);
    store.close();
  });
});

describe("log job with two sending IPs", () => {
  const OTHER_IP = "203.0.113.20";

  /** Gmail's rate limit naming `ip` as the IP it judged. */
  function rateLimitOf(ip: string): typeof GMAIL_RATE_LIMIT {
    return { ...GMAIL_RATE_LIMIT, reply: GMAIL_RATE_LIMIT.reply.replace(IP, ip) };
  }

  function twoIpMonitor(dir: string, store: HistoryStore, clock: FakeClock, logs: unknown[]) {
    return testMonitor({
      store,
      clock,
      cwd: dir,
      config: {
        ips: [IP, OTHER_IP],
        logs,
        logsFromStart: true,
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      },
    });
  }

  it("records a block for each IP named", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(
      path,
      gmailLines(T0, 2, rateLimitOf(IP)) + gmailLines(T0 + 5 * MINUTE, 2, rateLimitOf(OTHER_IP)),
    );
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor } = twoIpMonitor(dir, store, clock, ["mail.log"]);
    await monitor.runJob("logs");
    expect(store.states.get(blockKey("gmail", IP))?.value).toBe("rate-limited");
    expect(store.states.get(blockKey("gmail", OTHER_IP))?.value).toBe("rate-limited");

    // Acceptances in a log shared by both IPs name neither, so they lift neither.
    appendFileSync(path, gmailLines(T0 + 10 * MINUTE, 25, SENT, 7 * MINUTE));
    clock.set(T0 + 4 * HOUR_MS);
    await monitor.runJob("logs");
    expect(store.states.get(blockKey("gmail", IP))?.value).toBe("rate-limited");
    expect(store.states.get(blockKey("gmail", OTHER_IP))?.value).toBe("rate-limited");
    expect(store.incidents.incidents().filter((i) => i.closedAt === null)).toHaveLength(2);
  });

  it("lifts a block only from its IP's log", async () => {
    const dir = tempDir();
    const first = join(dir, "out1.log");
    const second = join(dir, "out2.log");
    writeFileSync(first, gmailLines(T0, 2, rateLimitOf(IP)));
    writeFileSync(second, gmailLines(T0, 2, rateLimitOf(OTHER_IP)));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const { monitor } = twoIpMonitor(dir, store, clock, [
      { path: "out1.log", ip: IP },
      { path: "out2.log", ip: OTHER_IP },
    ]);
    await monitor.runJob("logs");
    const firstKey = blockKey("gmail", IP);
    const secondKey = blockKey("gmail", OTHER_IP);
    expect(store.states.get(firstKey)?.value).toBe("rate-limited");
    expect(store.states.get(secondKey)?.value).toBe("rate-limited");

    // Gmail accepts the mail of the first IP's log: that lifts the first IP only, dated by its
    // last deferral (logged a second after its message, at one minute).
    const later = T0 + 4 * HOUR_MS;
    appendFileSync(first, gmailLines(T0 + 10 * MINUTE, 25, SENT, 7 * MINUTE));
    clock.set(later);
    await monitor.runJob("logs");
    expect(store.states.get(firstKey)?.value).toBe("ok");
    expect(store.incidents.latest(firstKey)?.closedAt).toBe(T0 + MINUTE + 1_000);
    expect(store.incidents.latest(firstKey)?.closeEvidence).toMatchObject({ ip: IP, sent: 25 });
    expect(store.states.get(secondKey)?.value).toBe("rate-limited");
    expect(store.incidents.latest(secondKey)?.closedAt).toBeNull();

    appendFileSync(second, gmailLines(later, 25, SENT, 7 * MINUTE));
    clock.set(later + 4 * HOUR_MS);
    await monitor.runJob("logs");
    expect(store.states.get(secondKey)?.value).toBe("ok");
    const changes = store.incidents.changes().map((change) => `${change.change} ${change.key}`);
    expect(changes).toEqual([
      `block-seen ${firstKey}`,
      `block-seen ${secondKey}`,
      `block-lifted ${firstKey}`,
      `block-lifted ${secondKey}`,
    ]);
  });
});

describe("log job stopped mid-read", () => {
  it("records nothing of the read", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), gmailLines(T0, 3, GMAIL_RATE_LIMIT));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 10 * MINUTE);
    const stopped = new AbortController();
    stopped.abort();
    const context: JobContext = {
      config: parseMonitorConfig({ ips: [IP], logs: ["mail.log"], logsFromStart: true }, "test"),
      store,
      clock,
      logger: createMonitorLogger(new PassThrough(), clock),
      channels: [],
      env: {},
      version: "test",
      createDns: () => {
        throw new Error("the log job asks no DNS");
      },
      signal: stopped.signal,
      repeats: new RepeatFilter(),
      hostName: "monitor.example.com",
    };
    await expect(runLogJob(context, dir)).rejects.toThrow(/aborted/);
    expect(store.positions.get(join(dir, "mail.log"))).toBeNull();
    expect(store.runs.count("runs")).toBe(0);
    expect(store.states.list()).toEqual([]);
    store.close();
  });
});
