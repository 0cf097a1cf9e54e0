import { appendFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FAILURE_RUN_MAX_AGE_MS } from "../../src/store/failure-runs.js";
import { connectionKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";
import { FakeClock } from "../helpers/clock.js";
import { schemaValidator } from "../helpers/schema.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const validateAlert = schemaValidator("alert.schema.json");
const IP = "192.0.2.1";
const KEY = connectionKey("gmail", IP);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2024, 2, 4, 0, 0, 0);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]:25";
const SCHEDULES = { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER };

let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

/** Formats a syslog time stamp in UTC, such as `Mar  4 00:10:02`. */
function stamp(time: number): string {
  const date = new Date(time);
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const day = String(date.getUTCDate()).padStart(2, " ");
  return `${month} ${day} ${date.toISOString().slice(11, 19)}`;
}

let queueId = 0;

function nextQueueId(): string {
  queueId += 1;
  return `5B${String(queueId).padStart(6, "0")}`;
}

/** Builds a Postfix line of a message to Gmail deferred because the connection timed out. */
function timeoutLine(time: number): string {
  return (
    `${stamp(time)} mail postfix/smtp[1001]: ${nextQueueId()}: to=<user@gmail.com>, ` +
    `relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, status=deferred ` +
    `(connect to ${GMAIL_MX}: Connection timed out)`
  );
}

/** Builds a Postfix line of a message that Gmail accepted. */
function deliveredLine(time: number): string {
  return (
    `${stamp(time)} mail postfix/smtp[1002]: ${nextQueueId()}: to=<friend@gmail.com>, ` +
    `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, ` +
    `status=sent (250 2.0.0 OK 1709510400 x1si1.1 - gsmtp)`
  );
}

/** Builds a Postfix line of a message to Gmail deferred by a 421 reply. */
function repliedLine(time: number): string {
  return (
    `${stamp(time)} mail postfix/smtp[1003]: ${nextQueueId()}: to=<friend@gmail.com>, ` +
    `relay=${GMAIL_MX}, delay=1, delays=0.1/0/0.4/0.5, dsn=4.3.0, status=deferred ` +
    `(host gmail-smtp-in.l.google.com[192.0.2.27] said: 421 4.3.0 Temporary System Problem. ` +
    `Try again later. - gsmtp (in reply to end of DATA command))`
  );
}

/**
 * Returns the lines of window `index` (an hour from T0 + index hours): three connection
 * time-outs 20 minutes apart, after a delivery when `delivered` is true.
 */
function windowLines(index: number, delivered = false): string[] {
  const start = T0 + index * HOUR;
  const failures = [0, 20, 40].map((offset) => timeoutLine(start + (offset + 5) * MINUTE));
  return delivered ? [deliveredLine(start), ...failures] : failures;
}

/** Returns the time at which window `index` is checked: the end of its hour. */
function checkTime(index: number): number {
  return T0 + (index + 1) * HOUR;
}

/**
 * Appends `lines` to the log and dates the file at `modifiedAt`, because syslog time stamps have
 * no year and the reader takes it from the file's modification time.
 */
function writeLog(path: string, lines: readonly string[], modifiedAt: number): void {
  appendFileSync(path, `${lines.join("\n")}\n`);
  utimesSync(path, modifiedAt / 1000, modifiedAt / 1000);
}

/** Builds a monitor that follows `mail.log` in `dir` on the store `store`. */
function logMonitor(dir: string, store: HistoryStore, clock: FakeClock, webhookUrl: string) {
  return logMonitorWithLines(dir, store, clock, webhookUrl).monitor;
}

/** Builds the monitor of `logMonitor` and returns it with its parsed log lines. */
function logMonitorWithLines(
  dir: string,
  store: HistoryStore,
  clock: FakeClock,
  webhookUrl: string,
) {
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [IP],
      logs: ["mail.log"],
      logsFromStart: true,
      timeZone: "UTC",
      alerts: { webhook: { url: webhookUrl } },
      schedules: SCHEDULES,
    },
  });
}

/** Moves the clock to `at`, then runs the log job and sends the due alerts. */
async function checkAt(
  clock: FakeClock,
  monitor: ReturnType<typeof logMonitor>,
  at: number,
): Promise<void> {
  clock.set(at);
  await monitor.runJob("logs");
  await monitor.dispatchAlerts();
}

/** Creates an empty `mail.log` in a new directory and returns both paths. */
function newLog(): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, "mail.log");
  writeFileSync(path, "");
  return { dir, path };
}

/**
 * Starts the webhook receiver, and a monitor of a new empty log with an in-memory history, on a
 * fake clock at T0.
 */
async function startLogMonitor() {
  receiver = await startWebhookReceiver();
  const clock = new FakeClock(T0);
  const { dir, path } = newLog();
  const store = HistoryStore.open(":memory:");
  const monitor = logMonitor(dir, store, clock, receiver.url);
  return { webhook: receiver, clock, path, store, monitor };
}

function alertChanges(webhook: WebhookReceiver): unknown[] {
  return webhook.alerts.map((alert) => alert.body["change"]);
}

describe("outage across log windows", () => {
  it("alerts once failures add up to ten", async () => {
    const { webhook, clock, path, store, monitor } = await startLogMonitor();

    for (const index of [0, 1, 2]) {
      writeLog(path, windowLines(index), checkTime(index));
      await checkAt(clock, monitor, checkTime(index));
    }
    expect(webhook.alerts).toHaveLength(0);
    expect(store.states.get(KEY)).toBeNull();
    expect(store.failureRuns.get(KEY)?.failures).toBe(9);

    writeLog(path, windowLines(3), checkTime(3));
    await checkAt(clock, monitor, checkTime(3));

    expect(alertChanges(webhook)).toEqual(["outage-started"]);
    const started = webhook.alerts[0]?.body;
    expect(validateAlert(started)).toEqual([]);
    expect(started?.["key"]).toBe(KEY);
    expect(started?.["value"]).toBe("unreachable");
    expect(started?.["at"]).toBe(new Date(T0 + 5 * MINUTE).toISOString());
    const outage = (started?.["evidence"] as Record<string, Record<string, unknown>>)["outage"];
    expect(outage?.["failures"]).toBe(12);
    expect(outage?.["ongoing"]).toBe(true);
    expect(outage?.["first"]).toMatchObject({ time: "2024-03-04T00:05:00Z", line: 1 });
    const fix = (outage?.["fix"] ?? []) as string[];
    expect(fix.join(" ")).toContain("nc -vz gmail-smtp-in.l.google.com 25");
    expect(fix.join(" ")).not.toContain("<MX host>");
    expect(store.incidents.latest(KEY)?.openedAt).toBe(T0 + 5 * MINUTE);
    store.close();
  });

  it("sends no second alert while failures go on", async () => {
    const { webhook, clock, path, store, monitor } = await startLogMonitor();

    for (const index of [0, 1, 2, 3, 4, 5]) {
      writeLog(path, windowLines(index), checkTime(index));
      await checkAt(clock, monitor, checkTime(index));
    }

    expect(alertChanges(webhook)).toEqual(["outage-started"]);
    expect(store.failureRuns.get(KEY)?.failures).toBe(18);
    store.close();
  });

  it("starts the count again after a delivery", async () => {
    const { webhook, clock, path, store, monitor } = await startLogMonitor();

    for (const index of [0, 1, 2, 3]) {
      writeLog(path, windowLines(index, index === 2), checkTime(index));
      await checkAt(clock, monitor, checkTime(index));
    }

    expect(webhook.alerts).toHaveLength(0);
    expect(store.states.get(KEY)?.value).toBe("reachable");
    expect(store.failureRuns.get(KEY)?.failures).toBe(6);
    expect(store.failureRuns.get(KEY)?.firstAt).toBe(T0 + 2 * HOUR + 5 * MINUTE);
    store.close();
  });

  it("starts the count again after a reply", async () => {
    const { webhook, clock, path, store, monitor } = await startLogMonitor();

    for (const index of [0, 1, 2, 3]) {
      const lines = windowLines(index);
      if (index === 2) lines.unshift(repliedLine(T0 + index * HOUR));
      writeLog(path, lines, checkTime(index));
      await checkAt(clock, monitor, checkTime(index));
    }

    expect(webhook.alerts).toHaveLength(0);
    expect(store.failureRuns.get(KEY)?.failures).toBe(6);
    store.close();
  });

  it("deletes the run after a delivery", async () => {
    const { clock, path, store, monitor } = await startLogMonitor();
    writeLog(path, windowLines(0), checkTime(0));
    await checkAt(clock, monitor, checkTime(0));
    expect(store.failureRuns.get(KEY)?.failures).toBe(3);

    writeLog(path, [deliveredLine(checkTime(0) + MINUTE)], checkTime(1));
    await checkAt(clock, monitor, checkTime(1));

    expect(store.failureRuns.get(KEY)).toBeNull();
    store.close();
  });

  it("deletes a run idle for five days", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { dir, path } = newLog();
    const store = HistoryStore.open(":memory:");
    const { monitor, logs } = logMonitorWithLines(dir, store, clock, receiver.url);
    writeLog(path, windowLines(0), checkTime(0));
    await checkAt(clock, monitor, checkTime(0));
    expect(store.failureRuns.get(KEY)?.lastAt).toBe(T0 + 45 * MINUTE);

    // The run was saved at the check after its last failure, and the age counts from both.
    await checkAt(clock, monitor, checkTime(0) + FAILURE_RUN_MAX_AGE_MS);
    expect(store.failureRuns.get(KEY)?.failures).toBe(3);

    await checkAt(clock, monitor, checkTime(0) + FAILURE_RUN_MAX_AGE_MS + MINUTE);
    expect(store.failureRuns.get(KEY)).toBeNull();
    const deleted = logs.filter((line) => line["keys"] !== undefined);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.["keys"]).toEqual([KEY]);
    expect(deleted[0]?.["msg"]).toMatch(/no failure for 5 days/);
    store.close();
  });

  it("keeps the count over a restart", async () => {
    receiver = await startWebhookReceiver();
    const clock = new FakeClock(T0);
    const { dir, path } = newLog();
    const db = join(dir, "history.sqlite");

    const before = HistoryStore.open(db);
    const first = logMonitor(dir, before, clock, receiver.url);
    for (const index of [0, 1]) {
      writeLog(path, windowLines(index), checkTime(index));
      await checkAt(clock, first, checkTime(index));
    }
    before.close();

    const after = HistoryStore.open(db);
    const second = logMonitor(dir, after, clock, receiver.url);
    for (const index of [2, 3]) {
      writeLog(path, windowLines(index), checkTime(index));
      await checkAt(clock, second, checkTime(index));
    }

    expect(alertChanges(receiver)).toEqual(["outage-started"]);
    expect(receiver.alerts[0]?.body["at"]).toBe(new Date(T0 + 5 * MINUTE).toISOString());
    after.close();
  });
});

describe("delist monitor --once and outages", () => {
  it("adds up failures of runs in a row", async () => {
    const { dir, path } = newLog();
    const db = join(dir, "history.sqlite");
    const config = join(dir, "monitor.json");
    writeFileSync(
      config,
      JSON.stringify({ logs: [path], logsFromStart: true, timeZone: "UTC", schedules: SCHEDULES }),
    );
    const key = connectionKey("gmail", path);

    for (const index of [0, 1, 2, 3]) {
      writeLog(path, windowLines(index), checkTime(index));
      const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
      expect(result.code).toBe(index === 3 ? 1 : 0);
    }

    const store = HistoryStore.open(db);
    expect(store.states.get(key)?.value).toBe("unreachable");
    expect(store.incidents.latest(key)?.openedAt).toBe(T0 + 5 * MINUTE);
    expect(store.failureRuns.get(key)?.failures).toBe(12);
    store.close();
  });
});
