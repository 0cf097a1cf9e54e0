#!/usr/bin/env node
// Writes a synthetic Postfix log for the benchmark, plus PATH.truth.json with its ground
// truth. Plain JavaScript for Node 20, no dependencies; see docs/benchmarks.md.
import process from "node:process";
import { parseArgs } from "node:util";
import { generatePostfixLog } from "./postfix/generator.mjs";

const USAGE = `usage: node bench/generate-postfix.mjs [options] PATH

  --size-mib N          size of the log in MiB (default 1024); the file ends at the last
                        whole line that fits
  --seed N              random seed, an integer (default 7); the same options give the same bytes
  --timestamps STYLE    rfc3164 (Mar  4 09:15:02, the default) or rfc3339
                        (2025-03-04T09:15:02.123456+00:00)
  --long-queue-ids      long queue ids (enable_long_queue_ids = yes) instead of short hex ids
`;

function fail(message) {
  process.stderr.write(`generate-postfix: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "size-mib": { type: "string", default: "1024" },
        seed: { type: "string", default: "7" },
        timestamps: { type: "string", default: "rfc3164" },
        "long-queue-ids": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    fail(error.message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1) fail("expected exactly one output PATH");
  const sizeMiB = Number(values["size-mib"]);
  if (!Number.isFinite(sizeMiB) || sizeMiB <= 0) {
    fail(`invalid --size-mib "${values["size-mib"]}": use a positive number of MiB`);
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) fail(`invalid --seed "${values.seed}": use an integer`);
  if (values.timestamps !== "rfc3164" && values.timestamps !== "rfc3339") {
    fail(`invalid --timestamps "${values.timestamps}": use rfc3164 or rfc3339`);
  }
  return {
    path: positionals[0],
    options: {
      sizeMiB,
      seed,
      timestamps: values.timestamps,
      longQueueIds: values["long-queue-ids"],
    },
  };
}

const { path, options } = parseOptions(process.argv.slice(2));
const started = process.hrtime.bigint();
const truth = generatePostfixLog(path, options);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(
  `wrote ${path}: ${truth.lines} lines, ${truth.bytes} bytes in ${seconds.toFixed(1)} s ` +
    `(${(truth.bytes / 1e6 / seconds).toFixed(1)} MB/s); truth in ${path}.truth.json\n`,
);
