import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readBounces } from "../../src/bounce/index.js";
import { skippedNotes, type BounceFileSummary } from "../../src/bounce/summary.js";
import * as fixture from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "delist-bounces-skipped-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  mkdirSync(join(dir, name, ".."), { recursive: true });
  writeFileSync(join(dir, name), content);
  return name;
}

const SEPARATOR = "From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n";
const DAMAGED = Buffer.alloc(300, 1);
const TEXT = "shopping list\n- bread\n";

function mbox(...messages: Array<string | Buffer>): Buffer {
  return Buffer.concat(
    messages.map((message) =>
      Buffer.concat([Buffer.from(SEPARATOR), Buffer.from(message), Buffer.from("\n")]),
    ),
  );
}

function summary(file: string, skipped: number, names: string[]): BounceFileSummary {
  return {
    file,
    messages: 0,
    kinds: { dsn: 0, bounce: 0, "auto-reply": 0, feedback: 0, none: 0 },
    recipients: 0,
    errors: [],
    skipped,
    skippedSamples: names.map((name) => ({ name, error: `error of ${name}` })),
    notes: [],
  };
}

describe("readBounces skipped messages", () => {
  it("skips a damaged mbox message", async () => {
    const name = write("one-bad.mbox", mbox(fixture.QMAIL, DAMAGED, fixture.PLAIN_MAIL));
    const run = await readBounces([name], { cwd: dir });
    const file = run.files[0];

    expect(file?.errors).toEqual([]);
    expect(file?.skipped).toBe(1);
    expect(file?.skippedSamples.map((sample) => sample.name)).toEqual(["one-bad.mbox#2"]);
    expect(file?.messages).toBe(2);
    expect(run.results).toHaveLength(2);
    expect(run.notes).toHaveLength(2);
  });

  it("skips unreadable files in a folder", async () => {
    write("mixed/good.eml", fixture.POSTFIX_DSN);
    write("mixed/notes.txt", TEXT);
    const run = await readBounces(["mixed"], { cwd: dir });

    expect(run.files.map((file) => file.skipped)).toEqual([0, 1]);
    expect(run.files.flatMap((file) => file.errors)).toEqual([]);
    expect(run.notes[0]).toContain(`("${join("mixed", "notes.txt")}")`);
    expect(run.notes[1]).toContain("not a mail message");
  });

  it("keeps three samples per file", async () => {
    const name = write("many-bad.mbox", mbox(fixture.QMAIL, ...Array<Buffer>(5).fill(DAMAGED)));
    const run = await readBounces([name], { cwd: dir });

    expect(run.files[0]?.skipped).toBe(5);
    expect(run.files[0]?.skippedSamples).toHaveLength(3);
  });

  it("reports an mbox without a readable message", async () => {
    const name = write("all-bad.mbox", mbox(...Array<Buffer>(5).fill(DAMAGED)));
    const run = await readBounces([name], { cwd: dir });
    const errors = run.files[0]?.errors ?? [];

    expect(run.files[0]?.skipped).toBe(0);
    expect(errors).toHaveLength(4);
    expect(errors[0]).toContain('"all-bad.mbox#1": not a mail message');
    expect(errors[3]).toBe(
      '2 more messages of "all-bad.mbox" could not be read either; check that it is an mbox ' +
        "file or a bounce message",
    );
    expect(run.notes).toEqual([]);
  });

  it("reports damaged gzip of a named mbox", async () => {
    const whole = gzipSync(mbox(fixture.EXIM, fixture.GMAIL_TEXT));
    const name = write("cut.mbox.gz", whole.subarray(0, whole.length - 40));
    const run = await readBounces([name], { cwd: dir });

    expect(run.files[0]?.errors.join(" ")).toContain("gzip data is damaged or cut short");
    expect(run.files[0]?.skipped).toBe(0);
  });

  it("skips damaged gzip inside a folder", async () => {
    const whole = gzipSync(fixture.QMAIL);
    write("zipped/cut.eml.gz", whole.subarray(0, 20));
    write("zipped/good.eml", fixture.QMAIL);
    const run = await readBounces(["zipped"], { cwd: dir });

    expect(run.files.flatMap((file) => file.errors)).toEqual([]);
    expect(run.files[0]?.skipped).toBe(1);
    expect(run.notes[1]).toContain("gzip data is damaged or cut short");
  });

  it("reports an empty named file", async () => {
    const name = write("empty.eml", "");
    const run = await readBounces([name], { cwd: dir });

    expect(run.files[0]?.errors).toEqual([
      'no mail message found in "empty.eml"; give .eml files, mbox files or maildirs',
    ]);
  });

  it("takes an empty maildir as no error", async () => {
    mkdirSync(join(dir, "Empty", "cur"), { recursive: true });
    mkdirSync(join(dir, "Empty", "new"), { recursive: true });
    const run = await readBounces(["Empty"], { cwd: dir });

    expect(run.files).toEqual([]);
    expect(run.notes).toEqual([]);
  });
});

describe("skippedNotes", () => {
  it("says nothing without skipped messages", () => {
    expect(skippedNotes([summary("a.eml", 0, [])])).toEqual([]);
  });

  it("names one skipped message", () => {
    const notes = skippedNotes([summary("box", 1, ["box#4"])]);

    expect(notes).toEqual([
      'Skipped 1 message in bounce folders or mbox files because it could not be read ("box#4"). ' +
        "Any recipients in it are left out, and the exit status does not count it. Fix or " +
        "remove it; its error follows.",
      "error of box#4",
    ]);
  });

  it("names the first three across files", () => {
    const notes = skippedNotes([
      summary("a", 2, ["a#1", "a#2"]),
      summary("b", 0, []),
      summary("c", 1_200, ["c#1", "c#2", "c#3"]),
    ]);

    expect(notes[0]).toContain('("a#1", "a#2", "c#1", 1,199 more)');
    expect(notes[0]).toContain("Skipped 1,202 messages");
    expect(notes[0]).toContain("the errors of the first 3 follow.");
    expect(notes.slice(1)).toEqual(["error of a#1", "error of a#2", "error of c#1"]);
  });
});
