import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { writeWrappedMessage, type CliIo } from "../../src/cli/io.js";

function written(message: string): string {
  const stderr = new PassThrough();
  const io: CliIo = {
    stdout: new PassThrough(),
    stderr,
    stdin: new PassThrough(),
    env: {},
    cwd: "/",
  };
  writeWrappedMessage(io, message);
  return (stderr.read() as Buffer).toString();
}

const LONG =
  "logs/smtp-cat.log could not be read: 99 of its 100 non-blank lines have no log format " +
  "that delist reads, so the verdict leaves out any mail it holds.";

describe("writeWrappedMessage", () => {
  test("wraps at 80 columns", () => {
    const lines = written(LONG).trimEnd().split("\n");

    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]?.startsWith("delist: logs/smtp-cat.log")).toBe(true);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(lines.slice(1).every((line) => line.startsWith("  "))).toBe(true);
    expect(lines.join(" ").replace(/\s+/g, " ")).toBe(`delist: ${LONG}`);
  });

  test("keeps odd whitespace on one line", () => {
    const message = LONG.replace("smtp-cat.log", "smtp  cat\t.log");
    expect(written(message)).toBe(`delist: ${message}\n`);
  });
});
