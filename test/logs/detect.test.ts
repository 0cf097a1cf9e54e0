import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { looksLikeLogFile } from "../../src/logs/detect.js";

const directory = mkdtempSync(join(tmpdir(), "delist-detect-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

const CLASSIC = [
  "Mar  4 09:15:02 mail postfix/smtpd[100]: connect from unknown[192.0.2.5]",
  "Mar  4 09:15:03 mail postfix/qmgr[102]: 4A1B2C3D4E: removed",
].join("\n");

const RFC3339 = [
  "2024-03-04T09:15:02.123456+00:00 mail postfix/smtp[101]: 4A1B2C3D4E: to=<bob@example.net>, status=sent (250 OK)",
  "2024-03-04T09:15:03.000000+00:00 mail postfix/qmgr[102]: 4A1B2C3D4E: removed",
].join("\n");

const EXIM = [
  "2024-03-04 09:15:02 1rhABC-000123-AB <= alice@example.com H=(mail) [192.0.2.5] P=esmtpa S=1234",
  "2024-03-04 09:15:03 1rhABC-000123-AB => bob@example.net R=dnslookup T=remote_smtp",
  "2024-03-04 09:15:03 1rhABC-000123-AB Completed",
].join("\n");

const MESSAGE = [
  "Return-Path: <>",
  "Received: from mx.example.net (mx.example.net [192.0.2.25])",
  "\tby mail.example.com with ESMTP; Mon, 4 Mar 2024 09:15:02 +0000",
  "From: MAILER-DAEMON@example.net",
  "Subject: Undelivered Mail Returned to Sender",
  "",
  "This is the mail system at host mx.example.net.",
].join("\n");

const ZONE = [
  "$ORIGIN example.com.",
  "$TTL 300",
  "@ IN MX 10 mail.example.com.",
  '@ IN TXT "v=spf1 ip4:192.0.2.5 -all"',
].join("\n");

describe("looksLikeLogFile", () => {
  test.each([
    ["classic syslog", CLASSIC],
    ["RFC 3339 syslog", RFC3339],
    ["Exim main log", EXIM],
    ["log with a cut first line", `ostfix/qmgr[102]: 4A1B2C3D4E: removed\n${EXIM}\n`],
  ])("%s is a log", (_name, text) => {
    expect(looksLikeLogFile(file("log.txt", `${text}\n`))).toBe(true);
  });

  test("gzip log is a log", () => {
    const path = file("mail.log.1.gz", gzipSync(`${CLASSIC}\n`.repeat(500)));

    expect(looksLikeLogFile(path)).toBe(true);
  });

  test.each([
    ["mail message", MESSAGE],
    ["zone file", ZONE],
    ["empty file", ""],
    ["blank lines", "\n\n  \n"],
    ["message that quotes a log line", `${MESSAGE}\n${CLASSIC}\n`],
  ])("%s is not a log", (_name, text) => {
    expect(looksLikeLogFile(file("other.txt", text))).toBe(false);
  });

  test("gzip of a message is not a log", () => {
    expect(looksLikeLogFile(file("message.eml.gz", gzipSync(MESSAGE)))).toBe(false);
  });

  test("directory is not a log", () => {
    const path = join(directory, "maildir");
    mkdirSync(path, { recursive: true });

    expect(looksLikeLogFile(path)).toBe(false);
  });

  test("missing file is not a log", () => {
    expect(looksLikeLogFile(join(directory, "missing.log"))).toBe(false);
  });
});
