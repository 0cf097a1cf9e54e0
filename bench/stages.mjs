#!/usr/bin/env node
// Splits the CPU time of `delist diagnose` on one log into the stages of the pipeline, so a
// change can be measured where it acts. Each stage runs in a child process of its own, so the
// stages do not share compiled code or garbage, and each run does all the work of the stages
// before it:
//
//   split    read the file and split it into lines, without decoding them
//   frame    + take the syslog framing off every line (a parser that ignores every record)
//   parse    + every parser, with events sent nowhere
//   analyse  + the analysers, as `diagnose` runs them (`analyseLogs`)
//
// The time of a stage is its CPU time (user and system) from the start of reading to the end,
// without loading Node and the modules. Run `npm run build` first; it measures `dist/`.
//
//   node bench/stages.mjs [--runs N] [--stages split,frame,parse,analyse] [--dist DIR] LOG
//
// `--dist` names another build of delist to measure (default `dist/`).
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const STAGES = ["split", "frame", "parse", "analyse"];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: "string", default: "5" },
    stages: { type: "string", default: STAGES.join(",") },
    dist: { type: "string", default: new URL("../dist/", import.meta.url).pathname },
    child: { type: "string" },
  },
});

const DIST = pathToFileURL(`${resolve(values.dist)}/`);

if (values.child !== undefined) {
  await runChild(values.child, positionals[0]);
} else {
  runParent();
}

function runParent() {
  const log = positionals[0];
  const runs = Number(values.runs);
  const stages = values.stages.split(",");
  if (log === undefined) fail("missing LOG: give the path of a log file");
  if (!Number.isInteger(runs) || runs < 1) fail(`invalid --runs "${values.runs}": use 1 or more`);
  for (const stage of stages) {
    if (!STAGES.includes(stage)) fail(`invalid stage "${stage}": use ${STAGES.join(", ")}`);
  }
  const megabytes = statSync(log).size / 1e6;
  const script = new URL(import.meta.url).pathname;

  const medians = new Map();
  for (const stage of stages) {
    const seconds = [];
    let rssMb = 0;
    for (let run = 0; run < runs; run++) {
      const args = [script, "--child", stage, "--dist", values.dist, log];
      const output = execFileSync(process.execPath, args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      const result = JSON.parse(output);
      seconds.push(result.cpuSeconds);
      rssMb = Math.max(rssMb, result.maxRssMb);
    }
    seconds.sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)];
    medians.set(stage, median);
    const runsText = seconds.map((value) => value.toFixed(2)).join(" ");
    process.stdout.write(
      `${stage.padEnd(8)} median ${median.toFixed(2)} CPU s, ${(megabytes / median).toFixed(0)} MB per CPU s, ` +
        `peak RSS ${rssMb.toFixed(0)} MB (runs: ${runsText})\n`,
    );
  }
  writeDifferences(stages, medians, megabytes);
}

// Each stage's own share: its median minus the median of the stage before it, per GiB.
function writeDifferences(stages, medians, megabytes) {
  const perGib = 1073.741824 / megabytes;
  let previous = 0;
  const parts = [];
  for (const stage of stages) {
    const median = medians.get(stage);
    parts.push(`${stage} ${((median - previous) * perGib).toFixed(2)}`);
    previous = median;
  }
  process.stdout.write(`CPU s per GiB by stage: ${parts.join(", ")}\n`);
}

async function runChild(stage, log) {
  const { resolveTimeZone } = await import(new URL("time/zone.js", DIST).href);
  const options = { timeZone: resolveTimeZone("UTC"), year: 2025 };
  const work = await stageWork(stage, log, options);
  const before = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(before);
  const result = {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Loads the modules of a stage and returns the work to time.
async function stageWork(stage, log, options) {
  const load = (path) => import(new URL(path, DIST).href);
  if (stage === "split") {
    const { ByteLineSplitter } = await load("logs/reader/lines.js");
    const { readSource } = await load("logs/reader/read.js");
    const { planInputs } = await load("logs/reader/sources.js");
    const [source] = await planInputs([log], process.cwd());
    let bytes = 0;
    // The pipeline decodes only the message of most lines, after framing their header from
    // the bytes, so this stage leaves decoding to the next.
    const splitter = new ByteLineSplitter((_buffer, start, end) => {
      bytes += end - start;
    });
    return async () => {
      await readSource(source, splitter);
      if (bytes === 0) fail(`no line read from ${log}`);
    };
  }
  const { readLogs } = await load("logs/pipeline.js");
  if (stage === "frame") {
    const ignoreAll = { accepts: () => true, parse: () => "ignored", finish: () => undefined };
    return () => readLogs([log], [ignoreAll], options);
  }
  if (stage === "parse") {
    const { createLogParsers } = await load("logs/parsers.js");
    return () =>
      readLogs(
        [log],
        createLogParsers(() => undefined),
        options,
      );
  }
  const { analyseLogs } = await load("diagnose/run.js");
  return () => analyseLogs([log], options);
}

function fail(message) {
  process.stderr.write(`stages: ${message}\n`);
  process.exit(2);
}
