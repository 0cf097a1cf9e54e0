import { PassThrough, Readable } from "node:stream";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";

/** What one in-process CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with in-memory streams; `tty` marks stdout as a terminal. */
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
    env,
    cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, ...chunks };
}
