// Measures the Exim parser alone. Lines are read with the pipeline's line splitter, framed in
// small batches, and only the time spent in `parse` is counted. Build first (`npm run build`),
// then run
//   node bench/exim-parser.mjs [copies] [file]
// Without a file it concatenates the four Exim scenario logs of the corpus `copies` times
// (default 40, about 320 MB) into a file under the system temp folder and reads that.
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { LineFramer } from "../dist/logs/framing/framer.js";
import { LineSplitter } from "../dist/logs/reader/lines.js";
import { createEximParser } from "../dist/logs/exim/index.js";
import { resolveTimeZone } from "../dist/time/zone.js";

const SCENARIOS = [
  "01-compromised-sasl-exim",
  "02-php-script-exim",
  "04-missing-ptr-exim",
  "07-healthy-exim",
];

const BATCH_LINES = 8192;

const copies = Number(process.argv[2] ?? 40);
const input = process.argv[3] ?? (await concatenatedScenarios(copies));

let eventCount = 0;
const parser = createEximParser(() => {
  eventCount += 1;
});
const framer = new LineFramer({ timeZone: resolveTimeZone("UTC") });
framer.startFile(input, statSync(input).mtimeMs, false);

const stats = { bytes: 0, lines: 0, records: 0, parseNs: 0n, parseCpuUs: 0, frameNs: 0n };

// Lines are framed and parsed in small batches, so that records die young and stay in the
// cache as they do when the pipeline parses each line right after framing it.
let lines = [];
const splitter = new LineSplitter((text) => {
  lines.push(text);
  if (lines.length === BATCH_LINES) {
    parseBatch(frameBatch(lines));
    lines = [];
  }
});
for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20 })) {
  splitter.push(chunk);
}
splitter.end();
parseBatch(frameBatch(lines));
parser.finish();

const seconds = Number(stats.parseNs) / 1e9;
const cpuSeconds = stats.parseCpuUs / 1e6;
const megabytes = stats.bytes / 1e6;
console.log(`input          ${input}`);
console.log(`lines          ${format(stats.lines)} (${megabytes.toFixed(1)} MB)`);
console.log(`records        ${format(stats.records)}, events ${format(eventCount)}`);
console.log(`parse time     ${seconds.toFixed(3)} s wall, ${cpuSeconds.toFixed(3)} s CPU`);
console.log(
  `parse speed    ${format(megabytes / seconds)} MB/s, ${format(stats.lines / seconds)} lines/s (wall)`,
);
// CPU time leaves out the time the process waited for a core, so it is the figure to trust on
// a shared machine. It includes the garbage collector's helper threads.
console.log(
  `               ${format(megabytes / cpuSeconds)} MB/s, ${format(stats.lines / cpuSeconds)} lines/s (CPU)`,
);
console.log(`framing time   ${(Number(stats.frameNs) / 1e9).toFixed(3)} s wall, not counted above`);
console.log(`peak RSS       ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

function format(value) {
  return Math.round(value).toLocaleString("en");
}

function frameBatch(lines) {
  const batch = [];
  const start = process.hrtime.bigint();
  for (const line of lines) {
    stats.lines += 1;
    stats.bytes += line.length + 1;
    framer.frame(line, stats.lines, (record) => batch.push(record));
  }
  stats.frameNs += process.hrtime.bigint() - start;
  return batch;
}

function parseBatch(batch) {
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (const record of batch) parser.parse(record);
  stats.parseNs += process.hrtime.bigint() - start;
  const cpu = process.cpuUsage(cpuStart);
  stats.parseCpuUs += cpu.user + cpu.system;
  stats.records += batch.length;
}

async function concatenatedScenarios(count) {
  const corpus = process.env.DELIST_CORPUS ?? "/work/shared/corpus";
  const path = join(tmpdir(), `delist-bench-exim-x${count}.log`);
  if (existsSync(path)) return path;
  const parts = SCENARIOS.map((name) =>
    readFileSync(join(corpus, "logs", "scenarios", `${name}.log`)),
  );
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    for (const part of parts) if (!out.write(part)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return path;
}
