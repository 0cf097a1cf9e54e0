import { describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { compromisedLog } from "../helpers/compromised-log.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const files = temporaryFiles();

/** Writes, as UTF-8, a log in which `account` sends a burst from new client addresses. */
function compromisedFile(account: string): string {
  return files.file(Buffer.from(compromisedLog(account), "utf8"));
}

describe("logs with hidden characters in an account", () => {
  const HIDDEN: ReadonlyArray<[string, string, string]> = [
    ["right-to-left override", "\u202e", "\\u202e"],
    ["zero width space", "\u200b", "\\u200b"],
    ["ESC", "\u001b", "\\u001b"],
  ];

  test.each(HIDDEN)("%s: logs shows an escape", async (_name, character, escaped) => {
    const result = await runCommand(["logs", compromisedFile(`ni${character}aj@example.com`)]);
    const rows = result.stdout.split("\n").filter((line) => line.includes("aj@example.com"));

    expect(result.stdout).not.toContain(character);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/ {2}480 {2}/);
    expect(rows[0]?.endsWith(` ni${escaped}aj@example.com`)).toBe(true);
  });

  test("logs JSON keeps the character", async () => {
    const account = "ni\u202eaj@example.com";
    const result = await runCommand(["logs", "-f", "json", compromisedFile(account)]);
    const report = JSON.parse(result.stdout) as { accounts: { key: string }[] };

    expect(report.accounts.map((item) => item.key)).toContain(account);
  });
});

describe("logs notes with hidden characters in a file name", () => {
  test("the note shows an escape", async () => {
    const folder = files.folder({
      "mail.log": compromisedLog("nina@example.com"),
      "mail\u202egol.txt": "This folder holds the mail logs of the office.\n",
    });
    const result = await runCommand(["logs", "--timezone", "UTC", folder]);

    expect(result.stdout).toContain("Note:");
    expect(result.stdout).toContain("mail\\u202egol.txt");
    expect(result.stdout).not.toContain("\u202e");
  });
});
