import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { MonitorLock } from "../../src/store/index.js";
import { runCommand } from "../helpers/cli.js";
import { startGmailLikeServer, type GmailLikeServer } from "../probe/gmail-like-server.js";
import { NEVER } from "../monitor/harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "../monitor/webhook.js";
import { useTempDirs } from "../store/helpers.js";

forbidRealNetwork();

const tempDir = useTempDirs();

let server: GmailLikeServer | null = null;
let receiver: WebhookReceiver | null = null;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = null;
  receiver = null;
});

function writeConfig(dir: string, config: unknown): string {
  const path = join(dir, "monitor.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function probeConfig(port: number, url: string): unknown {
  return {
    probes: [
      { to: "postmaster-check@gmail.com", mx: `127.0.0.1:${port}`, helo: "mail.example.com" },
    ],
    schedules: { probes: "0 * * * *", blocklists: NEVER, dns: NEVER, logs: NEVER },
    alerts: { webhook: { url } },
  };
}

function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("delist monitor", () => {
  it("rejects an invalid configuration", async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { ips: ["not-an-ip"], schedules: { dns: "often" } });
    const result = await runCommand(["monitor", "--config", config, "--db", join(dir, "h.sqlite")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`invalid monitor configuration ${config}:`);
    expect(result.stderr).toContain('ips.0 "not-an-ip": not an IPv4 or IPv6 address');
    expect(result.stderr).toContain('schedules.dns "often": not a cron pattern');
  });

  it("refuses a database another monitor uses", async () => {
    const dir = tempDir();
    const db = join(dir, "h.sqlite");
    // The log exists, so that the run after the release checks everything and exits 0.
    const log = join(dir, "mail.log");
    writeFileSync(log, "");
    const config = writeConfig(dir, { logs: [log] });
    const other = MonitorLock.acquire(db);
    try {
      const result = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`another delist monitor is using the history database ${db}`);
    } finally {
      other.release();
    }
    const after = await runCommand(["monitor", "--once", "--config", config, "--db", db]);
    expect(after.code).toBe(0);
  });

  it("warns when no alert can go out", async () => {
    server = await startGmailLikeServer("accepted");
    const dir = tempDir();
    const config = writeConfig(dir, {
      probes: [
        {
          to: "postmaster-check@gmail.com",
          mx: `127.0.0.1:${server.port}`,
          helo: "mail.example.com",
        },
      ],
      alerts: {
        email: {
          host: "127.0.0.1",
          user: "delist",
          passwordEnv: "DELIST_TEST_SMTP_PASSWORD",
          from: "delist@example.com",
          to: ["ops@example.com"],
        },
      },
    });
    const result = await runCommand([
      "monitor",
      "--config",
      config,
      "--db",
      join(dir, "h.sqlite"),
      "--once",
    ]);
    expect(result.code).toBe(0);
    const warning = logLines(result.stderr).find((line) => line["level"] === 40);
    expect(warning?.["msg"]).toBe("the SMTP password variable is unset or empty");
    expect(warning?.["variable"]).toBe("DELIST_TEST_SMTP_PASSWORD");
  });

  it("runs every check once with --once", async () => {
    server = await startGmailLikeServer("rate-limited");
    receiver = await startWebhookReceiver();
    const dir = tempDir();
    const config = writeConfig(dir, probeConfig(server.port, receiver.url));
    const db = join(dir, "h.sqlite");
    const result = await runCommand(["monitor", "--config", config, "--db", db, "--once"]);
    expect(result.code).toBe(1);
    expect(receiver.alerts.map((alert) => alert.body["change"])).toEqual(["block-seen"]);
    const lines = logLines(result.stderr);
    expect(lines.find((line) => line["msg"] === "probe rate-limited")?.["incidentId"]).toBe(1);
    expect(lines.every((line) => typeof line["time"] === "string")).toBe(true);

    const history = await runCommand(["history", "--db", db]);
    expect(history.code).toBe(1);
    expect(history.stdout).toContain("Block seen: gmail 203.0.113.5 is rate-limited.");
  });

  it("stops cleanly on SIGTERM", async () => {
    server = await startGmailLikeServer("accepted");
    receiver = await startWebhookReceiver();
    const dir = tempDir();
    const config = writeConfig(dir, probeConfig(server.port, receiver.url));
    const before = new Set(process.listeners("SIGTERM"));
    const running = runCommand(["monitor", "--config", config, "--db", join(dir, "h.sqlite")]);

    const handler = await waitFor(() =>
      process.listeners("SIGTERM").find((listener) => !before.has(listener)),
    );
    await waitFor(() => (server !== null && server.connections > 0 ? true : undefined));
    handler("SIGTERM");
    const result = await running;
    expect(result.code).toBe(0);
    const lines = logLines(result.stderr);
    expect(lines.map((line) => line["msg"])).toContain("stop requested");
    expect(lines.at(-1)?.["msg"]).toBe("monitor stopped");
    expect(process.listeners("SIGTERM").filter((listener) => !before.has(listener))).toEqual([]);
  });
});

/** Polls `probe` every 10 ms for up to 5 s and returns its first defined value. */
async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("timed out after 5 s waiting for the monitor");
}
