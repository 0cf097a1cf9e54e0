import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BLOCK_LIFTED_DELIVERIES,
  ONGOING_WINDOW_MS,
  QUIET_LIFT_MS,
} from "../../src/diagnose/verdict.js";
import { AcceptanceTimes, advanceLiftProgress, isLifted } from "../../src/monitor/lift-progress.js";
import { probeTarget, recordProbe, runProbe } from "../../src/probe/index.js";
import { createReplyClassifier } from "../../src/reply/classify.js";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { zoneDns } from "../auth/zone.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import {
  GMAIL_NO_SUCH_USER,
  GMAIL_UNSOLICITED,
  PostfixLog,
  SENT,
  T0,
  type Outcome,
} from "../helpers/postfix-fixture.js";
import {
  JUDGED_IP,
  startGmailLikeServer,
  type GmailLikeServer,
} from "../probe/gmail-like-server.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, testMonitor } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const IP = "203.0.113.10";
const KEY = blockKey("gmail", IP);
const MINUTE = 60_000;
const HOUR_MS = 60 * MINUTE;
// PostfixLog logs a delivery one second after the message is submitted.
const DELIVERY_DELAY_MS = 1_000;

/** Postfix lines of `count` messages to Gmail with `outcome`, `stepMs` apart from `start` on. */
function gmailLines(start: number, count: number, outcome: Outcome, stepMs = MINUTE): string {
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

/** 30 rejections a minute apart from T0, then 25 deliveries over three hours. */
function endedBlockLines(): { text: string; lastRejection: number; firstRejection: number } {
  const firstRejection = T0 + DELIVERY_DELAY_MS;
  const lastRejection = T0 + 29 * MINUTE + DELIVERY_DELAY_MS;
  const text =
    gmailLines(T0, 30, GMAIL_UNSOLICITED) + gmailLines(T0 + 30 * MINUTE, 25, SENT, 7 * MINUTE);
  return { text, firstRejection, lastRejection };
}

function monitorFor(dir: string, store: HistoryStore, clock: FakeClock, config: object = {}) {
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [IP],
      logs: ["mail.log"],
      alerts: { webhook: { url: "http://127.0.0.1:9/alerts" } },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
      ...config,
    },
  });
}

/** Returns the history of KEY as change kinds with their times, and the incidents' ends. */
function historyOf(store: HistoryStore) {
  return {
    changes: store.incidents.changes().map((change) => [change.change, change.at]),
    incidents: store.incidents.incidents().map((i) => [i.openedAt, i.closedAt]),
  };
}

describe("block over between two log checks", () => {
  it("records both ends and alerts once", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");

    const { text, firstRejection, lastRejection } = endedBlockLines();
    appendFileSync(path, text);
    clock.set(T0 + 4 * HOUR_MS);
    await monitor.runJob("logs");

    expect(historyOf(store).changes).toEqual([
      ["block-seen", firstRejection],
      ["block-lifted", lastRejection],
    ]);
    expect(historyOf(store).incidents).toEqual([[firstRejection, lastRejection]]);
    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(store.liftProgress.get(KEY)).toBeNull();
    const alerts = store.alerts.all();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.payload.change).toBe("block-lifted");
    expect(alerts[0]?.payload.previous).toBe("blocked");
    expect(alerts[0]?.payload.summary).toBe(
      `Block already over: gmail ${IP} was blocked from 2024-03-04T00:00:01Z to 2024-03-04T00:29:01Z and is accepted again.`,
    );
    expect(alerts[0]?.payload.incident?.closedAt).toBe(new Date(lastRejection).toISOString());
    expect(alerts[0]?.payload.evidence).toMatchObject({
      lift: { deliveriesAfterAtLeast: BLOCK_LIFTED_DELIVERIES },
    });
    store.close();
  });

  it("records it on a first read from the start", async () => {
    const dir = tempDir();
    const { text, firstRejection, lastRejection } = endedBlockLines();
    writeFileSync(join(dir, "mail.log"), text);
    const store = HistoryStore.open(":memory:");
    const { monitor } = monitorFor(dir, store, new FakeClock(T0 + 4 * HOUR_MS), {
      logsFromStart: true,
    });
    await monitor.runJob("logs");

    expect(historyOf(store).incidents).toEqual([[firstRejection, lastRejection]]);
    expect(store.alerts.all().map((alert) => alert.payload.summary)).toEqual([
      expect.stringMatching(/^Block already over: /),
    ]);
    store.close();
  });

  it("lifts an open block normally", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 5, GMAIL_UNSOLICITED));
    clock.set(T0 + 10 * MINUTE);
    await monitor.runJob("logs");

    // More rejections and then the lift, in one window, end the incident opened before it.
    appendFileSync(
      path,
      gmailLines(T0 + 10 * MINUTE, 5, GMAIL_UNSOLICITED) +
        gmailLines(T0 + 20 * MINUTE, 25, SENT, 7 * MINUTE),
    );
    clock.set(T0 + 4 * HOUR_MS);
    await monitor.runJob("logs");

    expect(historyOf(store).incidents).toEqual([
      [T0 + DELIVERY_DELAY_MS, T0 + 14 * MINUTE + DELIVERY_DELAY_MS],
    ]);
    expect(store.alerts.all().map((alert) => alert.payload.summary)).toEqual([
      `Block seen: gmail ${IP} is blocked.`,
      `Block lifted: gmail ${IP} is accepted again.`,
    ]);
    store.close();
  });
});

describe("lift rule in log time", () => {
  it("backlog matches minute-by-minute reads", async () => {
    const { text } = endedBlockLines();
    const lines = text.split("\n").filter((line) => line !== "");

    const backlogDir = tempDir();
    writeFileSync(join(backlogDir, "mail.log"), "");
    const backlog = HistoryStore.open(":memory:");
    const backlogClock = new FakeClock(T0 - MINUTE);
    const first = monitorFor(backlogDir, backlog, backlogClock);
    await first.monitor.runJob("logs");
    appendFileSync(join(backlogDir, "mail.log"), text);
    backlogClock.set(T0 + 4 * HOUR_MS);
    await first.monitor.runJob("logs");

    // The same lines, read in the minute they were written.
    const liveDir = tempDir();
    const livePath = join(liveDir, "mail.log");
    writeFileSync(livePath, "");
    const live = HistoryStore.open(":memory:");
    const liveClock = new FakeClock(T0 - MINUTE);
    const second = monitorFor(liveDir, live, liveClock);
    await second.monitor.runJob("logs");
    for (let minute = 0; minute <= 4 * 60; minute++) {
      const end = T0 + (minute + 1) * MINUTE;
      const due = lines.filter((line) => {
        const time = Date.parse(line.slice(0, line.indexOf(" ")));
        return time >= end - MINUTE && time < end;
      });
      if (due.length === 0) continue;
      appendFileSync(livePath, `${due.join("\n")}\n`);
      liveClock.set(end);
      await second.monitor.runJob("logs");
    }

    expect(historyOf(live)).toEqual(historyOf(backlog));
    expect(historyOf(live).changes.map(([change]) => change)).toEqual([
      "block-seen",
      "block-lifted",
    ]);
    backlog.close();
    live.close();
  });

  it("lifts nothing on one delivery hours later", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 30, GMAIL_UNSOLICITED));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");
    expect(store.states.get(KEY)?.value).toBe("blocked");

    // The wall clock moves on by more than two hours before one delivery is logged.
    const later = T0 + 30 * MINUTE + ONGOING_WINDOW_MS + 5 * MINUTE;
    appendFileSync(path, gmailLines(later - MINUTE, 1, SENT));
    clock.set(later);
    await monitor.runJob("logs");

    expect(store.states.get(KEY)?.value).toBe("blocked");
    expect(store.liftProgress.get(KEY)).toEqual({
      lastBlockAt: T0 + 29 * MINUTE + DELIVERY_DELAY_MS,
      deliveries: 1,
      lastDeliveryAt: later - MINUTE + DELIVERY_DELAY_MS,
      failedAfter: false,
    });
    store.close();
  });

  /**
   * Runs the monitor over 30 Gmail rejections from T0, then over 5 deliveries to Gmail from
   * T0 + 1 h followed by the lines `afterBlock`, then over one message to example.net alone at
   * `quietEnd`. Returns the store.
   */
  async function quietBlock(afterBlock: string, quietEnd: number): Promise<HistoryStore> {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 30, GMAIL_UNSOLICITED));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");

    appendFileSync(path, gmailLines(T0 + HOUR_MS, 5, SENT, 10 * MINUTE) + afterBlock);
    clock.set(T0 + 2 * HOUR_MS);
    await monitor.runJob("logs");
    expect(store.states.get(KEY)?.value).toBe("blocked");

    const other = new PostfixLog();
    other.submit({
      time: quietEnd - DELIVERY_DELAY_MS,
      account: "sales@example.com",
      clientIp: "198.51.100.7",
      recipients: [{ address: "user@example.net", outcome: SENT }],
    });
    appendFileSync(path, other.text());
    clock.set(quietEnd + MINUTE);
    await monitor.runJob("logs");
    return store;
  }

  it("lifts a quiet block on later lines without Gmail", async () => {
    const lastBlock = T0 + 29 * MINUTE + DELIVERY_DELAY_MS;
    const store = await quietBlock("", lastBlock + QUIET_LIFT_MS);

    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(store.incidents.latest(KEY)?.closedAt).toBe(lastBlock);
    expect(store.alerts.all().at(-1)?.payload.evidence).toMatchObject({
      lift: { deliveriesAfterAtLeast: 5, everyAttemptAccepted: true },
    });
    store.close();
  });

  it("keeps a quiet block open before six hours", async () => {
    const lastBlock = T0 + 29 * MINUTE + DELIVERY_DELAY_MS;
    const store = await quietBlock("", lastBlock + QUIET_LIFT_MS - MINUTE);

    expect(store.states.get(KEY)?.value).toBe("blocked");
    store.close();
  });

  it("keeps a quiet block open after a failed attempt", async () => {
    const lastBlock = T0 + 29 * MINUTE + DELIVERY_DELAY_MS;
    const failed = gmailLines(T0 + 2 * HOUR_MS - 5 * MINUTE, 1, GMAIL_NO_SUCH_USER);
    const store = await quietBlock(failed, lastBlock + QUIET_LIFT_MS + HOUR_MS);

    expect(store.states.get(KEY)?.value).toBe("blocked");
    expect(store.liftProgress.get(KEY)?.failedAfter).toBe(true);
    store.close();
  });

  it("lifts on hours of deliveries read at once", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 30, GMAIL_UNSOLICITED));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");

    // 25 deliveries over three hours of log, read a minute after the rejections.
    appendFileSync(path, gmailLines(T0 + 30 * MINUTE, 25, SENT, 7 * MINUTE));
    clock.set(T0 + 31 * MINUTE);
    await monitor.runJob("logs");

    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(store.incidents.latest(KEY)?.closedAt).toBe(T0 + 29 * MINUTE + DELIVERY_DELAY_MS);
    expect(store.alerts.all().at(-1)?.payload.summary).toBe(
      `Block lifted: gmail ${IP} is accepted again.`,
    );
    store.close();
  });

  it("lifts nothing on mail handed to a relay", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0, 30, GMAIL_UNSOLICITED));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");

    const relayed = gmailLines(T0 + 30 * MINUTE, 25, SENT, 7 * MINUTE).replaceAll(
      "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25",
      "relay=smtp.relay.example.net[192.0.2.50]:587",
    );
    appendFileSync(path, relayed);
    clock.set(T0 + 4 * HOUR_MS);
    await monitor.runJob("logs");

    expect(store.states.get(KEY)?.value).toBe("blocked");
    expect(store.liftProgress.get(KEY)?.deliveries).toBe(0);
    store.close();
  });
});

describe("lift progress", () => {
  const LAST_BLOCK = T0 + HOUR_MS;

  function acceptancesAt(times: readonly number[]): AcceptanceTimes {
    const acceptances = new AcceptanceTimes();
    for (const time of times) acceptances.add("gmail", time);
    return acceptances;
  }

  it("counts only deliveries after the last block", () => {
    const acceptances = acceptancesAt([LAST_BLOCK - MINUTE, LAST_BLOCK, LAST_BLOCK + MINUTE]);
    expect(acceptances.after("gmail", LAST_BLOCK)).toEqual({
      deliveries: 1,
      lastDeliveryAt: LAST_BLOCK + MINUTE,
      failedAfter: false,
    });
    expect(acceptances.after("yahoo", LAST_BLOCK)).toEqual({
      deliveries: 0,
      lastDeliveryAt: null,
      failedAfter: false,
    });
  });

  it("keeps the latest times of unordered lines", () => {
    const times = Array.from(
      { length: 50 },
      (_, index) => LAST_BLOCK + ((index * 37) % 50) * MINUTE,
    );
    const acceptances = acceptancesAt(times);
    expect(acceptances.after("gmail", LAST_BLOCK)).toEqual({
      deliveries: BLOCK_LIFTED_DELIVERIES,
      lastDeliveryAt: LAST_BLOCK + 49 * MINUTE,
      failedAfter: false,
    });
    expect(acceptances.after("gmail", LAST_BLOCK + 45 * MINUTE).deliveries).toBe(4);
  });

  it("adds a window's deliveries to the stored ones", () => {
    const stored = {
      lastBlockAt: LAST_BLOCK,
      deliveries: 15,
      lastDeliveryAt: LAST_BLOCK + HOUR_MS,
      failedAfter: false,
    };
    const later = LAST_BLOCK + ONGOING_WINDOW_MS;
    const progress = advanceLiftProgress(
      stored,
      null,
      null,
      acceptancesAt(Array.from({ length: 10 }, (_, index) => later - index * MINUTE)),
      "gmail",
    );
    expect(progress).toEqual({
      lastBlockAt: LAST_BLOCK,
      deliveries: BLOCK_LIFTED_DELIVERIES,
      lastDeliveryAt: later,
      failedAfter: false,
    });
  });

  it("starts again at a block reply in the window", () => {
    const stored = {
      lastBlockAt: LAST_BLOCK,
      deliveries: 19,
      lastDeliveryAt: LAST_BLOCK + HOUR_MS,
      failedAfter: true,
    };
    const reply = LAST_BLOCK + 2 * HOUR_MS;
    const progress = advanceLiftProgress(
      stored,
      null,
      reply,
      acceptancesAt([reply - MINUTE, reply + MINUTE]),
      "gmail",
    );
    expect(progress).toEqual({
      lastBlockAt: reply,
      deliveries: 1,
      lastDeliveryAt: reply + MINUTE,
      failedAfter: false,
    });
  });

  it("counts from the last check of a block with no progress", () => {
    const checkedAt = LAST_BLOCK;
    const progress = advanceLiftProgress(
      null,
      checkedAt,
      null,
      acceptancesAt([checkedAt - MINUTE, checkedAt + MINUTE]),
      "gmail",
    );
    expect(progress).toEqual({
      lastBlockAt: checkedAt,
      deliveries: 1,
      lastDeliveryAt: checkedAt + MINUTE,
      failedAfter: false,
    });
    expect(advanceLiftProgress(null, null, null, acceptancesAt([checkedAt]), "gmail")).toBeNull();
  });

  it.each([
    ["19 deliveries over three hours", 19, 3 * HOUR_MS, false],
    ["20 deliveries over two hours", 20, ONGOING_WINDOW_MS, true],
    ["20 deliveries over 119 minutes", 20, ONGOING_WINDOW_MS - MINUTE, false],
  ])("with %s and a failed attempt lifts: %s", (_case, deliveries, spanMs, lifted) => {
    const progress = {
      lastBlockAt: LAST_BLOCK,
      deliveries,
      lastDeliveryAt: LAST_BLOCK + spanMs,
      failedAfter: true,
    };
    expect(isLifted(progress, LAST_BLOCK + 24 * HOUR_MS)).toBe(lifted);
  });

  it.each([
    ["5 accepted, 6 hours quiet", 5, false, QUIET_LIFT_MS, true],
    ["4 accepted, 6 hours quiet", 4, false, QUIET_LIFT_MS, false],
    ["5 accepted, 1 failed, 6 hours quiet", 5, true, QUIET_LIFT_MS, false],
    ["5 accepted, 359 minutes quiet", 5, false, QUIET_LIFT_MS - MINUTE, false],
  ])("with %s lifts: %s", (_case, deliveries, failedAfter, quietMs, lifted) => {
    const progress = {
      lastBlockAt: LAST_BLOCK,
      deliveries,
      lastDeliveryAt: LAST_BLOCK + HOUR_MS,
      failedAfter,
    };
    expect(isLifted(progress, LAST_BLOCK + quietMs)).toBe(lifted);
  });

  it("records a failed attempt after the last block", () => {
    const acceptances = acceptancesAt([LAST_BLOCK + MINUTE]);
    acceptances.addFailure("gmail", LAST_BLOCK);
    expect(acceptances.after("gmail", LAST_BLOCK).failedAfter).toBe(false);
    acceptances.addFailure("gmail", LAST_BLOCK + 2 * MINUTE);
    expect(acceptances.after("gmail", LAST_BLOCK).failedAfter).toBe(true);
    expect(acceptances.after("gmail", LAST_BLOCK + 2 * MINUTE).failedAfter).toBe(false);
  });

  it("keeps a stored failed attempt", () => {
    const stored = {
      lastBlockAt: LAST_BLOCK,
      deliveries: 3,
      lastDeliveryAt: LAST_BLOCK + HOUR_MS,
      failedAfter: true,
    };
    const later = acceptancesAt([LAST_BLOCK + 2 * HOUR_MS]);
    const progress = advanceLiftProgress(stored, null, null, later, "gmail");
    expect(progress?.failedAfter).toBe(true);
    expect(progress?.deliveries).toBe(4);
  });
});

describe("lift progress after a probe", () => {
  let server: GmailLikeServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  /** Probes someone@gmail.com at the Gmail-like server and records the result at `now`. */
  async function recordProbeAt(store: HistoryStore, port: number, now: number): Promise<void> {
    const result = await runProbe(
      {
        recipient: "someone@gmail.com",
        sender: "",
        helo: "mail.example.com",
        mx: { host: "127.0.0.1", port },
        sourceIp: null,
        sendTest: false,
        timeoutMs: 5_000,
      },
      {
        dns: zoneDns("$ORIGIN example.test.\n"),
        classifier: createReplyClassifier(),
        now: () => now,
      },
    );
    recordProbe(store, result, {
      target: probeTarget("someone@gmail.com", null),
      forced: false,
      channels: [],
    });
  }

  it("restarts when a probe sees the block", async () => {
    server = await startGmailLikeServer("blocked");
    const dir = tempDir();
    const path = join(dir, "mail.log");
    writeFileSync(path, "");
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 - MINUTE);
    const { monitor } = monitorFor(dir, store, clock, { ips: [JUDGED_IP] });
    const key = blockKey("gmail", JUDGED_IP);
    await monitor.runJob("logs");

    // The replies name the IP that the Gmail-like server names, so both see one block state.
    const rejected = {
      ...GMAIL_UNSOLICITED,
      reply: GMAIL_UNSOLICITED.reply.replace(IP, JUDGED_IP),
    };
    appendFileSync(path, gmailLines(T0, 30, rejected));
    clock.set(T0 + 30 * MINUTE);
    await monitor.runJob("logs");
    appendFileSync(path, gmailLines(T0 + 30 * MINUTE, 15, SENT, 7 * MINUTE));
    clock.set(T0 + 130 * MINUTE);
    await monitor.runJob("logs");
    expect(store.states.get(key)?.value).toBe("blocked");
    expect(store.liftProgress.get(key)?.deliveries).toBe(15);

    const probedAt = T0 + 135 * MINUTE;
    await recordProbeAt(store, server.port, probedAt);
    expect(store.states.get(key)?.value).toBe("blocked");

    // 15 deliveries before the probe and 10 after it would lift the block if all counted.
    appendFileSync(path, gmailLines(T0 + 140 * MINUTE, 10, SENT, 7 * MINUTE));
    clock.set(T0 + 210 * MINUTE);
    await monitor.runJob("logs");

    expect(store.states.get(key)?.value).toBe("blocked");
    expect(store.liftProgress.get(key)).toEqual({
      lastBlockAt: probedAt,
      deliveries: 10,
      lastDeliveryAt: T0 + 203 * MINUTE + DELIVERY_DELAY_MS,
      failedAfter: false,
    });
    store.close();
  });
});
