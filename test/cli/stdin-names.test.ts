import { gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";

// Twelve hours of mail from one account, as a Postfix log.
function mailLog(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 12; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

// The report with its lines joined, so that wrapping does not split a phrase.
function joined(text: string): string {
  return text.replace(/\n\s*/g, " ");
}

describe("diagnose of standard input", () => {
  test("names damaged gzip on stdin", async () => {
    const gzip = gzipSync(Buffer.from(mailLog()));
    const cut = gzip.subarray(0, Math.floor(gzip.length / 2));
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "-"], cut);
    const text = joined(result.stdout);

    expect(result.code).toBe(2);
    expect(text).toContain("Error: standard input has truncated or damaged gzip data (");
    expect(result.stderr).toContain("delist: standard input has truncated or damaged gzip data");
    expect(text).not.toContain('"-"');
    expect(text).not.toContain("-:");
    expect(text).not.toContain("still being written");
  });

  test("names stdin in file:line samples", async () => {
    const log = `${mailLog()}not a log line\n`;
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "-"], log);
    const lines = log.split("\n").length - 1;

    expect(result.stdout).toContain(`Skipped: stdin:${lines}: not a log line`);
  });

  test("names stdin in the line end note", async () => {
    const result = await runCommand(
      [...OFFLINE_DIAGNOSE, "--year", "2024", "-"],
      `${mailLog()}Jun`,
    );

    expect(joined(result.stdout)).toContain(
      "Note: standard input ended without a line end after line",
    );
  });

  test("explains ignored lines", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--year", "2024", "-"], mailLog());

    expect(joined(result.stdout)).toContain(
      "ignored (nothing to diagnose, such as connect and disconnect)",
    );
  });
});
