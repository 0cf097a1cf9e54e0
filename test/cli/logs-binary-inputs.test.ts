import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

const SENT =
  "Mar  4 09:00:00 mx1 postfix/smtp[2]: 1A2B3C4D5E: to=<a@example.org>, " +
  "relay=mx.example.org[192.0.2.5]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, " +
  "status=sent (250 2.0.0 Ok)\n";
const LOG = SENT.repeat(3);

// A small PNG: its signature, then an IHDR chunk whose length field starts with NUL bytes.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0IEND", "latin1"),
]);

describe("logs of a folder with a PNG", () => {
  test("header counts only log lines", async () => {
    const folder = files.folder({ "mail.log": LOG, "chart.png": PNG, "README.md": "x" });
    const result = await runCommand(["logs", "--timezone", "UTC", folder]);
    const output = result.stdout.replace(/\s+/g, " ");

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^delist logs: 4 lines from /);
    expect(output).toContain("1 skipped (0 unparsed, 1 without log framing)");
    expect(output).not.toContain("NUL bytes");
    expect(output).toContain("chart.png looks like a binary file");
    expect(output).toContain("so its lines were not counted as log lines.");
    expect(output).toContain("README.md held no log lines: its only line has no timestamp");
  });

  test("diagnose rejects the PNG alone", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, files.file(PNG, "chart.png")]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "no Postfix, Exim or Sendmail message or delivery lines found.",
    );
    expect(result.stderr).not.toContain("the input is empty");
    expect(result.stderr).toContain("chart.png looks like a binary file, not a text log.");
  });
});
