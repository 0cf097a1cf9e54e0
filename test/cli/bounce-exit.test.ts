import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import * as fixture from "../bounce/fixtures.js";
import { runCommand } from "../helpers/cli.js";
import { GMAIL_UNSOLICITED, PostfixLog } from "../helpers/postfix-fixture.js";
import { schemaValidator } from "../helpers/schema.js";

const directory = mkdtempSync(join(tmpdir(), "delist-bounce-exit-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(directory, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  return path;
}

function folder(name: string): string {
  const path = join(directory, name);
  mkdirSync(path, { recursive: true });
  return path;
}

const SEPARATOR = "From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n";

/** Builds an mbox of the messages. A Buffer is written unchanged, such as a damaged message. */
function mbox(...messages: Array<string | Buffer>): Buffer {
  const parts = messages.map((message) =>
    Buffer.concat([Buffer.from(SEPARATOR), Buffer.from(message), Buffer.from("\n")]),
  );
  return Buffer.concat(parts);
}

/** Bytes that are no mail message: control characters, as in a damaged mbox. */
const DAMAGED = Buffer.alloc(300, 1);
const TEXT = "shopping list\n- bread\n- milk\n";
const CUT_BOUNCE = fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("--B1"));

function postfixLog(blocked: boolean): string {
  return new PostfixLog().submitHourly(blocked ? { outcome: GMAIL_UNSOLICITED } : {}).text();
}

const HEALTHY_LOG = file("mail.log", postfixLog(false));
const BLOCKED_LOG = file("blocked.log", postfixLog(true));

const BOUNCE = file("bounce.eml", fixture.POSTFIX_DSN);
const PLAIN = file("plain.eml", fixture.PLAIN_MAIL);
const NOTES = file("notes.txt", TEXT);
const CUT = file("cut.eml", CUT_BOUNCE);
const MISSING = join(directory, "missing.eml");

/** A folder with a bounce whose recipient failed, a text file, a cut bounce and a dead link. */
const FAILED_FOLDER = folder("failed");
file("failed/bounce.eml", fixture.POSTFIX_DSN);
file("failed/notes.txt", TEXT);
file("failed/cut.eml", CUT_BOUNCE);
symlinkSync(join(directory, "nowhere.eml"), join(FAILED_FOLDER, "gone.eml"));

/** A folder with mail that is no bounce and a text file: nothing failed. */
const QUIET_FOLDER = folder("quiet");
file("quiet/plain.eml", fixture.PLAIN_MAIL);
file("quiet/notes.txt", TEXT);

/** A maildir with one bounce and one text file in new/. */
const MAILDIR = folder("Maildir");
folder("Maildir/cur");
file("Maildir/new/1", fixture.QMAIL);
file("Maildir/new/2", TEXT);

/** A folder in which nothing can be read. */
const UNREADABLE_FOLDER = folder("unreadable");
file("unreadable/notes.txt", TEXT);
file("unreadable/cut.eml", CUT_BOUNCE);

const DAMAGED_MBOX = file("damaged.mbox", mbox(fixture.QMAIL, DAMAGED, fixture.PLAIN_MAIL));
const QUIET_MBOX = file("quiet.mbox", mbox(fixture.PLAIN_MAIL, DAMAGED));
const BROKEN_MBOX = file("broken.mbox", mbox(DAMAGED, DAMAGED));

/** Five text files next to one bounce: more skipped files than the note names. */
const CROWDED_FOLDER = folder("crowded");
file("crowded/a.eml", fixture.QMAIL);
for (const name of ["b", "c", "d", "e", "f"]) file(`crowded/${name}.txt`, TEXT);

const OFFLINE = ["diagnose", "--offline", "--timezone", "UTC"];
const validate = schemaValidator("diagnose.schema.json");

describe("bounces exit status with skipped messages", () => {
  test.each([
    { name: "folder with a failed recipient", input: FAILED_FOLDER, expected: 1 },
    { name: "folder without a failure", input: QUIET_FOLDER, expected: 0 },
    { name: "maildir with a text file", input: MAILDIR, expected: 1 },
    { name: "mbox with one damaged message", input: DAMAGED_MBOX, expected: 1 },
    { name: "mbox of mail without a failure", input: QUIET_MBOX, expected: 0 },
  ])("$name exits $expected", async ({ input, expected }) => {
    const result = await runCommand(["bounces", input]);

    expect(result.code).toBe(expected);
    expect(result.stderr).toMatch(/^delist: note: Skipped \d+ messages? /);
  });

  test("folder note names each skipped file", async () => {
    const result = await runCommand(["bounces", FAILED_FOLDER]);
    const lines = result.stderr.trimEnd().split("\n");

    expect(lines[0]).toBe(
      "delist: note: Skipped 3 messages in bounce folders or mbox files because they could not " +
        `be read ("${join(FAILED_FOLDER, "cut.eml")}", "${join(FAILED_FOLDER, "gone.eml")}", ` +
        `"${join(FAILED_FOLDER, "notes.txt")}"). Any recipients in them are left out, and the ` +
        "exit status does not count them. Fix or remove them; their errors follow.",
    );
    expect(lines[1]).toContain("has no delivery report: cut short?");
    expect(lines[2]).toContain("file not found");
    expect(lines[3]).toContain("not a mail message");
    expect(lines).toHaveLength(4);
  });

  test("headline counts skipped messages", async () => {
    const result = await runCommand(["bounces", FAILED_FOLDER]);

    expect(result.stdout).toContain("1 recipient in 1 message from 4 inputs (3 skipped)");
    expect(result.stdout).toContain("user1@example.net  userunknown");
  });

  test("mbox note names the message number", async () => {
    const result = await runCommand(["bounces", DAMAGED_MBOX]);

    expect(result.stderr).toContain(`("${DAMAGED_MBOX}#2"). Any recipients in it are left out`);
    expect(result.stderr).toContain("its error follows.");
    expect(result.stderr).toContain(
      `delist: note: skipped "${DAMAGED_MBOX}#2": not a mail message`,
    );
    expect(result.stdout).toContain("full@example.org");
  });

  test("note names three and counts the rest", async () => {
    const result = await runCommand(["bounces", CROWDED_FOLDER]);
    const lines = result.stderr.trimEnd().split("\n");

    expect(result.code).toBe(1);
    expect(lines[0]).toContain(`"${join(CROWDED_FOLDER, "d.txt")}", 2 more)`);
    expect(lines[0]).toContain("the errors of the first 3 follow.");
    expect(lines).toHaveLength(4);
  });

  test("JSON output keeps the results", async () => {
    const result = await runCommand(["bounces", "--format", "json", FAILED_FOLDER]);
    const output = JSON.parse(result.stdout) as Array<{ recipient: string }>;

    expect(result.code).toBe(1);
    expect(output.map((item) => item.recipient)).toEqual(["user1@example.net"]);
    expect(result.stderr).toContain("delist: note: Skipped 3 messages");
  });

  test("clean inputs print no note", async () => {
    const result = await runCommand(["bounces", BOUNCE, PLAIN]);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });
});

describe("bounces exit status for unusable inputs", () => {
  test.each([
    ["missing path", MISSING, "file not found"],
    ["named text file", NOTES, "not a mail message"],
    ["named cut bounce", CUT, "cut short?"],
    ["folder of unreadable files", UNREADABLE_FOLDER, "not a mail message"],
    ["mbox of damaged messages", BROKEN_MBOX, "#2"],
  ])("%s exits 2", async (_name, input, error) => {
    const result = await runCommand(["bounces", input]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(error);
    expect(result.stderr).not.toContain("note: Skipped");
  });

  test("unusable input exits 2 beside a good one", async () => {
    const result = await runCommand(["bounces", NOTES, DAMAGED_MBOX]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("full@example.org");
    expect(result.stderr).toContain(`delist: skipped "${NOTES}": not a mail message`);
    expect(result.stderr).toContain("delist: note: Skipped 1 message");
  });

  test("empty named file exits 2", async () => {
    const empty = file("empty.eml", "");
    const result = await runCommand(["bounces", empty, BOUNCE]);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `delist: no mail message found in "${empty}"; give .eml files, mbox files or maildirs\n`,
    );
  });

  test("empty file in a folder is skipped", async () => {
    const withEmpty = folder("with-empty");
    file("with-empty/bounce.eml", fixture.POSTFIX_DSN);
    file("with-empty/empty.eml", "");
    const result = await runCommand(["bounces", withEmpty]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `delist: note: no mail message found in "${join(withEmpty, "empty.eml")}"`,
    );
  });
});

describe("diagnose exit status with skipped bounces", () => {
  test("healthy log and skipped files exit 0", async () => {
    const result = await runCommand([...OFFLINE, HEALTHY_LOG, "--bounces", QUIET_FOLDER]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Note: Skipped 1 message in bounce folders or mbox files");
    expect(result.stderr).toContain("delist: note: Skipped 1 message");
  });

  test("blocked log and skipped files exit 1", async () => {
    const result = await runCommand([...OFFLINE, BLOCKED_LOG, "--bounces", DAMAGED_MBOX]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`("${DAMAGED_MBOX}#2")`);
  });

  test("JSON counts skipped files and notes them", async () => {
    const result = await runCommand([
      ...OFFLINE,
      "-f",
      "json",
      HEALTHY_LOG,
      "--bounces",
      FAILED_FOLDER,
    ]);
    const diagnosis = JSON.parse(result.stdout) as {
      input: {
        notes: string[];
        bounces: { files: Array<{ name: string; errors: string[]; skipped: number }> };
      };
    };
    const files = diagnosis.input.bounces.files;

    expect(result.code).not.toBe(2);
    expect(validate(diagnosis)).toEqual([]);
    expect(files.map((entry) => entry.skipped)).toEqual([0, 1, 1, 1]);
    expect(files.flatMap((entry) => entry.errors)).toEqual([]);
    expect(diagnosis.input.notes[0]).toMatch(/^Skipped 3 messages in bounce folders/);
    expect(diagnosis.input.notes.join(" ")).not.toContain("could not be read, or only in part");
  });

  test.each([
    ["named text file", NOTES],
    ["folder of unreadable files", UNREADABLE_FOLDER],
    ["mbox of damaged messages", BROKEN_MBOX],
    ["missing path", MISSING],
  ])("%s exits 2", async (_name, input) => {
    const result = await runCommand([...OFFLINE, HEALTHY_LOG, "--bounces", input]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain("Verdict: OK");
    expect(result.stderr).not.toContain("note: Skipped");
  });

  test("bounces alone with a skipped file", async () => {
    const result = await runCommand([...OFFLINE, "--bounces", FAILED_FOLDER]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Read 1 bounce message from 4 files");
  });
});
