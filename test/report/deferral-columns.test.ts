import { describe, expect, test } from "vitest";
import { OFFLINE_DIAGNOSE, runCommand } from "../helpers/cli.js";
import { temporaryFiles } from "../helpers/temporary-files.js";

const temporary = temporaryFiles();

const RATE_LIMIT =
  "relay=gmail-smtp-in.l.google.com[192.0.2.27]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.28, " +
  "status=deferred (host gmail-smtp-in.l.google.com[192.0.2.27] said: 421-4.7.28 Gmail has " +
  "detected an unusual rate of unsolicited mail. 421 4.7.28 To protect our users, mail has " +
  "been temporarily rate limited. - gsmtp (in reply to end of DATA command))";

/**
 * Builds a Postfix log of one message to 2 Gmail recipients, each deferred 3 times, so Gmail has
 * 6 deferrals to 2 recipients. A second message to example.net expires in the queue.
 */
function postfixLog(): string {
  const lines: string[] = [];
  const stamp = (minute: number): string =>
    `2026-03-07T10:${String(minute).padStart(2, "0")}:00+00:00 mail`;
  lines.push(
    `${stamp(0)} postfix/pickup[100]: 1A2B3C4D5E: uid=1000 from=<news>`,
    `${stamp(0)} postfix/cleanup[101]: 1A2B3C4D5E: message-id=<m1@example.com>`,
    `${stamp(0)} postfix/qmgr[102]: 1A2B3C4D5E: from=<news@example.com>, size=1000, nrcpt=2 (queue active)`,
    `${stamp(0)} postfix/pickup[100]: 2B3C4D5E6F: uid=1000 from=<news>`,
    `${stamp(0)} postfix/cleanup[101]: 2B3C4D5E6F: message-id=<m2@example.com>`,
    `${stamp(0)} postfix/qmgr[102]: 2B3C4D5E6F: from=<news@example.com>, size=1000, nrcpt=1 (queue active)`,
  );
  for (const minute of [1, 11, 21]) {
    for (const recipient of ["a1@gmail.com", "a2@gmail.com"]) {
      lines.push(
        `${stamp(minute)} postfix/smtp[103]: 1A2B3C4D5E: to=<${recipient}>, ${RATE_LIMIT}`,
      );
    }
  }
  lines.push(
    `${stamp(30)} postfix/smtp[104]: 2B3C4D5E6F: to=<b1@example.net>, relay=mx.example.net[198.51.100.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.4.1, status=deferred (host mx.example.net[198.51.100.25] said: 450 4.4.1 Try later (in reply to RCPT TO command))`,
    `${stamp(40)} postfix/qmgr[102]: 2B3C4D5E6F: from=<news@example.com>, status=expired, returned to sender`,
  );
  return `${lines.join("\n")}\n`;
}

/** Returns the lines from the line that starts with `title` to the next blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith(title));
  const end = lines.indexOf("", start);
  return lines.slice(start, end);
}

describe("deferral columns", () => {
  test("logs table labels attempts", async () => {
    const path = temporary.file(postfixLog());
    const result = await runCommand(["logs", "--timezone", "UTC", path]);
    const table = section(result.stdout, "Outbound by provider");
    const text = table.join(" ").replace(/\s+/g, " ");

    expect(table[1]).toMatch(/ sent +deferrals +to rcpts +bounced +top codes$/);
    expect(table.find((line) => line.startsWith("  Gmail "))).toMatch(
      /^ {2}Gmail +0 +6 +2 +0 {2}421 4\.7\.28 ×6$/,
    );
    expect(text).toContain("1 recipient expired in the queue after its retries ran out.");
    expect(text).toContain("deferrals: deferral attempts, every retry counted.");
    expect(text).toContain("to rcpts: the recipients deferred at least once");
    expect(table.every((line) => line.length <= 80)).toBe(true);
  });

  test("diagnose table labels attempts", async () => {
    const path = temporary.file(postfixLog());
    const result = await runCommand([...OFFLINE_DIAGNOSE, path]);
    const table = section(result.stdout, "Providers");
    const text = table.join(" ").replace(/\s+/g, " ");

    expect(table[1]).toMatch(/ sent +deferrals +to rcpts +bounced$/);
    expect(table.find((line) => line.startsWith("  Gmail "))).toMatch(/ 0 +6 +2 +0$/);
    expect(text).toContain("deferrals: deferral attempts, every retry counted.");
    expect(table.every((line) => line.length <= 80)).toBe(true);
  });

  test("markdown table has deferred recipients", async () => {
    const path = temporary.file(postfixLog());
    const result = await runCommand([...OFFLINE_DIAGNOSE, "--format", "markdown", path]);
    const lines = result.stdout.split("\n");
    const header = lines.find((line) => line.startsWith("| provider |"));

    expect(header).toBe(
      "| provider | status | sent | deferrals | deferred recipients | bounced | first defer or rejection |",
    );
    expect(lines.find((line) => line.startsWith("| Gmail |"))).toMatch(
      /^\| Gmail \| [^|]+ \| 0 \| 6 \| 2 \| 0 \|/,
    );
  });
});
