import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { loginRecords } from "../helpers/login-records.js";
import { HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

function postfixText(): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

describe("diagnose of a binary file", () => {
  test("no-lines error names the binary file", async () => {
    const path = temporary.file(loginRecords(50), "wtmp");
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no Postfix, Exim or Sendmail message or delivery lines found");
    expect(result.stderr).toContain(`delist: ${path} looks like a binary file, not a text log.`);
  });

  test("no-lines error names binary stdin", async () => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, "-"], loginRecords(50));

    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toBe("delist: standard input looks like a binary file, not a text log.");
    expect(lines[1]).toBe("delist: no Postfix, Exim or Sendmail message or delivery lines found.");
  });

  test("no-lines error of text has no hint", async () => {
    const path = temporary.file("hello\nworld\n", "notes.txt");
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no Postfix, Exim or Sendmail message or delivery lines found");
    expect(result.stderr).not.toContain("binary");
  });

  test("binary file beside a log still diagnoses", async () => {
    const binary = temporary.file(loginRecords(50), "wtmp");
    const log = temporary.file(postfixText(), "mail.log");
    const result = await runCommand([...OFFLINE_DIAGNOSE, binary, log]);

    expect(result.code).not.toBe(2);
    expect(result.stdout.replace(/\s+/g, " ")).toContain(`${binary} looks like a binary file`);
  });
});
