import { PassThrough, Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";
import type { CliRun } from "../helpers/cli.js";

const POSTFIX_LINE =
  "Mar  4 09:15:02 mx1 postfix/smtp[4242]: 4F2A81C0042: to=<user@example.com>, relay=mx.example.com[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 OK)";

const REPLY = "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown";

const HINT =
  /^delist: reading the (logs|reply) from standard input until Ctrl-D on an empty line$/m;

/** Runs the CLI with `input` on a standard input whose `isTTY` is `terminal`. */
async function runWithStdin(argv: string[], input: string, terminal: boolean): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: "", stderr: "" };
  stdout.on("data", (chunk: Buffer) => (chunks.stdout += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (chunks.stderr += chunk.toString()));
  const stdin = Readable.from([Buffer.from(input)]);
  const io: CliIo = {
    stdout,
    stderr,
    stdin: terminal ? Object.assign(stdin, { isTTY: true }) : stdin,
    env: {},
    cwd: process.cwd(),
  };
  const code = await runCli(argv, io);
  return { code, ...chunks };
}

const COMMANDS: ReadonlyArray<{ argv: string[]; input: string; what: string }> = [
  {
    argv: ["diagnose", "--offline", "--timezone", "UTC", "--year", "2024", "-"],
    input: `${POSTFIX_LINE}\n`,
    what: "logs",
  },
  {
    argv: ["logs", "--timezone", "UTC", "--year", "2024", "-"],
    input: `${POSTFIX_LINE}\n`,
    what: "logs",
  },
  { argv: ["explain", "-"], input: `${REPLY}\n`, what: "reply" },
];

describe("- with a terminal on standard input", () => {
  for (const { argv, input, what } of COMMANDS) {
    test(`${argv[0]} - prints the Ctrl-D hint`, async () => {
      const result = await runWithStdin(argv, input, true);

      expect(result.stderr).toMatch(HINT);
      expect(result.stderr).toContain(`reading the ${what} from`);
      // The input is still read after the hint.
      expect(result.stdout).not.toBe("");
    });

    test(`${argv[0]} - from a pipe prints no hint`, async () => {
      const result = await runWithStdin(argv, input, false);

      expect(result.stderr).not.toContain("Ctrl-D");
      expect(result.stdout).not.toBe("");
    });
  }

  test("diagnose with a file and a terminal prints no hint", async () => {
    const result = await runWithStdin(
      ["diagnose", "--offline", "--timezone", "UTC", "examples/postfix"],
      "",
      true,
    );

    expect(result.stderr).not.toContain("Ctrl-D");
  });
});
