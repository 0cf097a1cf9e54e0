import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { FakeClock } from "../helpers/clock.js";
import { PostfixLog, SENT, T0 } from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor, type LogLines } from "./harness.js";

const tempDir = useTempDirs();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WARNING = "log shows no outbound delivery";

/**
 * Postfix lines of `count` messages received over SMTP and delivered to local mailboxes, one
 * every `stepMs` from `start`: a log with inbound mail only.
 */
function inboundLines(start: number, count: number, stepMs = MINUTE): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const stamp = (offset: number): string =>
      new Date(start + index * stepMs + offset).toISOString().replace("Z", "+00:00");
    const id = (0x20000 + index).toString(16).toUpperCase().padStart(10, "0");
    lines.push(
      `${stamp(0)} mx postfix/smtpd[200]: ${id}: client=unknown[198.51.100.7]`,
      `${stamp(0)} mx postfix/cleanup[201]: ${id}: message-id=<${id}@example.net>`,
      `${stamp(0)} mx postfix/qmgr[202]: ${id}: from=<sender@example.net>, size=1500, nrcpt=1 (queue active)`,
      `${stamp(1000)} mx postfix/local[203]: ${id}: to=<user${index}@example.com>, relay=local, delay=1, delays=0.1/0/0/0.9, dsn=2.0.0, status=sent (delivered to mailbox)`,
      `${stamp(1000)} mx postfix/qmgr[202]: ${id}: removed`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function gmailSent(start: number): string {
  const log = new PostfixLog();
  log.submit({
    time: start,
    account: "sales@example.com",
    clientIp: "198.51.100.7",
    recipients: [{ address: "someone@gmail.com", outcome: SENT }],
  });
  return log.text();
}

function warnings(logs: LogLines): LogLines {
  return logs.filter((line) => String(line["msg"]).startsWith(WARNING));
}

function outboundAgain(logs: LogLines): LogLines {
  return logs.filter((line) => String(line["msg"]).startsWith("log shows outbound delivery again"));
}

function setUp(logsFromStart: boolean) {
  const dir = tempDir();
  const path = join(dir, "mail.log");
  const store = HistoryStore.open(join(dir, "history.sqlite"));
  const clock = new FakeClock(T0 + 30 * MINUTE);
  const { monitor, logs } = testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: ["203.0.113.10"],
      logs: ["mail.log"],
      logsFromStart,
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
    },
  });
  return { path, clock, monitor, logs };
}

describe("log without outbound delivery", () => {
  it("warns once, naming the path", async () => {
    const { path, clock, monitor, logs } = setUp(true);
    writeFileSync(path, inboundLines(T0, 5));
    await monitor.runJob("logs");
    expect(warnings(logs)).toHaveLength(1);
    expect(warnings(logs)[0]?.["path"]).toBe(path);
    expect(warnings(logs)[0]?.["level"]).toBe(40);
    expect(warnings(logs)[0]?.["firstLineAt"]).toBe(new Date(T0).toISOString());
    expect(warnings(logs)[0]?.["lastLineAt"]).toBe(new Date(T0 + 4 * MINUTE + 1000).toISOString());

    appendFileSync(path, inboundLines(T0 + 2 * 60 * MINUTE, 5));
    clock.set(T0 + 3 * 60 * MINUTE);
    await monitor.runJob("logs");
    expect(warnings(logs)).toHaveLength(1);
  });

  it("no warning with outbound delivery", async () => {
    const { path, monitor, logs } = setUp(true);
    writeFileSync(path, inboundLines(T0, 5) + gmailSent(T0 + 10 * MINUTE));
    await monitor.runJob("logs");
    expect(warnings(logs)).toEqual([]);
  });

  it("new lines warn after an hour", async () => {
    const { path, clock, monitor, logs } = setUp(false);
    writeFileSync(path, "");
    await monitor.runJob("logs");

    // A quiet half hour with inbound mail only is no reason to doubt the log.
    appendFileSync(path, inboundLines(T0, 3, 15 * MINUTE));
    clock.set(T0 + 40 * MINUTE);
    await monitor.runJob("logs");
    expect(warnings(logs)).toEqual([]);

    appendFileSync(path, inboundLines(T0 + 45 * MINUTE, 2, 15 * MINUTE));
    clock.set(T0 + 70 * MINUTE);
    await monitor.runJob("logs");
    expect(warnings(logs)).toHaveLength(1);
  });

  it("quiet night after outbound passes", async () => {
    const { path, clock, monitor, logs } = setUp(false);
    writeFileSync(path, "");
    await monitor.runJob("logs");

    appendFileSync(path, gmailSent(T0));
    clock.set(T0 + 5 * MINUTE);
    await monitor.runJob("logs");
    // Twelve hours of inbound mail alone, read hour by hour, as on a small server at night.
    for (let hour = 1; hour <= 12; hour++) {
      appendFileSync(path, inboundLines(T0 + hour * HOUR, 1));
      clock.set(T0 + hour * HOUR + 5 * MINUTE);
      await monitor.runJob("logs");
    }
    expect(warnings(logs)).toEqual([]);
  });

  it("warns again after each silent day", async () => {
    const { path, clock, monitor, logs } = setUp(false);
    writeFileSync(path, "");
    await monitor.runJob("logs");

    appendFileSync(path, gmailSent(T0));
    clock.set(T0 + 5 * MINUTE);
    await monitor.runJob("logs");
    appendFileSync(path, inboundLines(T0 + 10 * MINUTE, 20, HOUR));
    clock.set(T0 + 20 * HOUR);
    await monitor.runJob("logs");
    expect(warnings(logs)).toEqual([]);
    appendFileSync(path, inboundLines(T0 + 20 * HOUR + 10 * MINUTE, 5, HOUR));
    clock.set(T0 + 25 * HOUR);
    await monitor.runJob("logs");
    const first = warnings(logs);
    expect(first).toHaveLength(1);
    expect(first[0]?.["path"]).toBe(path);
    expect(first[0]?.["firstLineAt"]).toBe(new Date(T0 + 10 * MINUTE).toISOString());
    expect(String(first[0]?.["msg"])).toMatch(/^log shows no outbound delivery any more/);

    // More of the same silence gives no second warning.
    appendFileSync(path, inboundLines(T0 + 25 * HOUR + 10 * MINUTE, 4, HOUR));
    clock.set(T0 + 29 * HOUR);
    await monitor.runJob("logs");
    expect(warnings(logs)).toHaveLength(1);

    appendFileSync(path, gmailSent(T0 + 29 * HOUR + 10 * MINUTE));
    clock.set(T0 + 29 * HOUR + 15 * MINUTE);
    await monitor.runJob("logs");
    expect(outboundAgain(logs)).toHaveLength(1);

    const restart = T0 + 30 * HOUR;
    appendFileSync(path, inboundLines(restart, 25, HOUR));
    clock.set(restart + 25 * HOUR);
    await monitor.runJob("logs");
    expect(warnings(logs)).toHaveLength(2);
    expect(warnings(logs)[1]?.["firstLineAt"]).toBe(new Date(restart).toISOString());
  });
});

/**
 * Runs the log job as one `delist monitor --once` run from cron does: a new monitor opens
 * `history.sqlite` in `dir` for this run only and reads the lines added to `mail.log` at `now`.
 */
async function onceRun(dir: string, now: number): Promise<LogLines> {
  const store = HistoryStore.open(join(dir, "history.sqlite"));
  try {
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(now),
      cwd: dir,
      config: {
        ips: ["203.0.113.10"],
        logs: ["mail.log"],
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      },
    });
    await monitor.runJob("logs");
    return logs;
  } finally {
    store.close();
  }
}

describe("no-outbound warning across --once runs", () => {
  it("warns once after an hour of runs", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    await onceRun(dir, T0);

    // Each run reads one inbound message, 15 minutes of log time after the one before.
    const counts: number[] = [];
    for (let run = 0; run < 7; run++) {
      const start = T0 + run * 15 * MINUTE;
      appendFileSync(path, inboundLines(start, 1));
      counts.push(warnings(await onceRun(dir, start + MINUTE)).length);
    }
    expect(counts).toEqual([0, 0, 0, 0, 1, 0, 0]);

    const store = HistoryStore.open(join(dir, "history.sqlite"));
    const state = store.outboundStates.get(path);
    store.close();
    expect(state?.outboundAt).toBeNull();
    expect(state?.firstLineWithoutAt).toBe(T0);
    expect(state?.warnedAt).toBe(T0 + 60 * MINUTE + MINUTE);
  });

  it("warning dates the span that set it off", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    await onceRun(dir, T0);
    appendFileSync(path, inboundLines(T0, 1));
    await onceRun(dir, T0 + MINUTE);
    appendFileSync(path, inboundLines(T0 + 70 * MINUTE, 1));
    const found = warnings(await onceRun(dir, T0 + 71 * MINUTE));
    expect(found).toHaveLength(1);
    expect(found[0]?.["path"]).toBe(path);
    // The span began in the run before, so the warning's first line is not of this read.
    expect(found[0]?.["firstLineAt"]).toBe(new Date(T0).toISOString());
    expect(found[0]?.["lastLineAt"]).toBe(new Date(T0 + 70 * MINUTE + 1000).toISOString());
  });

  it("outbound delivery clears the warning", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    await onceRun(dir, T0);
    appendFileSync(path, inboundLines(T0, 1));
    await onceRun(dir, T0 + MINUTE);
    appendFileSync(path, inboundLines(T0 + 61 * MINUTE, 1));
    expect(warnings(await onceRun(dir, T0 + 62 * MINUTE))).toHaveLength(1);

    appendFileSync(path, gmailSent(T0 + 70 * MINUTE));
    const cleared = await onceRun(dir, T0 + 71 * MINUTE);
    expect(outboundAgain(cleared)).toHaveLength(1);
    expect(outboundAgain(cleared)[0]?.["path"]).toBe(path);
    expect(outboundAgain(cleared)[0]?.["level"]).toBe(30);
    expect(warnings(cleared)).toEqual([]);

    const store = HistoryStore.open(join(dir, "history.sqlite"));
    const state = store.outboundStates.get(path);
    store.close();
    expect(state?.warnedAt).toBeNull();
    expect(state?.firstLineWithoutAt).toBeNull();
    expect(state?.outboundAt).not.toBeNull();

    // Runs of inbound mail alone, 4 hours apart, warn once, when they span a day of log time.
    const counts: number[] = [];
    for (let run = 0; run < 8; run++) {
      const start = T0 + 80 * MINUTE + run * 4 * HOUR;
      appendFileSync(path, inboundLines(start, 1));
      const logs = await onceRun(dir, start + MINUTE);
      counts.push(warnings(logs).length);
      expect(outboundAgain(logs)).toEqual([]);
    }
    expect(counts).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);

    const reopened = HistoryStore.open(join(dir, "history.sqlite"));
    const silent = reopened.outboundStates.get(path);
    reopened.close();
    expect(silent?.firstLineWithoutAt).toBe(T0 + 80 * MINUTE);
    expect(silent?.warnedAt).toBe(T0 + 81 * MINUTE + 24 * HOUR);
    expect(silent?.outboundAt).toBe(state?.outboundAt);
  });

  it("whole file warns on the first run", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, inboundLines(T0, 3));
    const store = HistoryStore.open(join(dir, "history.sqlite"));
    const { monitor, logs } = testMonitor({
      store,
      clock: new FakeClock(T0 + 30 * MINUTE),
      cwd: dir,
      config: {
        ips: ["203.0.113.10"],
        logs: ["mail.log"],
        logsFromStart: true,
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      },
    });
    await monitor.runJob("logs");
    store.close();
    expect(warnings(logs)).toHaveLength(1);

    appendFileSync(path, inboundLines(T0 + 3 * 60 * MINUTE, 3));
    expect(warnings(await onceRun(dir, T0 + 4 * 60 * MINUTE))).toEqual([]);
  });
});

/**
 * Writes a monitor configuration that follows `mail.log` in `dir` and returns a function that
 * runs `delist monitor --once` on it, as cron would, with its exit status and warnings.
 */
function cronRuns(dir: string) {
  const path = join(dir, "mail.log");
  const config = join(dir, "monitor.json");
  writeFileSync(
    config,
    JSON.stringify({
      logs: [{ path, ip: "203.0.113.10" }],
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
    }),
  );
  return async () => {
    const argv = ["monitor", "--once", "--config", config, "--db", join(dir, "h.sqlite")];
    const result = await runCommand(argv);
    const lines = result.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { code: result.code, warnings: warnings(lines) };
  };
}

describe("no-outbound warning of delist monitor --once", () => {
  it("cron runs warn once", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    const once = cronRuns(dir);
    writeFileSync(path, "");
    expect((await once()).code).toBe(0);

    const runs = [];
    for (const offset of [0, 30, 61, 90]) {
      appendFileSync(path, inboundLines(T0 + offset * MINUTE, 1));
      runs.push(await once());
    }
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1, 0]);
    expect(runs[2]?.warnings[0]?.["path"]).toBe(path);
  });

  it("cron runs warn once after a silent day", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    const once = cronRuns(dir);
    writeFileSync(path, "");
    expect((await once()).code).toBe(0);
    appendFileSync(path, gmailSent(T0));
    expect((await once()).warnings).toEqual([]);

    const runs = [];
    // Inbound mail only, 30 minutes, 12 hours, a day and a minute, and 30 hours after the delivery.
    for (const offset of [30, 720, 1471, 1800]) {
      appendFileSync(path, inboundLines(T0 + offset * MINUTE, 1));
      runs.push(await once());
    }
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    expect(runs.map((run) => run.warnings.length)).toEqual([0, 0, 1, 0]);
    expect(runs[2]?.warnings[0]?.["firstLineAt"]).toBe(new Date(T0 + 30 * MINUTE).toISOString());
  });
});
