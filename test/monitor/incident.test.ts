import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recordRemovalRequest } from "../../src/monitor/index.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { runCommand } from "../helpers/cli.js";
import {
  JUDGED_IP,
  startGmailLikeServer,
  type GmailLikeServer,
} from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";
import { advanceTo, NEVER, testMonitor } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

let server: GmailLikeServer | null = null;
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = null;
  receiver = null;
});

interface StatusJson {
  statuses: Array<{
    provider: string;
    ip: string;
    incident: { status: string; openedAt: string; closedAt: string | null } | null;
    daysSinceRequest: number | null;
    requests: number;
    lastProbe: { status: string } | null;
    nextRequestAllowedAt: string | null;
    advice: string;
  }>;
}

describe("monitor incident", () => {
  it("follows a block from first sight to lift", async () => {
    server = await startGmailLikeServer("rate-limited");
    receiver = await startWebhookReceiver();
    const db = join(tempDir(), "history.sqlite");
    const store = HistoryStore.open(db);
    // Seven days ago at midnight UTC, so the incident ends before the real "now" of the CLI.
    const start = Math.floor((Date.now() - 7 * DAY) / DAY) * DAY;
    const clock = new FakeClock(start);
    const { monitor, logs } = testMonitor({
      store,
      clock,
      config: {
        probes: [
          {
            to: "postmaster-check@gmail.com",
            from: "postmaster@example.com",
            helo: "mail.example.com",
            mx: `127.0.0.1:${server.port}`,
          },
        ],
        schedules: { probes: "0 */12 * * *", blocklists: NEVER, dns: NEVER, logs: NEVER },
        alerts: { webhook: { url: receiver.url } },
      },
    });
    const controller = new AbortController();
    const running = monitor.run(controller.signal);

    // Day 0: Gmail defers with 421 4.7.28; the incident opens and one alert goes out.
    await monitor.whenIdle(0);
    const key = blockKey("gmail", JUDGED_IP);
    const opened = store.incidents.latest(key);
    expect(opened?.closedAt).toBeNull();
    expect(opened?.openedAt).toBe(start);
    expect(receiver.alerts.map((a) => a.body["change"])).toEqual(["block-seen"]);
    expect(receiver.alerts[0]?.body["incident"]).toMatchObject({ id: opened?.id, closedAt: null });

    // From the second probe on, Gmail rejects with 550 5.7.1.
    server.phase = "blocked";
    await advanceTo(clock, monitor, start + DAY);
    expect(receiver.alerts.map((a) => a.body["change"])).toEqual(["block-seen", "block-changed"]);

    // Day 2: the cause is fixed and removal is requested.
    await advanceTo(clock, monitor, start + 2 * DAY);
    const request = recordRemovalRequest(store, {
      provider: "gmail",
      ip: JUDGED_IP,
      at: clock.now(),
      forced: false,
      note: null,
    });
    expect(request.incidentId).toBe(opened?.id);

    // Day 5: Gmail accepts again; the incident closes and the lift is announced.
    await advanceTo(clock, monitor, start + 5 * DAY - HOUR);
    expect(store.incidents.latest(key)?.closedAt).toBeNull();
    server.phase = "accepted";
    await advanceTo(clock, monitor, start + 5 * DAY + HOUR);
    const closed = store.incidents.latest(key);
    expect(closed?.id).toBe(opened?.id);
    expect(closed?.closedAt).toBe(start + 5 * DAY);
    expect(receiver.alerts.map((a) => a.body["change"])).toEqual([
      "block-seen",
      "block-changed",
      "block-lifted",
    ]);
    expect(new Set(receiver.alerts.map((a) => a.idempotencyKey)).size).toBe(3);

    // Two probes a day, no more: the schedule and the rate limit keep probing gentle.
    expect(server.connections).toBe(11);
    expect(server.commands).not.toContain("DATA");

    controller.abort();
    await running;
    expect(logs.at(-1)?.["msg"]).toBe("monitor stopped");
    expect(logs.filter((line) => line["msg"] === "alert sent")).toHaveLength(3);
    const firstProbe = logs.find((line) => line["msg"] === "probe rate-limited");
    expect(firstProbe?.["incidentId"]).toBe(opened?.id);
    expect(firstProbe?.["change"]).toBe("block-seen");
    store.close();

    const status = await runCommand(["removal", "status", "--db", db, "--format", "json"]);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as StatusJson;
    expect(json.statuses).toHaveLength(1);
    const entry = json.statuses[0];
    expect(entry?.provider).toBe("gmail");
    expect(entry?.ip).toBe(JUDGED_IP);
    expect(entry?.incident?.status).toBe("closed");
    expect(entry?.incident?.closedAt).toBe(new Date(start + 5 * DAY).toISOString());
    expect(entry?.requests).toBe(1);
    expect(entry?.daysSinceRequest).toBe(5);
    expect(entry?.lastProbe?.status).toBe("accepted");
    expect(entry?.nextRequestAllowedAt).toBe(new Date(start + 16 * DAY).toISOString());
    expect(entry?.advice).toContain("The block lifted");
  });
});
