import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";

/** What one in-process CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The start of a `delist diagnose` command line that sends no DNS or HTTPS queries, in UTC. */
export const OFFLINE_DIAGNOSE: readonly string[] = ["diagnose", "--offline", "--timezone", "UTC"];

/**
 * A state directory that no test should create, so that commands reading the default history
 * database never see the one of the user who runs the tests. The name is new for each test
 * process: a fixed name let a database left there by one run (a test that wrote history
 * without `--db`, or a build with a newer schema) break every later run.
 */
const ABSENT_STATE_HOME = join(
  tmpdir(),
  `delist-test-no-state-home-${process.pid}-${randomBytes(4).toString("hex")}`,
);

/**
 * Runs the CLI in-process with in-memory streams; `tty` marks stdout as a terminal. The
 * environment is `env` alone plus `XDG_STATE_HOME`, which `env` may set.
 */
export async function runCommand(
  argv: readonly string[],
  stdin: string | Buffer = "",
  env: Record<string, string> = {},
  tty = false,
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: "", stderr: "" };
  stdout.on("data", (chunk: Buffer) => (chunks.stdout += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (chunks.stderr += chunk.toString()));
  const io: CliIo = {
    stdout: Object.assign(stdout, { isTTY: tty }),
    stderr,
    stdin: Readable.from([Buffer.from(stdin)]),
    env: { XDG_STATE_HOME: ABSENT_STATE_HOME, ...env },
    cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, ...chunks };
}
