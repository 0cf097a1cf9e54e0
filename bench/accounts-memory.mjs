#!/usr/bin/env node
// Measures the peak RSS of `delist diagnose` against the number of distinct SASL accounts.
// For each account count N, it writes a healthy Postfix log of 200,000 messages (800,000
// lines, about 103 MB), each sent to Gmail and removed. Message i comes from account i % N.
// It runs `delist diagnose --offline` on that log and prints the peak RSS in MB of 10^6
// bytes (GNU time, else /proc polling) and the CPU time. Each log is deleted before the next
// one is written. Nothing here uses the network. Run `npm run build` first.
//
//   node bench/accounts-memory.mjs [--accounts 1,1000,3000,10000,50000] [--runs 1] [--dir DIR]

import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure } from "./harness/measure.mjs";
import { describeMachine } from "./harness/report.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "cli", "bin.js");
const MESSAGES = 200_000;
/** Seconds between two messages, so that 200,000 messages span about 5.8 days. */
const SPACING_SECONDS = 2.5;

const { values } = parseArgs({
  options: {
    accounts: { type: "string", default: "1,1000,3000,10000,50000" },
    runs: { type: "string", default: "1" },
    dir: { type: "string" },
  },
});
const counts = values.accounts.split(",").map(Number);
const runs = Number(values.runs);
if (counts.some((count) => !Number.isInteger(count) || count < 1)) {
  process.stderr.write(
    `accounts-memory: invalid --accounts ${values.accounts}: give positive integers, such as 1,1000\n`,
  );
  process.exit(2);
}
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`accounts-memory: invalid --runs ${values.runs}: give a positive integer\n`);
  process.exit(2);
}

/** Writes the log of `accounts` accounts to `path`. */
async function writeLog(path, accounts) {
  const out = createWriteStream(path);
  let chunk = "";
  for (let i = 0; i < MESSAGES; i++) {
    const seconds = Math.floor(i * SPACING_SECONDS);
    const day = String(1 + Math.floor(seconds / 86_400)).padStart(2, " ");
    const clock = [3600, 60, 1]
      .map((unit, index) => Math.floor(seconds / unit) % (index === 0 ? 24 : 60))
      .map((part) => String(part).padStart(2, "0"))
      .join(":");
    const time = `Mar ${day} ${clock}`;
    const id = (0x30000000000 + i).toString(16).toUpperCase();
    const account = `u${i % accounts}@example.com`;
    chunk +=
      `${time} mx postfix/submission/smtpd[1000]: ${id}: client=unknown[2001:db8::1], ` +
      `sasl_method=PLAIN, sasl_username=${account}\n` +
      `${time} mx postfix/qmgr[900]: ${id}: from=<${account}>, size=1000, nrcpt=1 (queue active)\n` +
      `${time} mx postfix/smtp[2000]: ${id}: to=<s${i}@gmail.com>, ` +
      "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5, " +
      "dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n" +
      `${time} mx postfix/qmgr[900]: ${id}: removed\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const directory = values.dir ?? mkdtempSync(join(tmpdir(), "delist-accounts-"));
const machine = describeMachine();
process.stdout.write(
  `${machine.cpu}, ${machine.cores} cores, ${machine.ram}, ${machine.node}, load ${machine.loadAverage}\n`,
);
process.stdout.write("accounts  peak RSS (MB)  user+system CPU (s)\n");
try {
  for (const accounts of counts) {
    const log = join(directory, `accounts-${accounts}.log`);
    await writeLog(log, accounts);
    for (let run = 0; run < runs; run++) {
      const args = [
        CLI,
        "diagnose",
        "--offline",
        "--no-progress",
        "--timezone",
        "UTC",
        "--year",
        "2025",
        log,
      ];
      const result = await measure(process.execPath, args, join(directory, "report.txt"));
      // diagnose exits 0, or 1 when it reports findings. Any other code is a failed run.
      if (result.exitCode !== 0 && result.exitCode !== 1) {
        throw new Error(`delist diagnose exited ${result.exitCode}: ${result.stderr}`);
      }
      const megabytes = (result.peakRssBytes / 1e6).toFixed(0);
      const cpu = (result.userSeconds + result.systemSeconds).toFixed(2);
      process.stdout.write(
        `${String(accounts).padStart(8)}  ${megabytes.padStart(13)}  ${cpu.padStart(19)}\n`,
      );
    }
    rmSync(log, { force: true });
  }
} finally {
  if (values.dir === undefined) rmSync(directory, { recursive: true, force: true });
}
