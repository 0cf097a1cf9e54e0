import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

/**
 * A Postfix log whose line 3 has no log framing and whose line 4 is a Postfix line that does
 * not parse. The unparsed sample is collected in a list read before the unframed one.
 */
const GARBLED_LOG = [
  "Mar  4 10:00:01 mx1 postfix/smtpd[100]: 1A0000000A: client=a.example.com[192.0.2.10], sasl_method=PLAIN, sasl_username=alice@example.com",
  "Mar  4 10:00:01 mx1 postfix/qmgr[102]: 1A0000000A: from=<alice@example.com>, size=1200, nrcpt=1 (queue active)",
  "this line has no log framing at all",
  "Mar  4 10:00:02 mx1 postfix/smtp[103]: 1A0000000A: to=<broken",
  "Mar  4 10:00:02 mx1 postfix/smtp[103]: 1A0000000A: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[192.0.2.200]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK 1709546402 x1si1 - gsmtp)",
  "Mar  4 10:00:03 mx1 postfix/qmgr[102]: 1A0000000A: removed",
  "",
].join("\n");

function skippedLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("Skipped: "));
}

describe("skipped-line samples", () => {
  test("logs shows them", async () => {
    const path = files.file(GARBLED_LOG, "garbled.log");

    const result = await runCommand(["logs", "--no-progress", "--year", "2024", path]);

    expect(result.stdout).toContain("2 skipped (1 unparsed, 1 without log framing)");
    expect(skippedLines(result.stdout)).toHaveLength(2);
  });

  test("logs shows them in line order", async () => {
    const path = files.file(GARBLED_LOG, "garbled.log");

    const result = await runCommand(["logs", "--no-progress", "--year", "2024", path]);
    const lines = skippedLines(result.stdout);

    expect(lines[0]?.startsWith(`Skipped: ${path}:3: this line`)).toBe(true);
    expect(lines[1]?.startsWith(`Skipped: ${path}:4: Mar 4`)).toBe(true);
  });

  test("diagnose shows them in line order", async () => {
    const path = files.file(GARBLED_LOG, "garbled.log");

    const result = await runCommand([
      "diagnose",
      "--offline",
      "--no-progress",
      "--year",
      "2024",
      "--timezone",
      "UTC",
      path,
    ]);
    const lines = skippedLines(result.stdout);

    expect(lines[0]?.startsWith(`Skipped: ${path}:3: this line`)).toBe(true);
    expect(lines[1]?.startsWith(`Skipped: ${path}:4: Mar 4`)).toBe(true);
  });

  test("logs JSON keeps them", async () => {
    const path = files.file(GARBLED_LOG, "garbled.log");

    const result = await runCommand([
      "logs",
      "--no-progress",
      "--year",
      "2024",
      "-f",
      "json",
      path,
    ]);
    const json = JSON.parse(result.stdout) as { input: { skippedSamples: { line: number }[] } };

    expect(json.input.skippedSamples.map((sample) => sample.line)).toEqual([3, 4]);
  });
});
