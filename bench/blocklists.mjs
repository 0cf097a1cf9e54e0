#!/usr/bin/env node
// Blocklist look-up speed: 256 documentation IPs (192.0.2.0/24) against every live list that
// takes IPv4 and needs no key, through a DNS server on 127.0.0.1 that waits 30 ms before each
// answer. The server runs in a child process so that its work does not slow the client's
// event loop. Build first (`npm run build`); then
//   node bench/blocklists.mjs [--runs N] [--concurrency N] [--rate N] [--delay-ms N]
// The ideal time is queries × delay ÷ concurrency. The target is at most 1.5 times that.
// Nothing here leaves 127.0.0.1. See docs/benchmarks.md.
import { fork } from "node:child_process";
import dgram from "node:dgram";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import dnsPacket from "dns-packet";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_RATIO = 1.5;

const { values } = parseArgs({
  options: {
    serve: { type: "boolean", default: false },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string" },
    rate: { type: "string" },
    "delay-ms": { type: "string", default: "30" },
    targets: { type: "string", default: "256" },
  },
});

if (values.serve) serve(Number(values["delay-ms"]));
else await main();

/**
 * The DNS server: RFC 5782 test entries are listed (2.0.0.127, TEST and the named test
 * domains), every other name is NXDOMAIN. Each answer leaves after `delayMs`.
 */
function serve(delayMs) {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, remote) => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (question === undefined) return;
    const listed = /^(2\.0\.0\.127|test|dbltest\.com|test\.uribl\.com)\./i.test(question.name);
    const reply = dnsPacket.encode({
      type: "response",
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (listed ? 0 : 3),
      questions: [question],
      answers:
        listed && question.type === "A"
          ? [{ type: "A", name: question.name, ttl: 300, data: "127.0.0.2" }]
          : [],
    });
    setTimeout(() => socket.send(reply, remote.port, remote.address), delayMs);
  });
  socket.bind(0, "127.0.0.1", () => process.send({ port: socket.address().port }));
  process.on("disconnect", () => socket.close());
}

async function main() {
  const reputation = await import(join(ROOT, "dist", "reputation", "index.js"));
  const { createDnsContext } = await import(join(ROOT, "dist", "dns", "context.js"));
  const { wireResolver } = await import(join(ROOT, "dist", "dns", "wire.js"));
  const runs = positive(values.runs, "--runs");
  const delayMs = positive(values["delay-ms"], "--delay-ms");
  const concurrency = positive(
    values.concurrency ?? `${reputation.DEFAULT_CONCURRENCY}`,
    "--concurrency",
  );
  const rate = positive(values.rate ?? `${reputation.DEFAULT_QUERIES_PER_SECOND}`, "--rate");
  const count = positive(values.targets, "--targets");
  const targets = Array.from(
    { length: count },
    (_, index) => `192.0.${2 + Math.floor(index / 256)}.${index % 256}`,
  );
  const lists = reputation.CATALOGUE.filter(
    (entry) =>
      reputation.isLive(entry) && entry.targets.includes("ipv4") && entry.keyRequired === null,
  ).map((entry) => entry.id);

  const child = fork(fileURLToPath(import.meta.url), ["--serve", "--delay-ms", `${delayMs}`]);
  const port = await new Promise((resolve) => child.once("message", (m) => resolve(m.port)));

  const measured = [];
  for (let run = 0; run < runs; run++) {
    const dns = createDnsContext({
      resolver: wireResolver({ servers: [{ host: "127.0.0.1", port }], timeoutMs: 2000 }),
      timeoutMs: 6000,
    });
    const started = performance.now();
    const report = await reputation.checkBlocklists({ ips: targets, domains: [] }, dns, {
      lists,
      concurrency,
      queriesPerSecond: rate,
    });
    const seconds = (performance.now() - started) / 1000;
    const queries = dns.stats().queries;
    await dns.close();
    check(report, targets.length * lists.length);
    const ideal = (queries * delayMs) / 1000 / concurrency;
    measured.push({ seconds, queries, ideal, ratio: seconds / ideal });
  }
  child.disconnect();

  const sorted = [...measured].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)];
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const lines = [
    `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}`,
    `input: ${targets.length} IPs x ${lists.length} lists (${lists.join(", ")})`,
    `settings: delay ${delayMs} ms, concurrency ${concurrency}, ${rate} queries/s per list`,
    ...measured.map(
      (m, index) =>
        `run ${index + 1}: ${m.seconds.toFixed(2)} s for ${m.queries} queries, ideal ` +
        `${m.ideal.toFixed(2)} s, ratio ${m.ratio.toFixed(2)}`,
    ),
    `median: ${median.seconds.toFixed(2)} s, ratio ${median.ratio.toFixed(2)} ` +
      `(target at most ${TARGET_RATIO}): ${median.ratio <= TARGET_RATIO ? "met" : "NOT met"}`,
    `peak RSS of the client process: ${peakRssMiB.toFixed(0)} MiB`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

// Every target must have one not-listed result per list: the server lists only test entries.
function check(report, expected) {
  const clean = report.results.filter((result) => result.status === "not-listed").length;
  if (report.results.length !== expected || clean !== expected) {
    const statuses = report.results.map((result) => result.status);
    throw new Error(`expected ${expected} not-listed results, got ${clean} of ${statuses.length}`);
  }
}

function positive(text, option) {
  const value = Number(text);
  if (!(value > 0)) {
    process.stderr.write(`bench: invalid ${option} "${text}": give a positive number\n`);
    process.exit(2);
  }
  return value;
}
