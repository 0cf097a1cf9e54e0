import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { runCommand } from "../helpers/cli.js";
import { PostfixLog } from "../helpers/postfix-fixture.js";

const root = mkdtempSync(join(tmpdir(), "delist-log-directory-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, content: string | Buffer): string {
  writeFileSync(path, content);
  return path;
}

function folder(name: string): string {
  const path = join(root, name);
  mkdirSync(path);
  return path;
}

function postfixLog(): string {
  return new PostfixLog().submitHourly({ hours: 3 }).text();
}

const MESSAGE = [
  "From: MAILER-DAEMON@mail.example.com",
  "To: alice@example.com",
  "Subject: Undelivered Mail Returned to Sender",
  "Content-Type: text/plain",
  "",
  "<bob@example.net>: host mx.example.net[192.0.2.25] said: 550 5.1.1 User unknown",
  "",
].join("\n");

const BOUNCE = write(join(root, "bounce.eml"), MESSAGE);

const LOG_FOLDER = folder("logs");
write(join(LOG_FOLDER, "mail.log"), postfixLog());
write(join(LOG_FOLDER, "mail.log.1.gz"), gzipSync(postfixLog()));
write(join(LOG_FOLDER, ".hidden"), "not a log\n");

const MAILDIR = folder("maildir");
for (const sub of ["cur", "new", "tmp"]) mkdirSync(join(MAILDIR, sub));
write(join(MAILDIR, "new", "1700000000.1.mail.example.com"), MESSAGE);
write(join(MAILDIR, "cur", "1700000000.2.mail.example.com:2,S"), MESSAGE);
write(join(MAILDIR, "dovecot-uidlist"), "3 V1700000000 N2\n");

const MIXED_FOLDER = folder("mixed");
write(join(MIXED_FOLDER, "a.eml"), MESSAGE);
write(join(MIXED_FOLDER, "b.eml"), MESSAGE);
write(join(MIXED_FOLDER, "c.log"), postfixLog());

const OFFLINE = ["diagnose", "--offline", "--timezone", "UTC"];
const putLogsFirst =
  "as one of its values: put the logs before options that take several values, or end the option with --";

describe("option that took a log directory", () => {
  test("--bounces taking a log directory", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE, LOG_FOLDER]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("no log given");
    expect(result.stderr).toContain(`--bounces took "${LOG_FOLDER}" ${putLogsFirst}`);
    expect(result.stderr).not.toContain("not a mail message");
  });

  test("--zone taking a log directory", async () => {
    const zone = write(join(root, "example.zone"), "$ORIGIN example.com.\n@ 300 IN A 192.0.2.1\n");
    const result = await runCommand([...OFFLINE, "--zone", zone, LOG_FOLDER]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--zone took "${LOG_FOLDER}" ${putLogsFirst}`);
  });

  test("--bounces keeps a maildir", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", BOUNCE, MAILDIR]);

    expect(result.stderr).not.toContain("took");
    expect(result.stdout).toContain("Read 3 bounce messages from 3 files");
  });

  test("--bounces keeps a mostly-message directory", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", MIXED_FOLDER]);

    expect(result.stderr).not.toContain("took");
  });
});
