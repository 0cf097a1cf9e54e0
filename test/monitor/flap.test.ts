import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { AlertDispatcher, createMonitorLogger, webhookSender } from "../../src/monitor/index.js";
import { blockKey, HistoryStore, type StateValue } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { useTempDirs } from "../store/helpers.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const START = Date.parse("2024-03-01T00:00:00Z");
const MINUTE = 60_000;
const WINDOW_MS = 30 * MINUTE;
const KEY = blockKey("gmail", "192.0.2.1");

let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await receiver?.close();
  receiver = null;
});

function observe(store: HistoryStore, value: StateValue, at: number): number {
  const change = store.states.observe(
    {
      key: KEY,
      kind: "block",
      subject: "gmail 192.0.2.1",
      value,
      at,
      runId: null,
      evidence: { source: "test" },
    },
    ["webhook"],
    WINDOW_MS,
  );
  return change?.id ?? 0;
}

/** Sends the due alerts of `store` as a freshly started monitor would, at `at`. */
async function dispatchAt(store: HistoryStore, url: string, at: number): Promise<number> {
  const clock = new FakeClock(at);
  const logger = createMonitorLogger(new PassThrough(), clock);
  const sender = webhookSender({ url, headers: {}, timeoutMs: 5_000 });
  return new AlertDispatcher(store, [sender], clock, logger).dispatch();
}

describe("alerts of a flapping state", () => {
  it("page once when a block comes back", async () => {
    const webhook = await startWebhookReceiver();
    receiver = webhook;
    const db = join(tempDir(), "history.sqlite");
    const store = HistoryStore.open(db);
    const first = observe(store, "blocked", START);
    expect(store.alerts.heldUntil(first)).toBeNull();
    expect(await dispatchAt(store, webhook.url, START)).toBe(1);

    const lifted = observe(store, "ok", START + 2 * MINUTE);
    expect(store.alerts.heldUntil(lifted)).toBe(START + WINDOW_MS);
    expect(await dispatchAt(store, webhook.url, START + 2 * MINUTE)).toBe(0);
    observe(store, "blocked", START + 4 * MINUTE);
    expect(await dispatchAt(store, webhook.url, START + 4 * MINUTE)).toBe(0);
    store.close();

    // A restart inside the window keeps the held alert held.
    const restarted = HistoryStore.open(db);
    expect(restarted.alerts.nextAttemptAt()).toBe(START + WINDOW_MS);
    expect(await dispatchAt(restarted, webhook.url, START + WINDOW_MS - 1)).toBe(0);
    expect(await dispatchAt(restarted, webhook.url, START + WINDOW_MS)).toBe(0);

    expect(webhook.alerts.map((alert) => alert.body["change"])).toEqual(["block-seen"]);
    expect(restarted.alerts.all().map((alert) => alert.status)).toEqual([
      "sent",
      "superseded",
      "superseded",
    ]);
    expect(restarted.alerts.nextAttemptAt()).toBeNull();
    // The history keeps every change and both incidents.
    const changes = restarted.incidents.changes().map((change) => change.change);
    expect(changes).toEqual(["block-seen", "block-lifted", "block-seen"]);
    expect(restarted.incidents.incidents()).toHaveLength(2);
    restarted.close();
  });

  it("send the lasting state when the window ends", async () => {
    const webhook = await startWebhookReceiver();
    receiver = webhook;
    const store = HistoryStore.open(":memory:");
    observe(store, "blocked", START);
    await dispatchAt(store, webhook.url, START);
    observe(store, "ok", START + 2 * MINUTE);
    expect(await dispatchAt(store, webhook.url, START + 10 * MINUTE)).toBe(0);

    expect(await dispatchAt(store, webhook.url, START + WINDOW_MS)).toBe(1);
    expect(webhook.alerts.map((alert) => alert.body["change"])).toEqual([
      "block-seen",
      "block-lifted",
    ]);
    store.close();
  });

  it("send the latest of several held changes", async () => {
    const webhook = await startWebhookReceiver();
    receiver = webhook;
    const store = HistoryStore.open(":memory:");
    observe(store, "rate-limited", START);
    await dispatchAt(store, webhook.url, START);
    observe(store, "blocked", START + MINUTE);
    observe(store, "ok", START + 2 * MINUTE);
    observe(store, "blocked", START + 3 * MINUTE);

    expect(await dispatchAt(store, webhook.url, START + WINDOW_MS)).toBe(1);
    const values = webhook.alerts.map((alert) => alert.body["value"]);
    expect(values).toEqual(["rate-limited", "blocked"]);
    store.close();
  });

  it("send a change after the window at once", async () => {
    const webhook = await startWebhookReceiver();
    receiver = webhook;
    const store = HistoryStore.open(":memory:");
    observe(store, "blocked", START);
    await dispatchAt(store, webhook.url, START);
    observe(store, "ok", START + WINDOW_MS + MINUTE);

    expect(await dispatchAt(store, webhook.url, START + WINDOW_MS + MINUTE)).toBe(1);
    expect(webhook.alerts).toHaveLength(2);
    store.close();
  });

  it("send every change with no window", async () => {
    const webhook = await startWebhookReceiver();
    receiver = webhook;
    const store = HistoryStore.open(":memory:");
    for (const [minute, value] of [
      [0, "blocked"],
      [1, "ok"],
      [2, "blocked"],
    ] as const) {
      store.states.observe(
        {
          key: KEY,
          kind: "block",
          subject: "gmail 192.0.2.1",
          value,
          at: START + minute * MINUTE,
          runId: null,
          evidence: {},
        },
        ["webhook"],
      );
    }
    expect(await dispatchAt(store, webhook.url, START + 2 * MINUTE)).toBe(3);
    store.close();
  });
});
