import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_SAMPLE_MESSAGE_BYTES, readMessage } from "../../src/cli/check-message-input.js";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import { forbidRealNetwork } from "../dns/guard.js";
import { runCommand } from "../helpers/cli.js";

forbidRealNetwork();

const zone = fileURLToPath(new URL("../auth/fixtures/example.zone", import.meta.url));

const ADVICE =
  "Give one sample message, such as an .eml file saved from a mail client, not a mail log " +
  "or a mailbox.";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

/** Creates a sparse file of `sizeBytes` zero bytes, which takes no room on disk. */
function sparseFile(sizeBytes: number): string {
  const directory = mkdtempSync(join(tmpdir(), "delist-check-limit-"));
  directories.push(directory);
  const file = join(directory, "big.eml");
  writeFileSync(file, "");
  truncateSync(file, sizeBytes);
  return file;
}

/** Returns the `delist check` arguments of an offline run on the example zone with `--message name`. */
function checkArguments(name: string): string[] {
  return ["check", "example.com", "--zone", zone, "--offline", "--message", name];
}

/** Creates an endless standard input that counts the bytes it produced. */
function endlessInput(): { stream: Readable; producedBytes: () => number } {
  const chunk = Buffer.alloc(64 * 1024, "x");
  let produced = 0;
  const stream = new Readable({
    read() {
      produced += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, producedBytes: () => produced };
}

function ioWithStdin(stdin: NodeJS.ReadableStream): CliIo & { stderrText: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let stderrText = "";
  stdout.resume();
  stderr.on("data", (data: Buffer) => (stderrText += data.toString()));
  return { stdout, stderr, stdin, env: {}, cwd: process.cwd(), stderrText: () => stderrText };
}

describe("check --message size limit", () => {
  it("rejects a file over the limit", async () => {
    const file = sparseFile(MAX_SAMPLE_MESSAGE_BYTES + 1);

    const result = await runCommand(checkArguments(file));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `delist: the message file "${file}" is 64.1 MiB, over the 64 MiB limit of --message. ${ADVICE}\n`,
    );
  });

  it("states the size of a large file", async () => {
    const file = sparseFile(300 * 1024 * 1024);

    const result = await runCommand(checkArguments(file));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`"${file}" is 300.0 MiB, over the 64 MiB limit`);
  });

  it.runIf(existsSync("/dev/zero"))("stops reading an endless device", async () => {
    const result = await runCommand(checkArguments("/dev/zero"));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `delist: the message file "/dev/zero" is larger than the 64 MiB limit of --message, so delist stopped reading it. ${ADVICE}\n`,
    );
  });

  it("stops reading endless stdin", async () => {
    const input = endlessInput();
    const io = ioWithStdin(input.stream);

    const code = await runCli(checkArguments("-"), io);

    expect(code).toBe(2);
    expect(io.stderrText()).toBe(
      `delist: standard input is larger than the 64 MiB limit of --message, so delist stopped reading it. ${ADVICE}\n`,
    );
    expect(input.producedBytes()).toBeLessThan(MAX_SAMPLE_MESSAGE_BYTES + 1024 * 1024);
    expect(input.stream.destroyed).toBe(true);
  });
});

describe("readMessage at the limit", () => {
  it("reads a file of exactly the limit", async () => {
    const file = sparseFile(MAX_SAMPLE_MESSAGE_BYTES);
    const io = ioWithStdin(Readable.from([]));

    const message = await readMessage(file, io);

    expect(message.length).toBe(MAX_SAMPLE_MESSAGE_BYTES);
  });

  it("reads stdin of exactly the limit", async () => {
    const half = Buffer.alloc(MAX_SAMPLE_MESSAGE_BYTES / 2, "x");
    const io = ioWithStdin(Readable.from([half, half]));

    const message = await readMessage("-", io);

    expect(message.length).toBe(MAX_SAMPLE_MESSAGE_BYTES);
  });

  it("rejects stdin one byte over", async () => {
    const half = Buffer.alloc(MAX_SAMPLE_MESSAGE_BYTES / 2, "x");
    const io = ioWithStdin(Readable.from([half, half, Buffer.from("x")]));

    await expect(readMessage("-", io)).rejects.toThrow(/^standard input is larger than/);
  });
});
