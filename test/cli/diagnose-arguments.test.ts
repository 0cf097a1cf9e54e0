import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const directory = mkdtempSync(join(tmpdir(), "delist-diagnose-arguments-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

function healthyLog(): string {
  return new PostfixLog().submitHourly().text();
}

const LOG = file("mail.log", healthyLog());
const GZIP_LOG = file("mail.log.1.gz", gzipSync(healthyLog()));
const BOUNCE = file(
  "bounce.eml",
  [
    "From: MAILER-DAEMON@mail.example.com",
    "To: alice@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Mon, 04 Mar 2024 12:00:00 +0000",
    "Content-Type: text/plain",
    "",
    "This is the mail system at host mail.example.com.",
    "",
    "<bob@example.net>: host mx.example.net[192.0.2.25] said: 550 5.1.1 <bob@example.net>:",
    "    Recipient address rejected: User unknown (in reply to RCPT TO command)",
    "",
  ].join("\n"),
);
const ZONE = file("example.zone", "$ORIGIN example.com.\n@ 300 IN MX 10 mail.example.com.\n");
const NOT_A_MESSAGE = file("notes.txt", "shopping list\n- bread\n- milk\n");
const EMPTY_FOLDER = join(directory, "empty");
mkdirSync(EMPTY_FOLDER);
const MISSING = join(directory, "missing");

const OFFLINE = ["diagnose", "--offline", "--timezone", "UTC"];
const validate = schemaValidator("diagnose.schema.json");

describe("diagnose with unreadable bounce inputs", () => {
  test("healthy log alone exits 0", async () => {
    const result = await runCommand([...OFFLINE, LOG]);

    expect(result.code).toBe(0);
  });

  test.each([
    ["missing path", MISSING],
    ["empty folder", EMPTY_FOLDER],
    ["file that is no message", NOT_A_MESSAGE],
  ])("%s exits 2 after the report", async (_name, bounces) => {
    const result = await runCommand([...OFFLINE, LOG, "--bounces", bounces]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Verdict: OK");
    expect(result.stderr).toContain(bounces);
  });

  test("JSON notes name the bounce input", async () => {
    const result = await runCommand([...OFFLINE, "-f", "json", LOG, "--bounces", MISSING]);
    const diagnosis = JSON.parse(result.stdout) as { input: { notes: string[] } };

    expect(result.code).toBe(2);
    expect(validate(diagnosis)).toEqual([]);
    expect(diagnosis.input.notes).toContain(
      `1 bounce file could not be read, or only in part ("${MISSING}"), so the failed and delayed recipients in it are missing from the report.`,
    );
  });

  test("readable bounce keeps the status", async () => {
    const result = await runCommand([...OFFLINE, "-f", "json", LOG, "--bounces", BOUNCE]);
    const diagnosis = JSON.parse(result.stdout) as { input: { notes: string[] } };

    expect(result.code).not.toBe(2);
    expect(diagnosis.input.notes.join(" ")).not.toContain("bounce file");
  });
});

describe("diagnose when an option took the log", () => {
  const putLogsFirst =
    "as one of its values: put the logs before options that take several values, or end the option with --";

  test("--bounces taking the log", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE, LOG]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no log given");
    expect(result.stderr).toContain(`--bounces took "${LOG}" ${putLogsFirst}`);
  });

  test("--bounces taking a gzip log", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE, GZIP_LOG]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`--bounces took "${GZIP_LOG}" ${putLogsFirst}`);
  });

  test("--bounces taking the second log", async () => {
    const result = await runCommand([...OFFLINE, LOG, "--bounces", BOUNCE, GZIP_LOG]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toContain("no log given");
    expect(result.stderr).toContain(`--bounces took "${GZIP_LOG}" ${putLogsFirst}`);
  });

  test("--zone taking the log", async () => {
    const result = await runCommand([...OFFLINE, "--zone", ZONE, LOG]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no log given");
    expect(result.stderr).toContain(`--zone took "${LOG}" ${putLogsFirst}`);
  });

  test("--zone with its own file only", async () => {
    const result = await runCommand([...OFFLINE, "--zone", ZONE]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no log given");
    expect(result.stderr).not.toContain("took");
  });

  test("ending --bounces with -- reads the log", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE, "--", LOG]);

    expect(result.code).not.toBe(2);
    expect(result.stdout).toContain("Read 1 bounce message from 1 file");
  });

  test("bounces alone still give a report", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE]);

    expect(result.code).not.toBe(2);
    expect(result.stdout).toContain("Read 1 bounce message from 1 file");
  });
});

describe("check when an option took the domain", () => {
  test("--zone names the domain, not its file", async () => {
    const result = await runCommand(["check", "--zone", ZONE, "example.com"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--zone took "example.com" as one of its values: put the domains before',
    );
  });

  test("--zone with its own file only gets no hint", async () => {
    const result = await runCommand(["check", "--ip", "192.0.2.1", "--zone", ZONE]);

    expect(result.stderr).toContain("missing required argument 'domains'");
    expect(result.stderr).not.toContain("took");
  });
});
