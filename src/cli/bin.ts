#!/usr/bin/env node
import process from "node:process";
import { runCli } from "./main.js";
import { startMemoryGuard } from "./memory-guard.js";

// A closed pipe (`delist … | head`) ends the run quietly; any other write error (a full
// disk) is an output error, so it gets status 2 rather than a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  process.stderr.write(`delist: cannot write the output: ${error.code ?? error.message}\n`);
  process.exit(2);
});

startMemoryGuard();
const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
process.exitCode = exitCode;
