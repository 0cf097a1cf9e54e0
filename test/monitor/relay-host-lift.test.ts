import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { FakeClock } from "../helpers/clock.js";
import { HOUR, T0 } from "../helpers/postfix-fixture.js";
import { useTempDirs } from "../store/helpers.js";
import { closedPort, NEVER, testMonitor } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const IP = "192.0.2.10";
const KEY = blockKey("relay-host", IP);
const RELAY_LABEL = "smtp.relay.example.net:587";
const SUBJECT = `relay-host ${RELAY_LABEL} ${IP}`;
const MINUTE = 60_000;
const QUOTA_REPLY = "451 4.7.1 Sending quota exceeded for this account, try again later";

/**
 * Builds a Postfix log with RFC 3339 stamps: mail for example.net goes through the relay host
 * smtp.relay.example.net on port 587, and mail for example.org goes straight to its MX.
 */
class RelayLog {
  private readonly lines: string[] = [];
  private queueId = 0x1a000;

  /** Adds a message to example.net that the relay host accepts, or defers with its quota reply. */
  relayed(time: number, outcome: "sent" | "deferred"): this {
    const id = this.nextId(time);
    const result =
      outcome === "sent"
        ? "dsn=2.0.0, status=sent (250 2.0.0 OK queued)"
        : `dsn=4.7.1, status=deferred (host smtp.relay.example.net[198.51.100.50] said: ${QUOTA_REPLY} (in reply to RCPT TO command))`;
    this.add(
      time + 1_000,
      `postfix/smtp[3002]: ${id}: to=<user${this.lines.length}@example.net>, relay=smtp.relay.example.net[198.51.100.50]:587, delay=1, delays=0.1/0/0.5/0.4, ${result}`,
    );
    return this;
  }

  /** Adds a message to example.org that its own MX accepts on port 25. */
  direct(time: number): this {
    const id = this.nextId(time);
    this.add(
      time + 1_000,
      `postfix/smtp[3002]: ${id}: to=<user${this.lines.length}@example.org>, relay=mx.example.org[192.0.2.204]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK)`,
    );
    return this;
  }

  text(): string {
    return `${this.lines.join("\n")}\n`;
  }

  private nextId(time: number): string {
    this.queueId += 1;
    const id = this.queueId.toString(16).toUpperCase().padStart(10, "0");
    this.add(
      time,
      `postfix/qmgr[3001]: ${id}: from=<dave@example.com>, size=2345, nrcpt=1 (queue active)`,
    );
    return id;
  }

  private add(time: number, message: string): void {
    const stamp = new Date(time).toISOString().replace("Z", "+00:00");
    this.lines.push(`${stamp} mx1 ${message}`);
  }
}

/** Returns a log whose relay host accepts 4 messages and then defers 12, 5 minutes apart. */
function deferringRelay(): { log: RelayLog; firstDeferral: number; lastDeferral: number } {
  const log = new RelayLog();
  for (let index = 0; index < 4; index++) log.relayed(T0 + index * 10 * MINUTE, "sent");
  const start = T0 + HOUR;
  for (let index = 0; index < 12; index++) log.relayed(start + index * 5 * MINUTE, "deferred");
  return { log, firstDeferral: start + 1_000, lastDeferral: start + 55 * MINUTE + 1_000 };
}

/**
 * Builds a monitor that reads `mail.log` in `dir` from its start. Its alerts go to a port on
 * 127.0.0.1 that nothing listens on, so they stay queued in the store.
 */
async function monitorFor(dir: string, store: HistoryStore, clock: FakeClock) {
  const port = await closedPort();
  return testMonitor({
    store,
    clock,
    cwd: dir,
    config: {
      ips: [IP],
      logs: ["mail.log"],
      logsFromStart: true,
      timeZone: "UTC",
      alerts: { webhook: { url: `http://127.0.0.1:${port}/alerts` } },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: "* * * * *" },
    },
  });
}

/** Reads `text` in one log check and returns the history store. */
async function readOnce(text: string, now: number): Promise<HistoryStore> {
  const dir = tempDir();
  writeFileSync(join(dir, "mail.log"), text);
  const store = HistoryStore.open(":memory:");
  const { monitor } = await monitorFor(dir, store, new FakeClock(now));
  await monitor.runJob("logs");
  return store;
}

/** Returns the changes of KEY as kind, subject and time. */
function changesOf(store: HistoryStore): Array<[string, string, number]> {
  return store.incidents
    .changes({ key: KEY })
    .map((change) => [change.change, change.subject, change.at]);
}

function openIncidents(store: HistoryStore) {
  return store.incidents.incidents({ key: KEY }).filter((incident) => incident.closedAt === null);
}

describe("relay host block in the monitor", () => {
  it("lifts after 6 acceptances and quiet hours", async () => {
    const { log, firstDeferral, lastDeferral } = deferringRelay();
    const quietStart = T0 + 3 * HOUR;
    for (let hour = 0; hour < 6; hour++) log.relayed(quietStart + hour * HOUR, "sent");
    // Direct mail goes on until 18 hours after the last deferral, so the log ends then.
    for (let hour = 9; hour <= 20; hour++) log.direct(T0 + hour * HOUR);
    const store = await readOnce(log.text(), T0 + 24 * HOUR);

    expect(changesOf(store)).toEqual([
      ["block-seen", SUBJECT, firstDeferral],
      ["block-lifted", SUBJECT, lastDeferral],
    ]);
    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(openIncidents(store)).toEqual([]);
    expect(store.alerts.all().map((alert) => alert.payload.summary)).toEqual([
      `Block already over: ${SUBJECT} was rate-limited from 2024-03-04T01:00:01Z to 2024-03-04T01:55:01Z and is accepted again.`,
    ]);
    store.close();
  });

  it("lifts after 30 acceptances in a row", async () => {
    const { log, lastDeferral } = deferringRelay();
    const start = T0 + 2 * HOUR;
    for (let index = 0; index < 30; index++) log.relayed(start + index * 10 * MINUTE, "sent");
    const store = await readOnce(log.text(), T0 + 8 * HOUR);

    expect(changesOf(store).map(([change]) => change)).toEqual(["block-seen", "block-lifted"]);
    expect(changesOf(store)[1]?.[2]).toBe(lastDeferral);
    expect(store.states.get(KEY)?.value).toBe("ok");
    expect(openIncidents(store)).toEqual([]);
    store.close();
  });

  it("stays open after 3 acceptances", async () => {
    const { log } = deferringRelay();
    for (let hour = 3; hour < 6; hour++) log.relayed(T0 + hour * HOUR, "sent");
    // Plenty of direct mail after the deferrals: it must not lift the relay host's block.
    for (let hour = 3; hour <= 24; hour++) log.direct(T0 + hour * HOUR + 30 * MINUTE);
    const store = await readOnce(log.text(), T0 + 26 * HOUR);

    expect(changesOf(store).map(([change]) => change)).toEqual(["block-seen"]);
    expect(store.states.get(KEY)?.value).toBe("rate-limited");
    const open = openIncidents(store);
    expect(open).toHaveLength(1);
    expect(open[0]?.subject).toBe(SUBJECT);
    expect(store.liftProgress.get(KEY)?.deliveries).toBe(3);
    store.close();
  });

  it("lifts by acceptances of a later log check", async () => {
    const dir = tempDir();
    const path = join(dir, "mail.log");
    const { log, lastDeferral } = deferringRelay();
    writeFileSync(path, log.text());
    const store = HistoryStore.open(":memory:");
    const clock = new FakeClock(T0 + 2 * HOUR);
    const { monitor } = await monitorFor(dir, store, clock);
    await monitor.runJob("logs");
    expect(store.states.get(KEY)?.value).toBe("rate-limited");

    const later = new RelayLog();
    for (let index = 0; index < 25; index++) {
      later.relayed(T0 + 2 * HOUR + index * 10 * MINUTE, "sent");
    }
    appendFileSync(path, later.text());
    clock.set(T0 + 8 * HOUR);
    await monitor.runJob("logs");

    expect(changesOf(store).map(([change]) => change)).toEqual(["block-seen", "block-lifted"]);
    expect(changesOf(store)[1]?.[2]).toBe(lastDeferral);
    expect(openIncidents(store)).toEqual([]);
    store.close();
  });
});
