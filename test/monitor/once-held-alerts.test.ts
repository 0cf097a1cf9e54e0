import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blockKey, HistoryStore, type StateValue } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const START = Date.parse("2024-03-01T10:00:00Z");
const MINUTE = 60_000;
const FLAP_WINDOW_MINUTES = 30;

let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

/** Records `value` for the Gmail block state of `ip` at `at`, with alerts on the webhook. */
function observe(store: HistoryStore, ip: string, value: StateValue, at: number): void {
  store.states.observe(
    {
      key: blockKey("gmail", ip),
      kind: "block",
      subject: `gmail ${ip}`,
      value,
      at,
      runId: null,
      evidence: { source: "test" },
    },
    ["webhook"],
    FLAP_WINDOW_MINUTES * 60_000,
  );
}

/** Marks every pending alert that is not held as sent at `at`. */
function markSent(store: HistoryStore, at: number): void {
  for (const alert of store.alerts.all()) {
    if (alert.status === "pending" && !alert.held) store.alerts.markSent(alert.id, at);
  }
}

/**
 * Runs `--once` at `now` with a monitor that follows an empty log sent from 192.0.2.1, so that
 * the block states of that IP count, and alerts by webhook.
 */
async function runOnceAt(store: HistoryStore, now: number, timeZone = "UTC") {
  receiver = await startWebhookReceiver();
  const dir = tempDir();
  writeFileSync(join(dir, "mail.log"), "");
  const { monitor, logs } = testMonitor({
    store,
    clock: new FakeClock(now),
    cwd: dir,
    config: {
      logs: [{ path: "mail.log", ip: "192.0.2.1" }],
      timeZone,
      alerts: { webhook: { url: receiver.url }, flapWindowMinutes: FLAP_WINDOW_MINUTES },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
    },
  });
  const result = await monitor.runOnce();
  return { result, last: logs.at(-1) };
}

describe("monitor --once last line", () => {
  it("counts an alert held for the flap window", async () => {
    const store = HistoryStore.open(":memory:");
    observe(store, "192.0.2.1", "blocked", START);
    markSent(store, START);
    observe(store, "192.0.2.1", "ok", START + 5 * MINUTE);

    const { result, last } = await runOnceAt(store, START + 6 * MINUTE);

    expect(result.heldAlertsDueAt).toEqual([START + FLAP_WINDOW_MINUTES * MINUTE]);
    expect(last?.["msg"]).toBe(
      "every check passed, no incident is open and no alert delivery failed. " +
        "1 alert held for the flap window (sent by the first run after 10:30 UTC if the state holds)",
    );
    expect(last?.["heldAlerts"]).toBe(1);
    expect(receiver?.alerts).toHaveLength(0);
    store.close();
  });

  it("gives the range of several held alerts", async () => {
    const store = HistoryStore.open(":memory:");
    observe(store, "192.0.2.1", "blocked", START);
    observe(store, "192.0.2.2", "blocked", START + 10 * MINUTE);
    markSent(store, START + 10 * MINUTE);
    observe(store, "192.0.2.1", "ok", START + 15 * MINUTE);
    observe(store, "192.0.2.2", "ok", START + 15 * MINUTE);

    const { last } = await runOnceAt(store, START + 16 * MINUTE, "Asia/Jakarta");

    expect(last?.["msg"]).toContain(
      "2 alerts held for the flap window (sent by the first runs after 17:30 to 17:40 Asia/Jakarta if their states hold)",
    );
    store.close();
  });

  it("names the date of a hold past midnight", async () => {
    const store = HistoryStore.open(":memory:");
    const lateStart = Date.parse("2024-03-01T23:50:00Z");
    observe(store, "192.0.2.1", "blocked", lateStart);
    markSent(store, lateStart);
    observe(store, "192.0.2.1", "ok", lateStart + 5 * MINUTE);

    const { last } = await runOnceAt(store, lateStart + 6 * MINUTE);

    expect(last?.["msg"]).toContain("(sent by the first run after 2024-03-02 00:20 UTC if");
    store.close();
  });

  it("adds held alerts to exit status 1", async () => {
    const store = HistoryStore.open(":memory:");
    observe(store, "192.0.2.1", "blocked", START);
    markSent(store, START);
    observe(store, "192.0.2.1", "ok", START + 5 * MINUTE);
    observe(store, "192.0.2.1", "blocked", START + 6 * MINUTE);

    const { result, last } = await runOnceAt(store, START + 7 * MINUTE);

    expect(result.openIncidents).toHaveLength(1);
    expect(last?.["msg"]).toBe(
      "exit status 1: 1 open incident. " +
        "1 alert held for the flap window (sent by the first run after 10:30 UTC if the state holds)",
    );
    store.close();
  });
});
