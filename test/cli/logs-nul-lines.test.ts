import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

// Four hours of mail, with a record cut short by 100,000 NULs after the second hour.
function crashedLog(): Buffer {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  const clean = Buffer.from(log.text(), "latin1");
  const middle = clean.indexOf("\n", clean.length / 2) + 1;
  return Buffer.concat([
    clean.subarray(0, middle),
    Buffer.from("Mar  4 02:00:00 mail postf", "latin1"),
    Buffer.alloc(100_000, 0),
    clean.subarray(middle),
  ]);
}

describe("delist logs with NUL bytes", () => {
  test("text names the lines with NULs", async () => {
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(crashedLog())]);

    expect(result.code).toBe(0);
    const text = result.stdout.replace(/\n/g, " ");
    expect(text).toContain("1 line contains NUL bytes");
    expect(text).toContain("a run longer than 64 KiB is dropped and ends the line before it");
    expect(text).not.toContain("longer than 64 KiB; only");
  });

  test("text has no NUL line without NULs", async () => {
    const clean = Buffer.from(crashedLog().filter((byte) => byte !== 0));
    const result = await runCommand(["logs", "--timezone", "UTC", temporary.file(clean)]);

    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("NUL");
  });

  test("JSON counts the line with NULs", async () => {
    const path = temporary.file(crashedLog());
    const result = await runCommand(["logs", "--timezone", "UTC", "-f", "json", path]);
    const input = (JSON.parse(result.stdout) as { input: Record<string, unknown> }).input;

    expect(input["withNul"]).toBe(1);
    expect(input["overlong"]).toBe(0);
  });
});
