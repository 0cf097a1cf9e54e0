// Measures the read → split → decode → frame layer through `readLogs` with a parser that
// does nothing, so the number is the framing layer's share of the `diagnose` budget.
//
//   npm run build
//   node bench/reader.mjs [--runs N] [FILE…]   (default: /tmp/delist-reader-bench.log, 3 runs)
//   node bench/reader.mjs --make [MB]     writes that file from the corpus scenario logs
//
// --make concatenates corpus/logs/scenarios/*.log (DELIST_CORPUS, else ../shared/corpus) until
// the file reaches MB megabytes (default 500). The file is generated data: keep it in /tmp.
import { createWriteStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readLogs } from "../dist/logs/pipeline.js";
import { resolveTimeZone } from "../dist/time/zone.js";

const DEFAULT_FILE = "/tmp/delist-reader-bench.log";
const MB = 1_000_000;

async function makeInput(targetMb) {
  const benchFolder = fileURLToPath(new URL(".", import.meta.url));
  const corpus = process.env.DELIST_CORPUS ?? resolve(benchFolder, "../../shared/corpus");
  const folder = join(corpus, "logs", "scenarios");
  if (!existsSync(folder))
    throw new Error(`scenario logs not found in ${folder}: set DELIST_CORPUS`);
  const logs = readdirSync(folder)
    .filter((name) => name.endsWith(".log"))
    .sort()
    .map((name) => readFileSync(join(folder, name)));
  const out = createWriteStream(DEFAULT_FILE);
  let written = 0;
  while (written < targetMb * MB) {
    for (const log of logs) {
      if (!out.write(log)) await new Promise((done) => out.once("drain", done));
      written += log.length;
    }
  }
  await new Promise((done) => out.end(done));
  console.log(`wrote ${DEFAULT_FILE}: ${(written / MB).toFixed(0)} MB`);
}

// One run: wall and CPU time, peak RSS sampled every 50 ms.
async function measure(files) {
  let peakRss = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const parser = { accepts: () => true, parse: () => "parsed", finish: () => undefined };
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const summary = await readLogs(files, [parser], { timeZone: resolveTimeZone("UTC") });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  for (const input of summary.inputs) if (input.error) console.log(input.error.message);
  return { seconds, cpuSeconds, peakRss, totals: summary.totals };
}

function report(label, { seconds, cpuSeconds, peakRss, totals }) {
  const { decompressedBytes, lines, records, unrecognised } = totals;
  console.log(
    [
      `${label}: ${(decompressedBytes / MB).toFixed(0)} MB, ${lines} lines`,
      `${seconds.toFixed(2)} s = ${(decompressedBytes / MB / seconds).toFixed(0)} MB/s`,
      `${(lines / seconds / 1e6).toFixed(2)} M lines/s`,
      `CPU ${cpuSeconds.toFixed(2)} s = ${(decompressedBytes / MB / cpuSeconds).toFixed(0)} MB/s`,
      `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
      `records ${records}, unrecognised ${unrecognised}`,
    ].join(", "),
  );
}

const args = process.argv.slice(2);
if (args[0] === "--make") {
  await makeInput(Number(args[1] ?? 500));
} else {
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  const files = args.length > 0 ? args : [DEFAULT_FILE];
  const results = [];
  for (let run = 1; run <= runs; run++) {
    results.push(await measure(files));
    report(`run ${run}`, results.at(-1));
  }
  // The machine is shared, so the fastest run is the best estimate of the code's own speed.
  report(
    "best",
    results.reduce((best, result) => (result.seconds < best.seconds ? result : best)),
  );
}
