import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { GMAIL_RATE_LIMIT, HOUR, PostfixLog, T0 } from "../helpers/postfix-fixture.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

/**
 * Writes, as UTF-8, three hours of five office accounts, then 480 Gmail recipients in three
 * hours from `account` on four new client addresses, which the compromised-account finding
 * reports with a `doveadm kick` command.
 */
function compromisedLog(account: string): string {
  const log = new PostfixLog();
  for (let hour = 0; hour < 3; hour++) {
    for (let index = 0; index < 5; index++) {
      log.submit({
        time: T0 + hour * HOUR + index * 300_000,
        account: `user${index}@example.com`,
        clientIp: `198.51.100.${10 + index}`,
        recipients: [{ address: `contact${hour}-${index}@example.net` }],
      });
    }
  }
  let message = 0;
  [90, 240, 150].forEach((total, hour) => {
    for (let sent = 0; sent < total; sent += 30) {
      log.submit({
        time: T0 + hour * HOUR + 60_000 + sent * 1000,
        account,
        clientIp: `203.0.113.${50 + (message % 4)}`,
        recipients: Array.from({ length: 30 }, (_, i) => ({
          address: `target${hour}-${sent + i}@gmail.com`,
          outcome: GMAIL_RATE_LIMIT,
        })),
      });
      message += 1;
    }
  });
  return files.file(Buffer.from(log.text(), "utf8"));
}

/** Returns the `doveadm kick` command of a report, without its code-span backticks. */
function kickCommand(report: string): string | undefined {
  return /`(doveadm kick [^`]+)`/.exec(report)?.[1];
}

/** Runs `command` in bash with its program replaced by printf, and returns the bytes of its one argument. */
function argumentBytes(command: string): Buffer {
  const word = command.slice("doveadm kick ".length);
  return execFileSync("bash", ["-c", `printf '%s' ${word}`]);
}

const CASES: ReadonlyArray<[string, string, string]> = [
  ["ESC", "ni\u001b[31maj@example.com", "$'ni\\x1b[31maj@example.com'"],
  ["right-to-left override", "ni\u202eaj@example.com", "$'ni\\xe2\\x80\\xaeaj@example.com'"],
  ["zero width space", "ni\u200baj@example.com", "$'ni\\xe2\\x80\\x8baj@example.com'"],
];

describe("diagnose with hidden characters in an account", () => {
  test.each(CASES)("%s: text command", async (_name, account, quoted) => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, compromisedLog(account)]);
    const command = kickCommand(result.stdout);

    expect(command).toBe(`doveadm kick ${quoted}`);
    expect(argumentBytes(command ?? "")).toEqual(Buffer.from(account, "utf8"));
  });

  test.each(CASES)("%s: Markdown command", async (_name, account, quoted) => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "-f",
      "markdown",
      compromisedLog(account),
    ]);

    expect(kickCommand(result.stdout)).toBe(`doveadm kick ${quoted}`);
  });

  test.each([
    ["right-to-left override", "\u202e", "\\\\u202e"],
    ["zero width space", "\u200b", "\\\\u200b"],
  ])("%s: Markdown shows an escape", async (_name, character, escaped) => {
    const account = `ni${character}aj@example.com`;
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "-f",
      "markdown",
      compromisedLog(account),
    ]);

    expect(result.stdout).not.toContain(character);
    expect(result.stdout).toContain(`ni${escaped}aj@example.com`);
  });
});
