import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { useTempDirs } from "../store/helpers.js";

const tempDir = useTempDirs();

/** Accounts past which delist drops the half with the fewest messages. */
const CAP = 50_000;

/** Returns the Postfix lines of one message that `account` submitted and Gmail accepted. */
function messageLines(index: number, account: string): string {
  const seconds = Math.floor(index / 4);
  const time = `Mar  1 ${String(Math.floor(seconds / 3600)).padStart(2, "0")}:${String(
    Math.floor(seconds / 60) % 60,
  ).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
  const id = (0x30000000000 + index).toString(16).toUpperCase();
  return (
    `${time} mx postfix/submission/smtpd[1000]: ${id}: client=unknown[192.0.2.10], ` +
    `sasl_method=PLAIN, sasl_username=${account}\n` +
    `${time} mx postfix/qmgr[900]: ${id}: from=<${account}>, size=1000, nrcpt=1 (queue active)\n` +
    `${time} mx postfix/smtp[2000]: ${id}: to=<r${index}@gmail.com>, ` +
    "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5, " +
    "dsn=2.0.0, status=sent (250 2.0.0 OK - gsmtp)\n" +
    `${time} mx postfix/qmgr[900]: ${id}: removed\n`
  );
}

/**
 * Writes a log in which early@example.com sends one message, 50,000 other accounts send one
 * each, which drops early@example.com and the quieter half of the others, and then
 * early@example.com sends two more.
 */
function writeDropLog(): string {
  const parts = [messageLines(0, "early@example.com")];
  for (let i = 1; i <= CAP; i++) parts.push(messageLines(i, `u${i}@example.com`));
  parts.push(messageLines(CAP + 1, "early@example.com"));
  parts.push(messageLines(CAP + 2, "early@example.com"));
  const log = join(tempDir(), "mail.log");
  writeFileSync(log, parts.join(""));
  return log;
}

interface OriginRow {
  readonly key: string;
  readonly messages: number;
  readonly earlierMessagesDropped: boolean;
}

describe("logs after accounts were dropped", () => {
  it("marks the returning account", async () => {
    const log = writeDropLog();
    const json = await runCommand(["logs", "--format", "json", "--timezone", "UTC", log]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      accounts: OriginRow[];
      input: { notes: string[] };
    };
    const early = report.accounts.find((row) => row.key === "early@example.com");
    const other = report.accounts.find((row) => row.key !== "early@example.com");
    expect(early?.messages).toBe(2);
    expect(early?.earlierMessagesDropped).toBe(true);
    expect(other?.earlierMessagesDropped).toBe(false);

    // 25,000 distinct accounts were dropped once: early@example.com and u1 to u24999.
    const note = report.input.notes.find((text) => text.includes("to bound memory"));
    const counted = /^about ([\d,]+) accounts or local programs/.exec(note ?? "");
    const estimate = Number(counted?.[1]?.replaceAll(",", ""));
    expect(Math.abs(estimate - 25_000)).toBeLessThan(1_250);

    const text = await runCommand(["logs", "--timezone", "UTC", log]);
    expect(text.code).toBe(0);
    const lines = text.stdout.split("\n");
    const row = lines.find((line) => line.includes("early@example.com"));
    expect(row).toMatch(/^ +2 +2 +1 +0 {2}early@example\.com \*$/);
    expect(lines.filter((line) => line.endsWith(" *"))).toHaveLength(1);
    expect(text.stdout).toContain("* This row was dropped earlier to bound memory");
  }, 120_000);
});
