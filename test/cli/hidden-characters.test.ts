import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { installedShells, shellArguments } from "../helpers/shell.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

/** Writes, as UTF-8, a log in which `account` sends a burst from new client addresses. */
function compromisedFile(account: string): string {
  return files.file(Buffer.from(compromisedLog(account), "utf8"));
}

/**
 * Returns the `doveadm kick` command of a report. Both the text and the Markdown report print a
 * fix's command unwrapped on a line of its own, indented.
 */
function kickCommand(report: string): string | undefined {
  return /^ +(doveadm kick\s.+)$/m.exec(report)?.[1];
}

/** Runs `command` in `shell` with its program replaced by printf, and returns its arguments. */
function argumentBytes(shell: string, command: string): Buffer[] {
  return shellArguments(shell, command.slice("doveadm kick ".length));
}

const CASES: ReadonlyArray<[string, string, string]> = [
  ["ESC", "ni\u001b[31maj@example.com", `"$(printf 'ni\\033[31maj@example.com')"`],
  [
    "right-to-left override",
    "ni\u202eaj@example.com",
    `"$(printf 'ni\\342\\200\\256aj@example.com')"`,
  ],
  ["zero width space", "ni\u200baj@example.com", `"$(printf 'ni\\342\\200\\213aj@example.com')"`],
];

describe("diagnose with hidden characters in an account", () => {
  test.each(CASES)("%s: text command", async (_name, account, quoted) => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, compromisedFile(account)]);

    expect(kickCommand(result.stdout)).toBe(`doveadm kick ${quoted}`);
  });

  test.each(CASES)("%s: Markdown command", async (_name, account, quoted) => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      "-f",
      "markdown",
      compromisedFile(account),
    ]);

    expect(kickCommand(result.stdout)).toBe(`doveadm kick ${quoted}`);
  });

  test.each(CASES)("%s: shells get the account", async (_name, account) => {
    const result = await runCommand([...OFFLINE_DIAGNOSE, compromisedFile(account)]);
    const command = kickCommand(result.stdout) ?? "";

    for (const shell of installedShells()) {
      expect(argumentBytes(shell, command), shell).toEqual([Buffer.from(account, "utf8")]);
    }
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
      compromisedFile(account),
    ]);

    expect(result.stdout).not.toContain(character);
    expect(result.stdout).toContain(`ni${escaped}aj@example.com`);
  });
});

describe("diagnose text with hidden characters in an account", () => {
  const HIDDEN: ReadonlyArray<[string, string, string]> = [
    ["right-to-left override", "\u202e", "\\u202e"],
    ["zero width space", "\u200b", "\\u200b"],
    ["ESC", "\u001b", "\\u001b"],
  ];

  test.each(HIDDEN)("%s: diagnose shows an escape", async (_name, character, escaped) => {
    const result = await runCommand([
      ...OFFLINE_DIAGNOSE,
      compromisedFile(`ni${character}aj@example.com`),
    ]);

    expect(result.stdout).not.toContain(character);
    expect(result.stdout).toContain(`Account ni${escaped}aj@example.com looks compromised`);
  });

  test("diagnose JSON keeps the character", async () => {
    const account = "ni\u202eaj@example.com";
    const result = await runCommand([...OFFLINE_DIAGNOSE, "-f", "json", compromisedFile(account)]);
    const report = JSON.parse(result.stdout) as { findings: { id: string; title: string }[] };
    const finding = report.findings.find((item) => item.id === "compromised-account");

    expect(finding?.title).toContain(`Account ${account} looks compromised`);
  });
});
