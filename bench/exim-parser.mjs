/* global process, console */
// Measures the Exim parser alone: log lines are framed first, in batches, and only the time
// spent in `parse` is counted. Build first (`npm run build`), then run
//   node bench/exim-parser.mjs [copies] [file]
// Without a file it concatenates the four Exim scenario logs of the corpus `copies` times
// (default 40, about 320 MB) into a file under the system temp folder and reads that.
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { LineFramer } from "../dist/logs/framing/framer.js";
import { createEximParser } from "../dist/logs/exim/index.js";
import { resolveTimeZone } from "../dist/time/zone.js";

const SCENARIOS = [
  "01-compromised-sasl-exim",
  "02-php-script-exim",
  "04-missing-ptr-exim",
  "07-healthy-exim",
];
const BATCH_LINES = 50_000;

const copies = Number(process.argv[2] ?? 40);
const input = process.argv[3] ?? (await concatenatedScenarios(copies));

let eventCount = 0;
const parser = createEximParser(() => {
  eventCount += 1;
});
const framer = new LineFramer({ timeZone: resolveTimeZone("UTC") });
framer.startFile(input, statSync(input).mtimeMs, false);

const stats = { bytes: 0, lines: 0, records: 0, parseNs: 0n, frameNs: 0n };
let batch = [];
let lineNumber = 0;
let rest = "";

for await (const chunk of createReadStream(input, { highWaterMark: 4 << 20 })) {
  const lines = (rest + chunk.toString("latin1")).split("\n");
  rest = lines.pop() ?? "";
  for (const line of lines) addLine(line);
}
if (rest !== "") addLine(rest);
parseBatch();
parser.finish();

const seconds = Number(stats.parseNs) / 1e9;
const megabytes = stats.bytes / 1e6;
console.log(`input          ${input}`);
console.log(`lines          ${stats.lines.toLocaleString("en")} (${megabytes.toFixed(1)} MB)`);
console.log(
  `records        ${stats.records.toLocaleString("en")}, events ${eventCount.toLocaleString("en")}`,
);
console.log(`parse time     ${seconds.toFixed(3)} s`);
console.log(
  `parse speed    ${(megabytes / seconds).toFixed(0)} MB/s of log lines, ${Math.round(stats.lines / seconds).toLocaleString("en")} lines/s`,
);
console.log(`framing time   ${(Number(stats.frameNs) / 1e9).toFixed(3)} s (not counted above)`);
console.log(`peak RSS       ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

function addLine(line) {
  lineNumber += 1;
  stats.lines += 1;
  stats.bytes += line.length + 1;
  const start = process.hrtime.bigint();
  framer.frame(line, lineNumber, (record) => batch.push(record));
  stats.frameNs += process.hrtime.bigint() - start;
  if (batch.length >= BATCH_LINES) parseBatch();
}

function parseBatch() {
  const start = process.hrtime.bigint();
  for (const record of batch) parser.parse(record);
  stats.parseNs += process.hrtime.bigint() - start;
  stats.records += batch.length;
  batch = [];
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
