import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type dnsPacket from "dns-packet";
import { afterEach, describe, expect, it } from "vitest";
import { blocklistKey, HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, type TestDnsServer, type TestReply } from "../dns/server.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";
import { useTempDirs } from "../store/helpers.js";
import type { LogLines } from "./harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const REPOSITORY = fileURLToPath(new URL("../../", import.meta.url));
const RUN_SOURCE = join(REPOSITORY, "test", "monitor", "run-source.mjs");

const IP = "192.0.2.25";
const REVERSE_NAME = "25.2.0.192.in-addr.arpa";
const HOST = "mail.example.com";
const NEVER = "0 0 1 1 *";

/** How long one step of the test may take; generous, because the child loads the source. */
const STEP_TIMEOUT_MS = 30_000;

/** A `delist monitor` process started from the source, with its parsed log lines. */
interface MonitorProcess {
  readonly child: ChildProcess;
  readonly logs: LogLines;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: MonitorProcess[] = [];
let dns: TestDnsServer | null = null;
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  for (const monitor of running.splice(0)) {
    if (monitor.child.exitCode === null && monitor.child.signalCode === null) {
      monitor.child.kill("SIGKILL");
      await monitor.exited;
    }
  }
  await dns?.close();
  await receiver?.close();
  dns = null;
  receiver = null;
});

function startMonitor(config: string, db: string, stateHome: string): MonitorProcess {
  const child = spawn(
    process.execPath,
    [RUN_SOURCE, "src/cli/bin.ts", "monitor", "--config", config, "--db", db],
    {
      cwd: REPOSITORY,
      env: { PATH: process.env["PATH"] ?? "", XDG_STATE_HOME: stateHome, NO_COLOR: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const logs: LogLines = [];
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: "(not JSON)", line });
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const monitor = { child, logs, exited };
  running.push(monitor);
  return monitor;
}

/** Polls `condition` until it holds; the error names `what` and shows the monitor's logs. */
async function waitFor(what: string, monitor: MonitorProcess, condition: () => boolean) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!condition()) {
    if (monitor.child.exitCode !== null || Date.now() > deadline) {
      const logs = monitor.logs.map((line) => JSON.stringify(line)).join("\n");
      throw new Error(`gave up waiting for ${what}; the monitor logged:\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function kill(monitor: MonitorProcess): Promise<void> {
  monitor.child.kill("SIGKILL");
  expect((await monitor.exited).signal).toBe("SIGKILL");
}

function checkedBlocklists(monitor: MonitorProcess, changes: number): boolean {
  return monitor.logs.some(
    (line) => line["msg"] === "blocklists checked" && line["changes"] === changes,
  );
}

/**
 * Builds the DNS of the test: a fake Spamhaus zone and, for the DNS job, the PTR and A records
 * of the sending IP. While `holdPtr` is set the PTR question gets no answer, so the monitor
 * waits in its DNS job, after the blocklist job committed its change and before any alert is
 * sent.
 */
function dnsHandler(listed: Record<string, readonly string[]>, gate: { holdPtr: boolean }) {
  const lists = fakeListsHandler({ "zen.spamhaus.org": { kind: "normal", listed } });
  return (question: dnsPacket.Question, transport: "udp" | "tcp"): TestReply => {
    const name = question.name.toLowerCase();
    if (name === REVERSE_NAME && question.type === "PTR") {
      if (gate.holdPtr) return { drop: true };
      return { answers: [{ type: "PTR", name: REVERSE_NAME, ttl: 300, data: HOST }] };
    }
    if (name === HOST) {
      if (question.type !== "A") return { answers: [] };
      return { answers: [{ type: "A", name: HOST, ttl: 300, data: IP }] };
    }
    return lists(question, transport);
  };
}

function ptrQueries(server: TestDnsServer): number {
  return server.queries.filter((query) => query.type === "PTR").length;
}

describe("monitor process killed or stopped", () => {
  it("loses no history and sends each alert once", async () => {
    const dir = tempDir();
    const db = join(dir, "history.sqlite");
    const listed: Record<string, readonly string[]> = { "25.2.0.192": ["127.0.0.2"] };
    const gate = { holdPtr: true };
    const server = await startDnsServer(dnsHandler(listed, gate));
    const webhook = await startWebhookReceiver();
    dns = server;
    receiver = webhook;
    const config = join(dir, "monitor.json");
    const writeConfig = (dnsTimeoutMs: number) =>
      writeFileSync(
        config,
        JSON.stringify({
          ips: [IP],
          blocklists: { lists: ["spamhaus-zen"] },
          dns: { resolver: server.address, timeoutMs: dnsTimeoutMs },
          schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
          // The delisting follows the listing within seconds; without a flap window its alert
          // goes out at once instead of being held for 30 minutes.
          alerts: { webhook: { url: webhook.url, timeoutMs: 5_000 }, flapWindowMinutes: 0 },
        }),
      );
    writeConfig(5_000);
    const key = blocklistKey(IP, "spamhaus-zen");

    // 1. The IP is listed. The monitor records the change, then waits on the PTR question of
    // its DNS job with the alert still queued, and is killed there.
    const first = startMonitor(config, db, dir);
    await waitFor("the listing", first, () => checkedBlocklists(first, 1));
    await waitFor("the held PTR question", first, () => ptrQueries(server) >= 1);
    await kill(first);
    expect(webhook.requests).toEqual([]);
    const afterKill = HistoryStore.open(db);
    try {
      expect(afterKill.incidents.changes().map((change) => change.change)).toEqual(["listed"]);
      expect(afterKill.alerts.all().map((alert) => alert.status)).toEqual(["pending"]);
    } finally {
      afterKill.close();
    }

    // 2. The IP is delisted. A second monitor records that change and gets SIGTERM at the
    // same point. It lets its DNS job end (the PTR question times out), commits that run, and
    // stops with status 0 without sending, so the alerts wait for the next start.
    delete listed["25.2.0.192"];
    writeConfig(1_000);
    const heldBefore = ptrQueries(server);
    const second = startMonitor(config, db, dir);
    await waitFor("the delisting", second, () => checkedBlocklists(second, 1));
    await waitFor("the held PTR question", second, () => ptrQueries(server) > heldBefore);
    second.child.kill("SIGTERM");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const stopped = second.logs.map((line) => line["msg"]);
    expect(stopped).toContain("stop requested");
    expect(stopped.indexOf("DNS checked")).toBeGreaterThan(stopped.indexOf("stop requested"));
    expect(stopped.at(-1)).toBe("monitor stopped");
    expect(webhook.requests).toEqual([]);

    // 3. The DNS answers again. A third monitor sends both queued alerts and stops on SIGTERM.
    gate.holdPtr = false;
    writeConfig(5_000);
    const third = startMonitor(config, db, dir);
    await waitFor("both alerts", third, () => webhook.alerts.length >= 2);
    await waitFor("the DNS job", third, () =>
      third.logs.some((line) => line["msg"] === "DNS checked"),
    );
    third.child.kill("SIGTERM");
    expect(await third.exited).toEqual({ code: 0, signal: null });
    expect(third.logs.some((line) => line["msg"] === "monitor stopped")).toBe(true);

    expect(webhook.requests).toHaveLength(2);
    expect(webhook.alerts.map((alert) => alert.body["change"])).toEqual(["listed", "delisted"]);
    const keys = webhook.alerts.map((alert) => alert.idempotencyKey);
    expect(new Set(keys).size).toBe(2);

    const store = HistoryStore.open(db);
    try {
      const changes = store.incidents.changes();
      expect(changes.map((change) => change.change)).toEqual(["listed", "delisted"]);
      expect(changes.every((change) => change.key === key)).toBe(true);
      const incidents = store.incidents.incidents();
      expect(incidents).toHaveLength(1);
      expect(incidents[0]?.closedAt).toBe(changes[1]?.at);
      expect(store.states.get(key)?.value).toBe("not-listed");
      const alerts = store.alerts.all();
      expect(alerts.map((alert) => alert.status)).toEqual(["sent", "sent"]);
      expect(alerts.map((alert) => alert.attempts)).toEqual([1, 1]);
      // Each monitor committed its blocklist run; the killed one did not finish its DNS job.
      expect(store.runs.count("blocklist_results")).toBe(3);
      expect(store.runs.count("runs")).toBe(5);
    } finally {
      store.close();
    }
  });
});
