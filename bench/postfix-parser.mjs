// Measures the Postfix parser alone: lines are framed into records outside the timed
// section, then only `parse` is timed. Run `npm run build` first.
//
//   DELIST_CORPUS=/path/to/corpus node bench/postfix-parser.mjs [--size-mb N] [log file]
//
// Without a log file it writes the corpus's Postfix scenario logs, concatenated until the
// file reaches --size-mb (default 1024), to the system temp folder and reuses that file on
// later runs. Prints MB/s and lines/s of parse time (wall and CPU), and the peak RSS of the
// whole process, which includes the batch of framed records waiting for the parser.

import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import console from "node:console";
import { once } from "node:events";
import process from "node:process";
import { LineFramer } from "../dist/logs/framing/framer.js";
import { createPostfixParser } from "../dist/logs/postfix/index.js";
import { resolveTimeZone } from "../dist/time/zone.js";

const BATCH_LINES = 100_000;
const MB = 1024 * 1024;

const { sizeMb, file } = readArguments(process.argv.slice(2));
const input = file ?? (await concatenatedScenarios(sizeMb));
const result = await measure(input);
report(input, result);

function readArguments(args) {
  let sizeMb = 1024;
  let file = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--size-mb") sizeMb = Number(args[++i]);
    else file = args[i];
  }
  if (!Number.isFinite(sizeMb) || sizeMb <= 0) throw new Error("--size-mb needs a positive number");
  return { sizeMb, file };
}

async function concatenatedScenarios(sizeMb) {
  const target = join(tmpdir(), `delist-postfix-bench-${sizeMb}mb.log`);
  if (existsSync(target) && statSync(target).size >= sizeMb * MB) return target;

  const corpus = process.env.DELIST_CORPUS;
  if (!corpus)
    throw new Error("DELIST_CORPUS is not set: point it at the corpus or pass a log file");
  const folder = join(corpus, "logs", "scenarios");
  const logs = readdirSync(folder)
    .filter((name) => name.endsWith("-postfix.log"))
    .sort();
  const contents = logs.map((name) => readFileSync(join(folder, name)));
  const out = createWriteStream(target);
  let written = 0;
  while (written < sizeMb * MB) {
    for (const content of contents) {
      if (!out.write(content)) await once(out, "drain");
      written += content.length;
    }
  }
  out.end();
  await once(out, "finish");
  return target;
}

async function measure(path) {
  const counts = { records: 0, postfixRecords: 0, postfixBytes: 0, lines: 0, bytes: 0, events: 0 };
  const outcomes = { parsed: 0, ignored: 0, unparsed: 0 };
  const parser = createPostfixParser(() => {
    counts.events += 1;
  });
  const framer = new LineFramer({ timeZone: resolveTimeZone("UTC"), year: 2024 });
  framer.startFile(path, Date.now(), false);

  let parseNs = 0n;
  let parseCpuMicros = 0;
  let maxOpenMessages = 0;
  let batch = [];
  const runBatch = () => {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (const record of batch) outcomes[parser.parse(record)] += 1;
    const cpu = process.cpuUsage(cpuStart);
    parseNs += process.hrtime.bigint() - start;
    parseCpuMicros += cpu.user + cpu.system;
    maxOpenMessages = Math.max(maxOpenMessages, parser.openMessages);
    batch = [];
  };

  let rest = "";
  for await (const chunk of createReadStream(path, { encoding: "latin1", highWaterMark: 4 * MB })) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      counts.lines += 1;
      counts.bytes += line.length + 1;
      framer.frame(line, counts.lines, (record) => {
        counts.records += 1;
        if (!parser.accepts(record.program)) return;
        counts.postfixRecords += 1;
        counts.postfixBytes += line.length + 1;
        batch.push(record);
      });
      if (batch.length >= BATCH_LINES) runBatch();
    }
  }
  runBatch();
  parser.finish();
  return {
    counts,
    outcomes,
    parseSeconds: Number(parseNs) / 1e9,
    parseCpuSeconds: parseCpuMicros / 1e6,
    openMessages: parser.openMessages,
    maxOpenMessages,
  };
}

function report(path, result) {
  const { counts, outcomes, parseSeconds, parseCpuSeconds } = result;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const postfixMb = counts.postfixBytes / MB;
  console.log(`input: ${path}`);
  console.log(`  ${(counts.bytes / MB).toFixed(0)} MB, ${counts.lines} lines`);
  console.log(`  ${counts.postfixRecords} Postfix records, ${postfixMb.toFixed(0)} MB of them`);
  console.log(`  outcomes: ${JSON.stringify(outcomes)}, events: ${counts.events}`);
  console.log(
    `  open messages: ${result.maxOpenMessages} at most, ${result.openMessages} at the end`,
  );
  // CPU time leaves out the time other processes held the core, so it is the steadier
  // number on a shared machine.
  for (const [label, seconds] of [
    ["wall", parseSeconds],
    ["CPU", parseCpuSeconds],
  ]) {
    const mbPerSecond = (postfixMb / seconds).toFixed(0);
    const recordsPerSecond = (counts.postfixRecords / seconds / 1e6).toFixed(2);
    console.log(
      `parse, ${label} time: ${seconds.toFixed(2)} s, ${mbPerSecond} MB/s, ${recordsPerSecond} M lines/s`,
    );
  }
  console.log(`peak RSS: ${peakRssMb.toFixed(0)} MB`);
}
