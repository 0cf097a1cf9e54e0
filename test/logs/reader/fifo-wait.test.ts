import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../../src/cli/io.js";
import { runCli } from "../../../src/cli/main.js";
import { FIFO_WAIT_MS, readLogs } from "../../../src/logs/pipeline.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const LINE =
  "Mar  4 10:00:02 mx1 postfix/smtp[103]: 1A0000000A: to=<bob@example.net>, relay=mx.example.net[192.0.2.20]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n";

describe.runIf(process.platform !== "win32")("FIFO without a writer", () => {
  it("reports the wait, then reads the FIFO", async () => {
    const path = join(dir.path, "mail.fifo");
    execFileSync("mkfifo", [path]);
    const waits: { name: string; elapsedMs: number }[] = [];
    const start = Date.now();
    let written: Promise<void> = Promise.resolve();

    const summary = await readLogs(["mail.fifo"], [], {
      timeZone: resolveTimeZone("UTC"),
      year: 2024,
      cwd: dir.path,
      onFifoWait: (name) => {
        waits.push({ name, elapsedMs: Date.now() - start });
        written = writeFile(path, LINE);
      },
    });
    await written;

    expect(waits.map((wait) => wait.name)).toEqual(["mail.fifo"]);
    expect(waits[0]?.elapsedMs).toBeGreaterThanOrEqual(FIFO_WAIT_MS - 50);
    expect(summary.totals.lines).toBe(1);
  });

  it("reports nothing for a FIFO with data", async () => {
    const path = join(dir.path, "mail.fifo");
    execFileSync("mkfifo", [path]);
    const waits: string[] = [];

    const [summary] = await Promise.all([
      readLogs(["mail.fifo"], [], {
        timeZone: resolveTimeZone("UTC"),
        year: 2024,
        cwd: dir.path,
        onFifoWait: (name) => waits.push(name),
      }),
      writeFile(path, LINE),
    ]);
    await new Promise((resolve) => setTimeout(resolve, FIFO_WAIT_MS + 200));

    expect(summary.totals.lines).toBe(1);
    expect(waits).toEqual([]);
  });

  it("prints the wait on standard error", async () => {
    const path = join(dir.path, "mail.fifo");
    execFileSync("mkfifo", [path]);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const output = { stdout: "", stderr: "" };
    let written: Promise<void> = Promise.resolve();
    stdout.on("data", (chunk: Buffer) => (output.stdout += chunk.toString()));
    // The writer starts once the wait is printed, so the test does not depend on start-up time.
    stderr.on("data", (chunk: Buffer) => {
      output.stderr += chunk.toString();
      if (output.stderr.includes("waiting for data")) written = writeFile(path, LINE);
    });
    const io: CliIo = {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env: {},
      cwd: dir.path,
    };

    const code = await runCli(
      ["logs", "--no-progress", "--year", "2024", "--timezone", "UTC", "mail.fifo"],
      io,
    );
    await written;

    expect(code).toBe(0);
    expect(output.stderr).toContain("delist: waiting for data on FIFO mail.fifo:");
    expect(output.stdout).toContain("1 line");
  });
});
