import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";

const directory = mkdtempSync(join(tmpdir(), "delist-format-option-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const db = join(directory, "history.sqlite");
const bounce = join(directory, "bounce.eml");
writeFileSync(
  bounce,
  [
    "From: MAILER-DAEMON@mail.example.com",
    "To: alice@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Content-Type: text/plain",
    "",
    "This is the mail system at host mail.example.com.",
    "",
    "<bob@example.net>: host mx.example.net[192.0.2.25] said: 550 5.1.1 <bob@example.net>:",
    "    Recipient address rejected: User unknown (in reply to RCPT TO command)",
    "",
  ].join("\n"),
);

// Each command with the arguments it needs to reach its --format check, and no network.
const COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["diagnose", ["diagnose", "--offline", bounce]],
  ["logs", ["logs", bounce]],
  ["explain", ["explain", "550 5.1.1 unknown user"]],
  ["check", ["check", "--offline", "example.com"]],
  ["bounces", ["bounces", bounce]],
  ["blocklists", ["blocklists", "--offline", "192.0.2.1"]],
  ["probe", ["probe", "--offline", "--to", "bob@example.net", "--db", db]],
  ["history", ["history", "--db", db]],
  ["removal request", ["removal", "request", "--provider", "gmail", "--ip", "192.0.2.1"]],
  ["removal status", ["removal", "status", "--db", db]],
];

describe("-f as --format", () => {
  test.each(COMMANDS)("%s lists -f in its help", async (name) => {
    const result = await runCommand([...name.split(" "), "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("-f, --format <format>");
  });

  test.each(COMMANDS)("%s reads the format after -f", async (_name, argv) => {
    const result = await runCommand([...argv, "-f", "yaml"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --format "yaml"');
    expect(result.stderr).not.toContain("unknown option");
  });

  test("bounces -f json prints JSON", async () => {
    const result = await runCommand(["bounces", "-f", "json", bounce]);
    const results = JSON.parse(result.stdout) as Array<{ recipient: string }>;

    expect(results.map((entry) => entry.recipient)).toEqual(["bob@example.net"]);
  });

  test("explain -f json prints JSON", async () => {
    const result = await runCommand(["explain", "-f", "json", "550 5.1.1 unknown user"]);
    const explained = JSON.parse(result.stdout) as { replyCode: number };

    expect(explained.replyCode).toBe(550);
  });
});

describe("delist logs --offline", () => {
  test("is unknown, with the reason", async () => {
    const result = await runCommand(["logs", "--offline", bounce]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "error: unknown option '--offline': delist logs reads files only and sends no queries",
    );
    expect(result.stdout).toBe("");
  });

  test("stays out of the help", async () => {
    const result = await runCommand(["logs", "--help"]);

    expect(result.stdout).not.toContain("--offline");
  });
});
