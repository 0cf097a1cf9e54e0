import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

const tempDir = useTempDirs();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 6, 1, 0, 0);

const BLOCKED_IP = "203.0.113.10";
const KEY = blockKey("gmail", BLOCKED_IP);
const GMAIL_MX = "gmail-smtp-in.l.google.com[192.0.2.27]";

/** Returns one Postfix delivery line to Gmail at `minute` after T0, sent or blocked. */
function gmailLine(minute: number, result: "sent" | "blocked"): string {
  const time = T0 + minute * MINUTE;
  const stamp = new Date(time).toISOString().replace(".000Z", "+00:00");
  const id = (0x300000 + minute).toString(16).toUpperCase();
  const tail =
    result === "sent"
      ? "dsn=2.0.0, status=sent (250 2.0.0 OK 1709 - gsmtp)"
      : `dsn=5.7.1, status=bounced (host ${GMAIL_MX} said: 550-5.7.1 [${BLOCKED_IP}      12] Gmail has detected that this message is likely 550-5.7.1 unsolicited mail. To reduce the amount of spam sent to Gmail, this message 550 5.7.1 has been blocked. d1si1 - gsmtp (in reply to end of DATA command))`;
  return `${stamp} mail postfix/smtp[200]: ${id}: to=<u${minute}@gmail.com>, relay=${GMAIL_MX}:25, delay=1, delays=0.1/0/0.4/0.5, ${tail}\n`;
}

/** Returns Gmail deliveries every 5 minutes from `fromMinute` to `toMinute` after T0. */
function sentLines(fromMinute: number, toMinute: number): string {
  const lines: string[] = [];
  for (let minute = fromMinute; minute < toMinute; minute += 5)
    lines.push(gmailLine(minute, "sent"));
  return lines.join("");
}

/** Returns the configuration of a server watched through its log alone: no `ips`, no probes. */
function logOnlyConfig(logs: readonly string[] = ["mail.log"]): object {
  return {
    logs,
    logsFromStart: true,
    timeZone: "UTC",
    dns: { resolver: "127.0.0.1:9", timeoutMs: 200 },
    schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
  };
}

/** Runs `delist monitor --once` as a new process would: a new monitor on the same database. */
async function runOnce(dir: string, store: HistoryStore, clock: FakeClock, config: object) {
  const { monitor, logs } = testMonitor({ store, clock, cwd: dir, config });
  const result = await monitor.runOnce();
  return { result, logs };
}

function targetRemovedWarnings(logs: Array<Record<string, unknown>>) {
  return logs.filter((line) => String(line["msg"]).startsWith("closed the open incident"));
}

describe("log-only monitor and a block seen in its log", () => {
  it("keeps the incident open over --once runs", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), gmailLine(0, "blocked"));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 5 * MINUTE);

    const first = await runOnce(dir, store, clock, logOnlyConfig());
    expect(first.result.openIncidents.map((incident) => incident.key)).toEqual([KEY]);

    clock.set(T0 + 10 * MINUTE);
    const second = await runOnce(dir, store, clock, logOnlyConfig());
    expect(second.result.openIncidents.map((incident) => incident.key)).toEqual([KEY]);
    expect(targetRemovedWarnings(second.logs)).toEqual([]);
    expect(store.incidents.latest(KEY)?.closedAt).toBeNull();
    expect(store.incidents.changes().map((change) => change.change)).toEqual(["block-seen"]);
    store.close();
  });

  it("keeps the incident open after a restart", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), gmailLine(0, "blocked"));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 5 * MINUTE);
    await runOnce(dir, store, clock, logOnlyConfig());

    clock.set(T0 + HOUR);
    const { monitor, logs } = testMonitor({ store, clock, cwd: dir, config: logOnlyConfig() });
    const controller = new AbortController();
    const running = monitor.run(controller.signal);
    await monitor.whenIdle(0);
    controller.abort();
    await running;

    expect(targetRemovedWarnings(logs)).toEqual([]);
    expect(store.incidents.latest(KEY)?.closedAt).toBeNull();
    store.close();
  });

  it("closes the incident when the log shows the lift", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, gmailLine(0, "blocked"));
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 5 * MINUTE);
    await runOnce(dir, store, clock, logOnlyConfig());
    clock.set(T0 + 10 * MINUTE);
    await runOnce(dir, store, clock, logOnlyConfig());

    // 24 deliveries, the last 2 hours after the block reply, lift it by the rule of diagnose.
    appendFileSync(path, sentLines(5, 125));
    clock.set(T0 + 3 * HOUR);
    const lifted = await runOnce(dir, store, clock, logOnlyConfig());

    expect(lifted.result.openIncidents).toEqual([]);
    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(store.incidents.changes().map((change) => change.change)).toEqual([
      "block-seen",
      "block-lifted",
    ]);
    store.close();
  });

  it("closes the incident once its log is removed", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), gmailLine(0, "blocked"));
    writeFileSync(join(dir, "other.log"), "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 5 * MINUTE);
    await runOnce(dir, store, clock, logOnlyConfig());

    clock.set(T0 + 10 * MINUTE);
    const second = await runOnce(dir, store, clock, logOnlyConfig(["other.log"]));

    expect(second.result.openIncidents).toEqual([]);
    const closed = targetRemovedWarnings(second.logs);
    expect(closed).toHaveLength(1);
    const path = join(dir, "mail.log");
    expect(closed[0]?.["msg"]).toBe(
      `closed the open incident of gmail ${BLOCKED_IP}, because ${path} was removed from the ` +
        "configuration and no job checks it",
    );
    expect(closed[0]?.["target"]).toBe(path);
    expect(closed[0]?.["fix"]).toMatch(new RegExp(`^add ${path} to logs again to watch it`));
    expect(closed[0]?.["fix"]).not.toContain("ips");
    expect(store.incidents.latest(KEY)?.closedAt).toBe(T0 + 10 * MINUTE);
    expect(store.incidents.changes().at(-1)?.evidence).toEqual({
      reason: "target removed from the configuration",
      target: path,
      setting: "logs",
    });
    store.close();
  });
});
