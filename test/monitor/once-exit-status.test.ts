import http from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryStore } from "../../src/store/index.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER, type LogLines } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const validateHistory = schemaValidator("history.schema.json");
const LISTED_IP = "192.0.2.5";
const CLEAN_IP = "192.0.2.25";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Builds the PTR record of `ip` to `name` and the A record that confirms it. */
function confirmedPtr(ip: string, name: string) {
  const reverse = `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  return {
    [`PTR ${reverse}`]: [{ type: "PTR" as const, name: reverse, ttl: 300, data: name }],
    [`A ${name}`]: [{ type: "A" as const, name, ttl: 300, data: ip }],
  };
}

/**
 * Starts a DNS server with Spamhaus ZEN listing 192.0.2.5 and a confirmed PTR for each IP,
 * except those in `withoutPtr`.
 */
async function startDns(withoutPtr: readonly string[] = []): Promise<TestDnsServer> {
  const lists = fakeListsHandler({
    "zen.spamhaus.org": { kind: "normal", listed: { "5.2.0.192": ["127.0.0.2"] } },
  });
  const records = tableHandler({
    ...(withoutPtr.includes(LISTED_IP) ? {} : confirmedPtr(LISTED_IP, "mx1.example.com")),
    ...(withoutPtr.includes(CLEAN_IP) ? {} : confirmedPtr(CLEAN_IP, "mx2.example.com")),
  });
  const server = await startDnsServer((question, transport) =>
    question.name.toLowerCase().endsWith(".zen.spamhaus.org")
      ? lists(question, transport)
      : records(question, transport),
  );
  closers.push(() => server.close());
  return server;
}

/** Starts a webhook on 127.0.0.1 that replies with the HTTP status `reply`, or closes the connection. */
async function startWebhook(reply: number | "close"): Promise<string> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (reply === "close") request.socket.destroy();
      else response.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
}

/** Runs `delist monitor --once` with `config` on the history database `db`. */
async function runOnce(dir: string, db: string, config: object) {
  const path = join(dir, "monitor.json");
  const schedules = { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER };
  writeFileSync(path, JSON.stringify({ ...config, schedules }));
  const result = await runCommand(["monitor", "--once", "--config", path, "--db", db]);
  const lines: LogLines = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const warnings = lines.filter((line) => line["level"] === 40);
  return { code: result.code, lines, warnings, last: lines.at(-1) };
}

function watch(dns: TestDnsServer, ips: readonly string[], extra: object = {}) {
  return {
    ips,
    blocklists: { lists: ["spamhaus-zen"] },
    dns: { resolver: dns.address, timeoutMs: 200 },
    ...extra,
  };
}

describe("delist monitor --once exit status", () => {
  it("exits 0 when all is well", async () => {
    const dns = await startDns();
    const dir = tempDir();
    const { code, last } = await runOnce(dir, join(dir, "h.sqlite"), watch(dns, [CLEAN_IP]));
    expect(code).toBe(0);
    expect(last?.["msg"]).toBe(
      "every check passed, no incident is open and no alert delivery failed",
    );
  });

  it("names an open incident", async () => {
    const dns = await startDns();
    const dir = tempDir();
    const { code, last } = await runOnce(dir, join(dir, "h.sqlite"), watch(dns, [LISTED_IP]));
    expect(code).toBe(1);
    expect(last?.["msg"]).toBe("exit status 1: 1 open incident");
    expect(last?.["openIncidents"]).toEqual([`#1 ${LISTED_IP} on spamhaus-zen`]);
  });

  it("closes incidents of removed IPs", async () => {
    const dns = await startDns();
    const dir = tempDir();
    const db = join(dir, "h.sqlite");
    expect((await runOnce(dir, db, watch(dns, [LISTED_IP]))).code).toBe(1);

    const { code, warnings, last } = await runOnce(dir, db, watch(dns, [CLEAN_IP]));
    expect(code).toBe(0);
    expect(warnings).toHaveLength(2);
    const [noChannel, unwatched] = warnings;
    expect(noChannel?.["msg"]).toMatch(/^no alert channel configured/);
    expect(unwatched?.["msg"]).toBe(
      `closed the open incident of ${LISTED_IP} on spamhaus-zen, because ${LISTED_IP} was ` +
        "removed from the configuration and no job checks it",
    );
    expect(unwatched?.["incidentId"]).toBe(1);
    expect(unwatched?.["key"]).toBe(`blocklist:${LISTED_IP}:spamhaus-zen`);
    expect(unwatched?.["fix"]).toBe(
      `add ${LISTED_IP} to ips again to watch it: a block or listing that is still there then opens a new incident`,
    );
    expect(last?.["openIncidents"]).toBeUndefined();

    const store = HistoryStore.open(db);
    try {
      const incidents = store.incidents.incidents();
      expect(incidents).toHaveLength(1);
      expect(incidents[0]?.closedAt).not.toBeNull();
      expect(incidents[0]?.closeEvidence).toEqual({
        reason: "target removed from the configuration",
        target: LISTED_IP,
        setting: "ips",
      });
      expect(store.incidents.changes().map((change) => change.change)).toEqual([
        "listed",
        "target-removed",
      ]);
    } finally {
      store.close();
    }

    const history = await runCommand(["history", "--format", "json", "--db", db]);
    const report = JSON.parse(history.stdout) as { changes: { summary: string }[] };
    expect(validateHistory(report)).toEqual([]);
    expect(report.changes.at(-1)?.summary).toBe(
      `Incident closed: ${LISTED_IP} on spamhaus-zen, target removed from the configuration.`,
    );

    // The incident is closed, so the next run logs nothing more about it.
    const next = await runOnce(dir, db, watch(dns, [CLEAN_IP]));
    expect(next.code).toBe(0);
    expect(next.warnings).toHaveLength(1);
  });

  it("opens a new incident once re-added", async () => {
    const dns = await startDns();
    const dir = tempDir();
    const db = join(dir, "h.sqlite");
    await runOnce(dir, db, watch(dns, [LISTED_IP]));
    expect((await runOnce(dir, db, watch(dns, [CLEAN_IP]))).code).toBe(0);
    const again = await runOnce(dir, db, watch(dns, [CLEAN_IP, LISTED_IP]));
    expect(again.code).toBe(1);
    expect(again.last?.["openIncidents"]).toEqual([`#2 ${LISTED_IP} on spamhaus-zen`]);
  });

  it("exits 1 for a missing PTR", async () => {
    const dns = await startDns([CLEAN_IP]);
    const dir = tempDir();
    const { code, lines, warnings, last } = await runOnce(
      dir,
      join(dir, "h.sqlite"),
      watch(dns, [CLEAN_IP]),
    );
    expect(code).toBe(1);
    const summary = lines.find((line) => line["msg"] === "DNS checked");
    expect(summary?.["level"]).toBe(40);
    expect(summary?.["verdict"]).toBe("fail");
    expect(summary?.["failed"]).toEqual([`${CLEAN_IP} ptr`]);
    const failed = warnings.filter((line) => line["msg"] === `DNS check failed: ${CLEAN_IP} ptr`);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.["explanation"]).toBe(
      `${CLEAN_IP} has no PTR name that resolves back to it.`,
    );
    expect(last?.["msg"]).toBe("exit status 1: failed checks in dns");
    expect(last?.["failingJobs"]).toEqual(["dns"]);
  });

  it("exits 1 for a failing SPF record", async () => {
    const spf = "v=spf1 ip4:192.0.2.99 -all";
    const lists = fakeListsHandler({ "zen.spamhaus.org": { kind: "normal" } });
    const records = tableHandler({
      ...confirmedPtr(CLEAN_IP, "mx2.example.com"),
      "TXT example.com": [{ type: "TXT", name: "example.com", ttl: 300, data: [spf] }],
    });
    const dns = await startDnsServer((question, transport) =>
      question.name.toLowerCase().endsWith(".zen.spamhaus.org")
        ? lists(question, transport)
        : records(question, transport),
    );
    closers.push(() => dns.close());
    const dir = tempDir();
    const config = watch(dns, [CLEAN_IP], { domains: ["example.com"] });
    const { code, warnings } = await runOnce(dir, join(dir, "h.sqlite"), config);
    expect(code).toBe(1);
    const messages = warnings.map((line) => line["msg"]);
    expect(messages).toContain("DNS check failed: example.com spf");
    expect(messages).not.toContain(`DNS check failed: ${CLEAN_IP} ptr`);
  });

  it("exits 1 for an HTTP 500 webhook", async () => {
    const dns = await startDns();
    const url = await startWebhook(500);
    const dir = tempDir();
    const db = join(dir, "h.sqlite");
    const alerts = { webhook: { url, timeoutMs: 2_000 } };
    const first = await runOnce(dir, db, watch(dns, [LISTED_IP], { alerts }));
    expect(first.code).toBe(1);
    expect(first.last?.["failedDeliveries"]).toBe(1);
    expect(first.last?.["msg"]).toBe("exit status 1: 1 open incident; undelivered alerts");

    // The second run comes before the retry time, so the alert waits without an attempt.
    const second = await runOnce(dir, db, watch(dns, [CLEAN_IP], { alerts }));
    expect(second.code).toBe(1);
    expect(second.last?.["failedDeliveries"]).toBe(0);
    expect(second.last?.["alertsAwaitingRetry"]).toBe(1);
    expect(second.last?.["msg"]).toBe("exit status 1: undelivered alerts");
  });

  it("exits 1 for a webhook that closes", async () => {
    const dns = await startDns();
    const url = await startWebhook("close");
    const dir = tempDir();
    const config = watch(dns, [LISTED_IP], { alerts: { webhook: { url, timeoutMs: 2_000 } } });
    const { code, lines } = await runOnce(dir, join(dir, "h.sqlite"), config);
    expect(code).toBe(1);
    const failed = lines.find((line) => line["msg"] === "alert failed, will retry");
    expect(failed?.["err"]).toBe(
      `the webhook at ${new URL(url).origin} closed the connection before a response came (other side closed). ` +
        "Check the receiver's log for the reason, and that the port of alerts.webhook.url serves the URL's scheme (http or https)",
    );
  });

  it("exits 0 once the webhook accepts", async () => {
    const dns = await startDns();
    const url = await startWebhook(204);
    const dir = tempDir();
    const db = join(dir, "h.sqlite");
    const alerts = { webhook: { url, timeoutMs: 2_000 } };
    expect((await runOnce(dir, db, watch(dns, [LISTED_IP], { alerts }))).code).toBe(1);
    const { code, last } = await runOnce(dir, db, watch(dns, [CLEAN_IP], { alerts }));
    expect(code).toBe(0);
    expect(last?.["failedDeliveries"]).toBeUndefined();
  });
});
