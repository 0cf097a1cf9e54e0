#!/usr/bin/env node
// Bounce decoding throughput: messages per second over the Sisimai bounce corpus, on one
// core (one process, one thread). Build first (`npm run build`); then
//   node bench/bounces.mjs [--corpus DIR] [--rounds N]
// The corpus directory defaults to $DELIST_CORPUS, else ../shared/corpus beside the checkout.
// Two paths: decoding messages already in memory (MIME parsing, format readers, reply
// classification, reasons), and the whole `readBounces` path that also reads each file.
// Each gets two rates: per second of wall-clock time, and per second of CPU time used by
// this process (user plus system, all threads), which other load on the machine changes
// less.
import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { decodeMessage, readBounces } = await import(join(ROOT, "dist", "bounce", "index.js"));
const { createReplyClassifier } = await import(join(ROOT, "dist", "reply", "classify.js"));

const { values } = parseArgs({
  options: { corpus: { type: "string" }, rounds: { type: "string", default: "5" } },
});
const corpus = values.corpus ?? process.env.DELIST_CORPUS ?? join(ROOT, "..", "shared", "corpus");
const directory = join(corpus, "bounces", "sisimai", "maildir", "bsd");
const rounds = Number(values.rounds);
const names = readdirSync(directory)
  .filter((name) => name.endsWith(".eml"))
  .sort();
const messages = names.map((name) => readFileSync(join(directory, name)));
const bytes = messages.reduce((sum, message) => sum + message.length, 0);

async function decodeAll() {
  const classifier = createReplyClassifier();
  let recipients = 0;
  for (const [index, raw] of messages.entries()) {
    recipients += (await decodeMessage(raw, names[index], classifier)).results.length;
  }
  return recipients;
}

async function readAll() {
  const run = await readBounces(names, { cwd: directory });
  return run.results.length;
}

async function measure(label, task) {
  await task(); // warm-up: JIT compilation and module loading are not measured
  const wallRates = [];
  const cpuRates = [];
  let recipients = 0;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    recipients = await task();
    const cpu = process.cpuUsage(cpuStart);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    wallRates.push(messages.length / seconds);
    cpuRates.push(messages.length / ((cpu.user + cpu.system) / 1e6));
  }
  console.log(
    `${label.padEnd(28)} ${summary(wallRates)} messages/s of wall time, ` +
      `${summary(cpuRates)} per CPU second; ${recipients} recipients`,
  );
}

function summary(rates) {
  const sorted = [...rates].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${Math.round(median)} (min ${Math.round(sorted[0])}, max ${Math.round(sorted.at(-1))})`;
}

console.log(
  `corpus: ${names.length} messages, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${directory}`,
);
console.log(
  `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores; Node ${process.version}`,
);
console.log(`rounds: ${rounds} after one warm-up round; load average ${loadavg()[0].toFixed(1)}`);
await measure("decode in memory", decodeAll);
await measure("readBounces (files)", readAll);
