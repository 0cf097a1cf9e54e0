import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import process from "node:process";

/** Markers around the generated part of docs/benchmarks.md. */
export const MEASURED_START = "<!-- bench:measured:start -->";
export const MEASURED_END = "<!-- bench:measured:end -->";

/**
 * Describes this machine: CPU model from /proc/cpuinfo, cores, RAM, OS, Node version, and
 * the 1-minute load average before the run (other work on the machine skews the figures).
 */
export function describeMachine() {
  let cpu = os.cpus()[0]?.model ?? "unknown CPU";
  try {
    const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (model !== null) cpu = model[1].trim();
  } catch {
    // Not Linux: keep the model that os.cpus() reports.
  }
  const ramGiB = (os.totalmem() / 1024 ** 3).toFixed(1);
  return {
    cpu,
    cores: os.availableParallelism(),
    ram: `${ramGiB} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverage: os.loadavg()[0].toFixed(1),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function pair(values, format) {
  return `${format(Math.min(...values))} / ${format(median(values))}`;
}

const seconds = (value) => value.toFixed(2);
const megabytes = (value) => (value / 1e6).toFixed(1);
const thousands = (value) => (value / 1e3).toFixed(0);

/**
 * Returns the figures of a tool's successful runs: wall and user CPU seconds and peak RSS as
 * "min / median"; MB/s and lines/s per wall second, and MB per CPU second (user + system),
 * as "best / median". MB are 10^6 bytes. The CPU figure varies less than the wall figures
 * when other work shares the machine.
 */
export function summarise(runs, input) {
  const walls = runs.map((run) => run.wallSeconds);
  const cpus = runs.map((run) => run.userSeconds + run.systemSeconds);
  const rate = (count, format, times = walls) => {
    const rates = times.map((time) => count / time);
    return `${format(Math.max(...rates))} / ${format(median(rates))}`;
  };
  return {
    cpuThroughput: rate(input.bytes, megabytes, cpus),
    wall: pair(walls, seconds),
    user: pair(
      runs.map((run) => run.userSeconds),
      seconds,
    ),
    throughput: rate(input.bytes, megabytes),
    lines: rate(input.lines, thousands),
    rss: pair(
      runs.map((run) => run.peakRssBytes),
      megabytes,
    ),
  };
}

const HEADER = [
  "| tool | runs | wall s (min / median) | user CPU s (min / median) | MB/s (best / median) | k lines/s (best / median) | MB per CPU s (best / median) | peak RSS MB (min / median) | checks |",
  "|---|---|---|---|---|---|---|---|---|",
];

/** Returns the Markdown table of the measured rows. */
export function markdownTable(rows) {
  const lines = rows.map((row) => {
    if (row.figures === null) return `| ${row.tool} | ${row.runs} | ${row.note} | | | | | | |`;
    const f = row.figures;
    return `| ${row.tool} | ${row.runs} | ${f.wall} | ${f.user} | ${f.throughput} | ${f.lines} | ${f.cpuThroughput} | ${f.rss} | ${row.checkSummary} |`;
  });
  return [...HEADER, ...lines].join("\n");
}

/** Returns "3/4 passed, 1 n/a" for a list of checks, or "none" for an empty list. */
export function summariseChecks(checks) {
  if (checks.length === 0) return "none";
  const passed = checks.filter((item) => item.status === "pass").length;
  const missing = checks.filter((item) => item.status === "n/a").length;
  return `${passed}/${checks.length - missing} passed${missing > 0 ? `, ${missing} n/a` : ""}`;
}

/** Returns the Markdown list of every check with its detail. */
export function markdownChecks(rows) {
  const lines = [];
  for (const row of rows) {
    for (const item of row.checks) {
      lines.push(`- ${row.tool}, ${item.name}: **${item.status}**. ${item.detail}.`);
    }
  }
  return lines.join("\n");
}

/** Replaces the text between the measured-section markers of the benchmark document. */
export function updateDocument(path, section) {
  const text = readFileSync(path, "utf8");
  const start = text.indexOf(MEASURED_START);
  const end = text.indexOf(MEASURED_END);
  if (start < 0 || end < start) {
    throw new Error(
      `${path} has no "${MEASURED_START}" … "${MEASURED_END}" section; add the two markers where the figures go`,
    );
  }
  const updated = `${text.slice(0, start + MEASURED_START.length)}\n${section}\n${text.slice(end)}`;
  writeFileSync(path, updated);
}
