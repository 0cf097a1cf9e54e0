import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { schemaValidator } from "../helpers/schema.js";
import * as fixture from "../bounce/fixtures.js";

/** A DSN for two blocked recipients whose replies end with the token that decides the fix. */
const BLOCKED_DSN = [
  "From: MAILER-DAEMON@mx.example.com",
  "To: sender@example.com",
  "Subject: Undelivered Mail Returned to Sender",
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B2"',
  "",
  "--B2",
  "Content-Type: message/delivery-status",
  "",
  "Reporting-MTA: dns; mx.example.com",
  "",
  "Final-Recipient: rfc822; fred@yahoo.com",
  "Action: failed",
  "Status: 5.7.1",
  "Remote-MTA: dns; mta5.am0.yahoodns.net",
  "Diagnostic-Code: smtp; 553 5.7.1 [BL21] Mail from 192.0.2.20 is not accepted here at",
  "    present, because that address appears on a list kept by Spamhaus",
  "",
  "Final-Recipient: rfc822; bob@outlook.com",
  "Action: failed",
  "Status: 5.7.1",
  "Remote-MTA: dns; outlook-com.olc.protection.outlook.com",
  "Diagnostic-Code: smtp; 550 5.7.1 Mail from [192.0.2.20] was not delivered. Part of",
  "    the network of this address is on our block list (S3150)",
  "",
  "--B2--",
  "",
].join("\n");

let dir: string;
let rel: (name: string) => string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "delist-cli-bounces-"));
  rel = (name) => relative(process.cwd(), join(dir, name));
  writeFileSync(join(dir, "dsn.eml"), fixture.POSTFIX_DSN);
  writeFileSync(join(dir, "qmail.eml"), fixture.QMAIL);
  writeFileSync(join(dir, "plain.eml"), fixture.PLAIN_MAIL);
  writeFileSync(join(dir, "arf.eml"), fixture.ARF);
  writeFileSync(join(dir, "junk.bin"), Buffer.alloc(2048, 1));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("delist bounces", () => {
  it("prints a table and one entry per recipient within 80 columns", async () => {
    const result = await runCommand(["bounces", rel("dsn.eml"), rel("qmail.eml")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("3 recipients in 2 messages from 2 inputs");
    expect(result.stdout).toMatch(/^userunknown\s+unknown\s+2\s+2\s+0$/m);
    expect(result.stdout).toMatch(/^mailboxfull\s+unknown\s+1\s+0\s+0$/m);
    expect(result.stdout).toContain("user1@example.net  userunknown  550 5.1.1  hard");
    for (const line of result.stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stderr).toBe("");
  });

  it("prints each reply whole with its token", async () => {
    writeFileSync(join(dir, "blocked.eml"), BLOCKED_DSN);
    const result = await runCommand(["bounces", rel("blocked.eml")]);
    const lines = result.stdout.split("\n");

    expect(result.code).toBe(1);
    expect(result.stdout).toContain("kept by Spamhaus\n");
    expect(result.stdout).toContain("block list (S3150)\n");
    expect(lines).toContain("  category blocklist (rule yahoo.spamhaus), token BL21");
    expect(lines).toContain("  category reputation (rule outlook.range-blocklist), token S3150");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("cuts a long reply at six lines", async () => {
    const words = Array.from({ length: 120 }, (_, index) => `word${index}`).join(" ");
    const long = fixture.POSTFIX_DSN.replace("User unknown\n", `User unknown ${words}\n`);
    writeFileSync(join(dir, "long.eml"), long);
    const result = await runCommand(["bounces", rel("long.eml")]);
    const lines = result.stdout.split("\n");
    const first = lines.findIndex((line) => line.startsWith("  550 5.1.1"));
    const rule = lines.findIndex((line) => line.startsWith("  category recipient"));

    expect(first).toBeGreaterThan(0);
    expect(rule - first).toBe(6);
    expect(lines[rule - 1]).toMatch(/…$/);
    expect(lines[rule - 1]?.length).toBe(80);
  });

  it("puts the token in the JSON", async () => {
    writeFileSync(join(dir, "blocked.eml"), BLOCKED_DSN);
    const result = await runCommand(["bounces", "--format", "json", rel("blocked.eml")]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>[];

    expect(schemaValidator("bounces.schema.json")(output)).toEqual([]);
    expect(output.map((item) => item["providerToken"])).toEqual(["BL21", "S3150"]);
    expect(output.map((item) => item["ruleId"])).toEqual([
      "yahoo.spamhaus",
      "outlook.range-blocklist",
    ]);
  });

  it("prints JSON that matches the schema", async () => {
    const result = await runCommand([
      "bounces",
      "--format",
      "json",
      rel("dsn.eml"),
      rel("arf.eml"),
    ]);
    const output = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(schemaValidator("bounces.schema.json")(output)).toEqual([]);
    expect(output).toHaveLength(3);
    expect(output[0]?.["schemaVersion"]).toBe(1);
    expect(output[0]?.["reason"]).toBe("userunknown");
    expect(output[1]?.["reason"]).toBe("feedback");
  });

  it("exits 0 when nothing failed", async () => {
    const result = await runCommand(["bounces", rel("plain.eml")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("0 recipients in 1 message from 1 input (1 not a bounce)");
  });

  it("reads standard input", async () => {
    const result = await runCommand(["bounces", "--format", "json", "-"], fixture.QMAIL);
    const output = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(output.map((item) => item["file"])).toEqual(["-", "-"]);
    expect(result.code).toBe(1);
  });

  it("reports unreadable inputs, goes on, exits 2", async () => {
    const result = await runCommand([
      "bounces",
      rel("junk.bin"),
      rel("missing.eml"),
      rel("qmail.eml"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("not a mail message");
    expect(result.stderr).toContain("file not found");
    expect(result.stdout).toContain("2 recipients");
  });

  it("exits 2 when nothing could be read", async () => {
    expect((await runCommand(["bounces", rel("missing.eml")])).code).toBe(2);
    expect((await runCommand(["bounces", rel("junk.bin")])).code).toBe(2);
  });

  it("counts a binary file as no message", async () => {
    const result = await runCommand(["bounces", rel("junk.bin")]);
    expect(result.stdout).toContain("0 recipients in 0 messages from 1 input (1 unreadable)");
  });

  it("reports a bounce cut before its report", async () => {
    const cut = fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("--B1"));
    writeFileSync(join(dir, "cut.eml"), cut);
    const result = await runCommand(["bounces", rel("cut.eml"), rel("qmail.eml")]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("2 recipients in 1 message from 2 inputs (1 unreadable)");
    expect(result.stderr).toContain("looks like a bounce");
    expect(result.stderr).toContain("has no delivery report: cut short?");
  });

  it("empty stdin says no message was found", async () => {
    for (const format of ["text", "json"]) {
      const result = await runCommand(["bounces", "--format", format, "-"], "");
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'delist: no mail message found in "-"; give .eml files, mbox files or maildirs\n',
      );
    }
    const json = await runCommand(["bounces", "--format", "json", "-"], "");
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it("a message without bounces exits 0 quietly", async () => {
    const result = await runCommand(["bounces", "--format", "json", rel("plain.eml")]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(result.stderr).toBe("");
  });

  it("exits 2 for usage errors", async () => {
    expect((await runCommand(["bounces"])).code).toBe(2);
    const bad = await runCommand(["bounces", "--format", "xml", rel("dsn.eml")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid --format "xml"');
  });
});

describe("delist explain with a pasted bounce", () => {
  it("explains the reply inside a whole message", async () => {
    const result = await runCommand(["explain", "--format", "json", "-"], fixture.GMAIL_TEXT);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["replyCode"]).toBe(550);
    expect(output["enhancedStatus"]).toBe("5.7.26");
    expect(output["category"]).toBe("authentication");
  });

  it("explains the reply inside a body without headers", async () => {
    const body = fixture.QMAIL.slice(fixture.QMAIL.indexOf("Hi. This is"));
    const result = await runCommand(["explain", "--format", "json", "-"], body);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output["replyCode"]).toBe(552);
    expect(output["enhancedStatus"]).toBe("5.2.2");
    expect(output["category"]).toBe("recipient");
  });
});
