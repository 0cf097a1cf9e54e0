import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import {
  JUDGED_IP,
  startGmailLikeServer,
  type GmailLikeServer,
} from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const START = Date.parse("2024-03-01T00:00:00Z");

let server: GmailLikeServer | null = null;
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = null;
  receiver = null;
});

function config(port: number, url: string): unknown {
  return {
    probes: [{ to: "postmaster-check@gmail.com", mx: `127.0.0.1:${port}` }],
    schedules: { probes: "0 * * * *", blocklists: NEVER, dns: NEVER, logs: NEVER },
    alerts: { webhook: { url } },
  };
}

describe("monitor restart", () => {
  it("sends an alert once after a crash before sending", async () => {
    server = await startGmailLikeServer("rate-limited");
    receiver = await startWebhookReceiver();
    const db = join(tempDir(), "history.sqlite");
    const clock = new FakeClock(START);

    // The first monitor dies after committing the state change, before the alert goes out:
    // the hook never returns, as if the process had been killed at that point.
    let reached: () => void = () => undefined;
    const atCrashPoint = new Promise<void>((resolve) => (reached = resolve));
    const first = testMonitor({
      store: HistoryStore.open(db),
      clock,
      config: config(server.port, receiver.url),
      beforeSend: () => {
        reached();
        return new Promise<void>(() => undefined);
      },
    });
    void first.monitor.runOnce();
    await atCrashPoint;
    expect(receiver.alerts).toHaveLength(0);

    const restarted = HistoryStore.open(db);
    expect(restarted.incidents.latest(blockKey("gmail", JUDGED_IP))?.closedAt).toBeNull();
    expect(restarted.alerts.due(clock.now())).toHaveLength(1);
    const second = testMonitor({
      store: restarted,
      clock,
      config: config(server.port, receiver.url),
    });
    await second.monitor.runOnce();
    expect(receiver.alerts).toHaveLength(1);
    expect(receiver.alerts[0]?.body["change"]).toBe("block-seen");
    // The probe of the first run counts against the rate limit, so the restart did not probe.
    expect(server.connections).toBe(1);
    expect(second.logs.some((line) => line["msg"] === "probe skipped: rate limit")).toBe(true);

    const third = testMonitor({
      store: HistoryStore.open(db),
      clock,
      config: config(server.port, receiver.url),
    });
    await third.monitor.runOnce();
    expect(receiver.alerts).toHaveLength(1);
    restarted.close();
  });

  it("keeps retrying a failing webhook across restarts", async () => {
    server = await startGmailLikeServer("blocked");
    receiver = await startWebhookReceiver();
    receiver.status = 503;
    const db = join(tempDir(), "history.sqlite");
    const clock = new FakeClock(START);
    const store = HistoryStore.open(db);
    const first = testMonitor({ store, clock, config: config(server.port, receiver.url) });
    await first.monitor.runOnce();
    expect(receiver.alerts).toHaveLength(0);
    const failed = first.logs.find((line) => line["msg"] === "alert failed, will retry");
    expect(failed?.["err"]).toBe(
      `the webhook at ${new URL(receiver.url).origin} responded with HTTP 503: the receiver ` +
        "failed to handle the alert. Check its log for the reason",
    );
    expect(failed?.["alertId"]).toBe(1);
    store.close();

    receiver.status = 204;
    clock.set(START + 60_000);
    const second = testMonitor({
      store: HistoryStore.open(db),
      clock,
      config: config(server.port, receiver.url),
    });
    await second.monitor.dispatchAlerts();
    expect(receiver.alerts).toHaveLength(1);
    expect(receiver.alerts[0]?.idempotencyKey).toMatch(/^delist-change-1-/);
  });
});
