import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { forbidRealNetwork } from "../dns/guard.js";
import { startDnsServer, tableHandler, type TestDnsServer } from "../dns/server.js";
import { runCommand } from "../helpers/cli.js";
import { fakeListsHandler } from "../reputation/fake-lists.js";
import { useTempDirs } from "../store/helpers.js";
import { NEVER } from "./harness.js";

forbidRealNetwork();

const tempDir = useTempDirs();
const IP = "192.0.2.25";
const REVERSE_NAME = "25.2.0.192.in-addr.arpa";

let server: TestDnsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Runs `delist monitor --once` with one IP, asking the DNS server at `resolver`. */
async function runOnce(resolver: string) {
  const dir = tempDir();
  const config = join(dir, "monitor.json");
  writeFileSync(
    config,
    JSON.stringify({
      ips: [IP],
      blocklists: { lists: ["spamhaus-zen"] },
      dns: { resolver, timeoutMs: 100 },
      schedules: { blocklists: NEVER, dns: NEVER, probes: NEVER, logs: NEVER },
    }),
  );
  const result = await runCommand([
    "monitor",
    "--once",
    "--config",
    config,
    "--db",
    join(dir, "h.sqlite"),
  ]);
  const lines = result.stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  // Warnings about jobs; the one about the missing alert channel carries no job.
  const jobWarnings = lines.filter((line) => line["level"] === 40 && line["job"] !== undefined);
  return { code: result.code, lines, jobWarnings };
}

/** Answers the Spamhaus ZEN zone and a PTR name of 192.0.2.25 that resolves back to it. */
function answeringHandler() {
  const lists = fakeListsHandler({ "zen.spamhaus.org": { kind: "normal" } });
  const records = tableHandler({
    [`PTR ${REVERSE_NAME}`]: [
      { type: "PTR", name: REVERSE_NAME, ttl: 300, data: "mail.example.com" },
    ],
    "A mail.example.com": [{ type: "A", name: "mail.example.com", ttl: 300, data: IP }],
  });
  return (question: Parameters<typeof lists>[0], transport: "udp" | "tcp") =>
    question.name.toLowerCase().endsWith(".zen.spamhaus.org")
      ? lists(question, transport)
      : records(question, transport);
}

describe("delist monitor --once and DNS", () => {
  it("exits 0 when DNS answers", async () => {
    server = await startDnsServer(answeringHandler());
    const { code, lines, jobWarnings } = await runOnce(server.address);
    expect(jobWarnings).toEqual([]);
    expect(lines.find((line) => line["msg"] === "blocklists checked")?.["unanswered"]).toBe(0);
    expect(lines.find((line) => line["msg"] === "DNS checked")?.["unanswered"]).toBe(0);
    expect(code).toBe(0);
  });

  it("exits 1 when DNS answers nothing", async () => {
    server = await startDnsServer(() => ({ drop: true }));
    const { code, jobWarnings: warnings } = await runOnce(server.address);
    expect(warnings.map((line) => line["job"])).toEqual(["blocklists", "dns"]);
    expect(String(warnings[0]?.["msg"])).toMatch(/^no blocklist check could be made: /);
    expect(String(warnings[1]?.["msg"])).toMatch(/^no DNS check could be made: /);
    expect(code).toBe(1);
  });

  it("exits 1 when DNS answers in part", async () => {
    const answering = answeringHandler();
    server = await startDnsServer((question, transport) =>
      question.type === "PTR" ? { drop: true } : answering(question, transport),
    );
    const { code, jobWarnings: warnings } = await runOnce(server.address);
    expect(warnings.map((line) => line["job"])).toEqual(["dns"]);
    expect(warnings[0]?.["queries"]).toEqual([`PTR ${REVERSE_NAME}`]);
    expect(code).toBe(1);
  });
});
