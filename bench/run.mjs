#!/usr/bin/env node
// The 1 GiB log benchmark (`npm run bench:logs`, and the first part of `npm run bench`):
// generates a synthetic Postfix log, runs `delist diagnose` (and pflogsumm when installed)
// on it, measures time and memory, and checks the results against the generator's truth
// file. Nothing here uses the network. Options go through `npm run bench:logs -- …`,
// because `npm run bench -- …` hands them to the last script of its chain. See
// docs/benchmarks.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure } from "./harness/measure.mjs";
import { checkDiagnosis, checkPflogsumm } from "./harness/checks.mjs";
import {
  describeMachine,
  markdownChecks,
  markdownTable,
  summarise,
  summariseChecks,
  updateDocument,
} from "./harness/report.mjs";
import { GENERATOR_VERSION } from "./postfix/generator.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "bench", "out");
const CLI = join(ROOT, "dist", "cli", "bin.js");
const DOCUMENT = join(ROOT, "docs", "benchmarks.md");

const USAGE = `usage: npm run bench:logs -- [options]

  --size-mib N        size of the generated log in MiB (default 1024; 64 for a quick run)
  --runs N            runs of each tool (default 3)
  --seed N            generator seed (default 7)
  --timestamps STYLE  rfc3164 (default) or rfc3339
  --long-queue-ids    generate long Postfix queue ids
  --skip-pflogsumm    do not run pflogsumm even when it is installed
  --write             replace the measured section of docs/benchmarks.md with this run
`;

function fail(message) {
  process.stderr.write(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        "size-mib": { type: "string", default: "1024" },
        runs: { type: "string", default: "3" },
        seed: { type: "string", default: "7" },
        timestamps: { type: "string", default: "rfc3164" },
        "long-queue-ids": { type: "boolean", default: false },
        "skip-pflogsumm": { type: "boolean", default: false },
        write: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    fail(error.message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const sizeMiB = Number(values["size-mib"]);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!(sizeMiB > 0)) fail(`invalid --size-mib "${values["size-mib"]}": use a positive number`);
  if (!Number.isInteger(runs) || runs < 1) fail(`invalid --runs "${values.runs}": use 1 or more`);
  if (!Number.isInteger(seed)) fail(`invalid --seed "${values.seed}": use an integer`);
  if (values.timestamps !== "rfc3164" && values.timestamps !== "rfc3339") {
    fail(`invalid --timestamps "${values.timestamps}": use rfc3164 or rfc3339`);
  }
  return {
    generator: {
      sizeMiB,
      seed,
      timestamps: values.timestamps,
      longQueueIds: values["long-queue-ids"],
    },
    runs,
    skipPflogsumm: values["skip-pflogsumm"],
    write: values.write,
  };
}

const log = (text) => process.stderr.write(`${text}\n`);

// Reuses bench/out/NAME.log when its truth file was written with the same parameters and
// the log still has the size the truth file records. Otherwise generates it and measures
// the generator like the other tools (`generation` is null for a reused log).
async function prepareInput(generator) {
  const { sizeMiB, seed, timestamps, longQueueIds } = generator;
  const name = `postfix-${sizeMiB}mib-seed${seed}-${timestamps}${longQueueIds ? "-long" : ""}`;
  const path = join(OUT, `${name}.log`);
  const truthPath = `${path}.truth.json`;
  if (existsSync(path) && existsSync(truthPath)) {
    const truth = JSON.parse(readFileSync(truthPath, "utf8"));
    const same = Object.entries(generator).every(([key, value]) => truth.parameters[key] === value);
    if (
      same &&
      truth.parameters.generatorVersion === GENERATOR_VERSION &&
      statSync(path).size === truth.bytes
    ) {
      log(`input: reusing ${relative(ROOT, path)}`);
      return { path, truth, generation: null };
    }
  }

  mkdirSync(OUT, { recursive: true });
  log(`input: generating ${relative(ROOT, path)} (${sizeMiB} MiB)…`);
  const args = [join(ROOT, "bench", "generate-postfix.mjs"), "--size-mib", String(sizeMiB)];
  args.push("--seed", String(seed), "--timestamps", timestamps);
  if (longQueueIds) args.push("--long-queue-ids");
  const generation = await measure(process.execPath, [...args, path], join(OUT, "generator.out"));
  if (generation.exitCode !== 0) {
    throw new Error(
      `generating ${path} failed with exit ${generation.exitCode}: ${generation.stderr.trim()}`,
    );
  }
  return { path, truth: JSON.parse(readFileSync(truthPath, "utf8")), generation };
}

function delistArgs(input) {
  // --offline: the benchmark measures reading the log, and sends nothing over the network.
  const args = [CLI, "diagnose", input.path, "--offline", "--format", "json", "--timezone", "UTC"];
  if (input.truth.parameters.timestamps === "rfc3164")
    args.push("--year", String(input.truth.parameters.year));
  return args;
}

// Runs a tool `runs` times; a run counts when its exit status is acceptable.
async function benchTool(tool, command, args, runs, accept, check) {
  const results = [];
  let checks = [];
  for (let run = 1; run <= runs; run++) {
    const stdoutPath = join(OUT, `${tool.replace(/\W+/g, "-")}.out`);
    const result = await measure(command, args, stdoutPath);
    log(
      `${tool} run ${run}: exit ${result.exitCode}, ${result.wallSeconds.toFixed(2)} s, ${(result.peakRssBytes / 1e6).toFixed(0)} MB`,
    );
    if (!accept(result.exitCode)) {
      const reason = result.stderr.trim().split("\n").slice(-3).join(" / ");
      return {
        tool,
        runs: 0,
        figures: null,
        checks: [],
        note: `not measured: exit ${result.exitCode}: ${reason}`,
      };
    }
    results.push(result);
    if (run === 1) checks = check(readFileSync(stdoutPath, "utf8"));
  }
  return { tool, runs: results.length, results, checks };
}

function commandExists(name) {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

function pflogsummVersion() {
  try {
    return execFileSync("dpkg-query", ["-W", "-f", "${Version}", "pflogsumm"], {
      encoding: "utf8",
    });
  } catch {
    return "version unknown";
  }
}

// Names the commit that dist/ was built from, and whether the working tree had changes.
function describeBuild() {
  try {
    const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
    const commit = git("rev-parse", "--short", "HEAD");
    const changed = git("status", "--porcelain", "--untracked-files=no", "--", "src").length > 0;
    return `commit ${commit}${changed ? " with uncommitted changes under src/" : ""}`;
  } catch {
    return "unknown commit (not a git checkout)";
  }
}

// Aligns the new table the way `npm run lint` (prettier --check) expects it.
function formatDocument(path) {
  const prettier = join(ROOT, "node_modules", ".bin", "prettier");
  if (!existsSync(prettier)) {
    log(
      `${relative(ROOT, path)} is not formatted: ${relative(ROOT, prettier)} is missing; run npm ci`,
    );
    return;
  }
  execFileSync(prettier, ["--write", path], { stdio: "ignore" });
}

async function main() {
  const options = parseOptions();
  const machine = describeMachine();
  const build = describeBuild();
  const input = await prepareInput(options.generator);
  const rows = [];
  if (input.generation !== null) {
    const tool = "generator (writes the log)";
    rows.push({ tool, runs: 1, results: [input.generation], checks: [] });
  }

  if (existsSync(CLI)) {
    // delist exits 1 when it finds problems, which this log has on purpose.
    const accept = (code) => code === 0 || code === 1;
    const check = (text) => checkDiagnosis(text, input.truth);
    rows.push(
      await benchTool(
        "delist diagnose",
        process.execPath,
        delistArgs(input),
        options.runs,
        accept,
        check,
      ),
    );
  } else {
    rows.push({
      tool: "delist diagnose",
      runs: 0,
      figures: null,
      checks: [],
      note: `not measured: ${relative(ROOT, CLI)} is missing; run npm run build`,
    });
  }

  const pflogsumm = options.skipPflogsumm ? null : commandExists("pflogsumm");
  if (pflogsumm !== null) {
    const check = (text) => checkPflogsumm(text, input.truth);
    const row = await benchTool(
      "pflogsumm",
      pflogsumm,
      [input.path],
      options.runs,
      (code) => code === 0,
      check,
    );
    row.tool = `pflogsumm ${pflogsummVersion()}`;
    rows.push(row);
  }

  for (const row of rows) {
    if (row.figures === undefined) row.figures = summarise(row.results, input.truth);
    row.checkSummary = summariseChecks(row.checks);
  }
  const section = renderSection({ options, input, rows, machine, build });
  process.stdout.write(`${section}\n`);
  if (options.write) {
    updateDocument(DOCUMENT, section);
    formatDocument(DOCUMENT);
    log(`updated ${relative(ROOT, DOCUMENT)}`);
  }
}

function renderSection({ options, input, rows, machine, build }) {
  const truth = input.truth;
  const generator = options.generator;
  const flags = [
    `--size-mib ${generator.sizeMiB}`,
    `--runs ${options.runs}`,
    `--seed ${generator.seed}`,
  ];
  if (generator.timestamps !== "rfc3164") flags.push(`--timestamps ${generator.timestamps}`);
  if (generator.longQueueIds) flags.push("--long-queue-ids");
  const generated =
    input.generation === null ? "reused from an earlier run" : "generated by this run";
  const delistCommand = delistArgs(input)
    .slice(1)
    .map((arg) => (arg.startsWith(ROOT) ? relative(ROOT, arg) : arg))
    .join(" ");
  return [
    `Measured on ${new Date().toISOString().slice(0, 10)} with \`npm run bench:logs -- ${flags.join(" ")}\`.`,
    "",
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ram} RAM, ${machine.os}, Node ${machine.node}; load average ${machine.loadAverage} before the run.`,
    `- Input: ${(truth.bytes / 1e6).toFixed(1)} MB, ${truth.lines.toLocaleString("en-US")} lines of synthetic Postfix log (${generator.timestamps}, seed ${generator.seed}, ${truth.firstTime} to ${truth.lastTime}), ${generated}.`,
    `- delist: built from ${build}; command \`node ${relative(ROOT, CLI)} ${delistCommand}\`.`,
    "",
    markdownTable(rows),
    "",
    "Checks against the truth file:",
    "",
    markdownChecks(rows) || "- none ran",
  ].join("\n");
}

await main();
