import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { columns } from "../../src/report/wrap.js";
import { runCommand } from "../helpers/cli.js";

// "This mail address does not exist, so the message could not be delivered. Check the
// recipient's address and send it again."
const JAPANESE =
  "このメールアドレスは存在しないため、メッセージを配信できませんでした。宛先のアドレスをご確認のうえ、もう一度送信してください。";

const BOUNCE = [
  "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)",
  "To: sender@example.com",
  "Subject: Undelivered Mail Returned to Sender",
  "Date: Tue, 03 Mar 2026 10:00:00 +0000",
  "MIME-Version: 1.0",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
  "",
  "--B1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "This is the mail system at host mx.example.com.",
  "",
  "--B1",
  "Content-Type: message/global-delivery-status",
  "",
  "Reporting-MTA: dns; mx.example.com",
  "",
  "Final-Recipient: rfc822; user1@example.net",
  "Action: failed",
  "Status: 5.1.1",
  "Remote-MTA: dns; mx.example.net",
  `Diagnostic-Code: smtp; 550 5.1.1 ${JAPANESE}`,
  "",
  "--B1--",
  "",
].join("\r\n");

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "delist-cli-bounces-wide-"));
  writeFileSync(join(dir, "japanese.eml"), BOUNCE);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("delist bounces with Japanese text", () => {
  it("wraps the reply within 80 columns", async () => {
    const result = await runCommand(["bounces", join(dir, "japanese.eml")]);
    const lines = result.stdout.split("\n");
    const first = lines.findIndex((line) => line.includes("550 5.1.1 この"));
    const rule = lines.findIndex((line) => line.startsWith("  category "));
    const reply = lines
      .slice(first, rule)
      .map((line) => line.trim())
      .join("");

    expect(result.code).toBe(1);
    expect(first).toBeGreaterThan(0);
    expect(reply).toBe(`550 5.1.1 ${JAPANESE}`);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(80);
  });
});

describe("delist explain with Japanese text", () => {
  it("wraps the reply text within 80 columns", async () => {
    const result = await runCommand(["explain", `550 5.1.1 ${JAPANESE}`]);
    const lines = result.stdout.split("\n");
    const replyStart = lines.indexOf("Reply text:");
    const reply = lines.slice(replyStart + 1).filter((line) => line !== "");

    expect(result.code).toBe(1);
    expect(reply.length).toBeGreaterThan(1);
    expect(reply.map((line) => line.trim()).join("")).toBe(JAPANESE);
    for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(80);
  });
});
