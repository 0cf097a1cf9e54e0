import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { blockKey, HistoryStore, type StateValue } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { GMAIL_UNSOLICITED, PostfixLog, T0, type Outcome } from "../helpers/postfix-fixture.js";
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
const IP = "203.0.113.10";
const KEY = blockKey("gmail", IP);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const WINDOW_MS = 30 * MINUTE;
// The monitor reads the log three months after the replies in it.
const NOW = T0 + 90 * DAY;
// PostfixLog logs a delivery one second after the message is submitted.
const FIRST_REPLY = T0 + 1_000;

/**
 * Postfix lines of `count` messages to Gmail, a minute apart, each with the result `outcome`:
 * by default rejected as unsolicited.
 */
function rejectedLines(start: number, count: number, outcome = GMAIL_UNSOLICITED): string {
  const log = new PostfixLog();
  for (let index = 0; index < count; index++) {
    log.submit({
      time: start + index * MINUTE,
      account: "sales@example.com",
      clientIp: "198.51.100.7",
      recipients: [{ address: `user${index}@gmail.com`, outcome }],
    });
  }
  return log.text();
}

/** Records `value` of KEY observed at `at`, which the evidence dates at `occurredAt`. */
function observe(store: HistoryStore, value: StateValue, at: number, occurredAt?: number) {
  return store.states.observe(
    {
      key: KEY,
      kind: "block",
      subject: `gmail ${IP}`,
      value,
      at,
      ...(occurredAt === undefined ? {} : { occurredAt }),
      runId: null,
      evidence: { source: "test" },
    },
    ["webhook"],
    WINDOW_MS,
  );
}

describe("block read from an old log", () => {
  it("dates change and incident by the reply", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mail.log"), rejectedLines(T0, 3));
    const store = HistoryStore.open(":memory:");
    const { monitor } = testMonitor({
      store,
      clock: new FakeClock(NOW),
      cwd: dir,
      config: {
        ips: [IP],
        logs: ["mail.log"],
        logsFromStart: true,
        alerts: { webhook: { url: "http://127.0.0.1:9/alerts" } },
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });

    expect(await monitor.runJob("logs")).toBe("complete");

    const [change] = store.incidents.changes();
    expect(change?.change).toBe("block-seen");
    expect(change?.at).toBe(FIRST_REPLY);
    expect(store.incidents.latest(KEY)?.openedAt).toBe(FIRST_REPLY);
    expect(store.states.get(KEY)?.since).toBe(FIRST_REPLY);
    expect(store.states.get(KEY)?.checkedAt).toBe(NOW);
    const [alert] = store.alerts.all();
    expect(alert?.payload.at).toBe(new Date(FIRST_REPLY).toISOString());
    expect(alert?.nextAttemptAt).toBe(NOW);
    expect(alert?.held).toBe(false);
    store.close();
  });
});

describe("block read from a log and probed in one run", () => {
  let server: GmailLikeServer | null = null;
  let receiver: WebhookReceiver | null = null;
  afterEach(async () => {
    await server?.close();
    await receiver?.close();
    server = null;
    receiver = null;
  });

  it("keeps the log's start and count", async () => {
    server = await startGmailLikeServer("blocked");
    receiver = await startWebhookReceiver();
    const dir = tempDir();
    const namingProbedIp: Outcome = {
      ...GMAIL_UNSOLICITED,
      reply: GMAIL_UNSOLICITED.reply.replace(IP, JUDGED_IP),
    };
    writeFileSync(join(dir, "mail.log"), rejectedLines(T0, 3, namingProbedIp));
    const store = HistoryStore.open(":memory:");
    const { monitor } = testMonitor({
      store,
      clock: new FakeClock(NOW),
      cwd: dir,
      config: {
        logs: [{ path: "mail.log", ip: JUDGED_IP }],
        logsFromStart: true,
        probes: [{ to: "postmaster-check@gmail.com", mx: `127.0.0.1:${server.port}` }],
        alerts: { webhook: { url: receiver.url } },
        schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
      },
    });

    await monitor.runOnce();

    const key = blockKey("gmail", JUDGED_IP);
    expect(server.connections).toBe(1);
    expect(store.states.get(key)?.value).toBe("blocked");
    expect(store.incidents.latest(key)?.openedAt).toBe(FIRST_REPLY);
    expect(store.incidents.changes().map((change) => change.change)).toEqual(["block-seen"]);
    expect(receiver.alerts).toHaveLength(1);
    const body = receiver.alerts[0]?.body;
    expect(body?.["at"]).toBe(new Date(FIRST_REPLY).toISOString());
    const evidence = body?.["evidence"] as Record<string, unknown> | undefined;
    expect(evidence?.["source"]).toBe("logs");
    expect(evidence?.["blockedAttempts"]).toBe(3);
    store.close();
  });
});

describe("flap window of a back-dated change", () => {
  it("sends the change at once", () => {
    const store = HistoryStore.open(":memory:");
    observe(store, "blocked", NOW - 3 * 60 * MINUTE);
    observe(store, "ok", NOW - 2 * 60 * MINUTE);
    // The log shows the block again from 10 minutes after the lift, read an hour later.
    const change = observe(store, "blocked", NOW, NOW - 110 * MINUTE);

    expect(change?.at).toBe(NOW - 110 * MINUTE);
    expect(store.alerts.heldUntil(change?.id ?? 0)).toBeNull();
    expect(store.alerts.all().at(-1)?.nextAttemptAt).toBe(NOW);
    store.close();
  });

  it("holds the next change from recording", () => {
    const store = HistoryStore.open(":memory:");
    const seen = observe(store, "blocked", NOW, T0);
    const lifted = observe(store, "ok", NOW + 2 * MINUTE);

    expect(seen?.at).toBe(T0);
    expect(store.alerts.heldUntil(seen?.id ?? 0)).toBeNull();
    expect(store.alerts.heldUntil(lifted?.id ?? 0)).toBe(NOW + WINDOW_MS);
    store.close();
  });

  it("never dates before the last lift", () => {
    const store = HistoryStore.open(":memory:");
    observe(store, "blocked", NOW - DAY);
    observe(store, "ok", NOW - 60 * MINUTE);
    const again = observe(store, "blocked", NOW, T0);

    expect(again?.at).toBe(NOW - 60 * MINUTE);
    const incidents = store.incidents.incidents();
    expect(incidents.map((incident) => incident.openedAt)).toEqual([NOW - DAY, NOW - 60 * MINUTE]);
    store.close();
  });
});
