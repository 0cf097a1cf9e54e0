import {
  mkdtempSync,
  mkdirSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBounces } from "../../src/bounce/index.js";
import { splitMbox } from "../../src/bounce/mbox.js";
import * as fixture from "./fixtures.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "delist-bounces-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function mbox(...messages: string[]): string {
  return messages
    .map(
      (text) =>
        `From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n${text.replace(/^From /gm, ">From ")}`,
    )
    .join("\n");
}

async function collect(chunks: string[], maxBytes = 1024 * 1024): Promise<string[]> {
  const names: string[] = [];
  for await (const message of splitMbox(
    Readable.from(chunks.map((chunk) => Buffer.from(chunk))),
    "box",
    maxBytes,
  )) {
    names.push("raw" in message ? Buffer.from(message.raw).toString() : `error: ${message.error}`);
  }
  return names;
}

describe("splitMbox", () => {
  it("splits on From lines, also across chunks", async () => {
    const text = mbox("Subject: one\n\nbody one\n", "Subject: two\n\nbody two\n");
    const whole = await collect([text]);
    expect(whole).toHaveLength(2);
    expect(whole[0]).toContain("Subject: one");
    expect(whole[1]).toContain("Subject: two");
    for (let cut = 1; cut < text.length; cut += 7) {
      expect(await collect([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
  });

  it("keeps a body line that starts with From", async () => {
    const text = mbox("Subject: one\n\nbody\nFrom the desk of a friend\n");
    const messages = await collect([text]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("From the desk of a friend");
  });

  it("reads a stream without From lines as one message", async () => {
    expect(await collect(["Subject: x\n\nFrom here on\n"])).toHaveLength(1);
  });

  it("keeps the head of an oversized message", async () => {
    const big = `Subject: big\n\n${"x".repeat(5000)}\n`;
    const messages = await collect([mbox(big, "Subject: small\n\nok\n")], 1000);
    expect(messages[0]).toMatch(/^Subject: big\n\nx+$/);
    // 1,000 bytes were kept, less the mbox "From " line.
    expect(messages[0]?.length).toBeGreaterThan(900);
    expect(messages[0]?.length).toBeLessThan(1000);
    expect(messages[1]).toContain("Subject: small");
  });
});

describe("readBounces inputs", () => {
  it("reads files, mbox files, maildirs and stdin", async () => {
    write("one.eml", fixture.QMAIL);
    write("box.mbox", mbox(fixture.EXIM, fixture.GMAIL_TEXT));
    mkdirSync(join(dir, "Maildir", "cur"), { recursive: true });
    mkdirSync(join(dir, "Maildir", "new"), { recursive: true });
    mkdirSync(join(dir, "Maildir", "tmp"), { recursive: true });
    write(join("Maildir", "cur", "1:2,S"), fixture.POSTFIX_DSN);
    write(join("Maildir", "new", "2"), fixture.ARF);
    write(join("Maildir", "tmp", "3"), fixture.DRAGONFLY);

    const run = await readBounces(["one.eml", "box.mbox", "Maildir", "-"], {
      cwd: dir,
      stdin: Readable.from([Buffer.from(fixture.AUTO_REPLY)]),
    });
    expect(run.files.map((file) => file.file)).toEqual([
      "one.eml",
      "box.mbox",
      join("Maildir", "cur", "1:2,S"),
      join("Maildir", "new", "2"),
      "-",
    ]);
    expect(run.files[1]?.messages).toBe(2);
    expect(run.results.map((result) => result.file)).toContain("box.mbox#2");
    expect(run.results.map((result) => result.reason)).toEqual([
      "mailboxfull",
      "userunknown",
      "requireptr",
      "authfailure",
      "userunknown",
      "feedback",
      "feedback",
      "vacation",
    ]);
    expect(run.files.every((file) => file.errors.length === 0)).toBe(true);
  });

  it("reads a folder once when a link leads back to it", async () => {
    mkdirSync(join(dir, "looped", "inner"), { recursive: true });
    write(join("looped", "inner", "bounce.eml"), fixture.QMAIL);
    symlinkSync(join(dir, "looped"), join(dir, "looped", "inner", "back"));
    const run = await readBounces(["looped"], { cwd: dir });
    expect(run.files.map((file) => file.file)).toEqual([join("looped", "inner", "bounce.eml")]);
    expect(run.results).toHaveLength(2);
  });

  it("takes an empty cur/ or subfolder as no error", async () => {
    mkdirSync(join(dir, "Fresh", "cur"), { recursive: true });
    mkdirSync(join(dir, "Fresh", "new"), { recursive: true });
    write(join("Fresh", "new", "1"), fixture.QMAIL);
    mkdirSync(join(dir, "archive", "2024"), { recursive: true });
    mkdirSync(join(dir, "archive", "2025"), { recursive: true });
    write(join("archive", "2025", "one.eml"), fixture.QMAIL);

    const run = await readBounces(["Fresh", "archive"], { cwd: dir });
    expect(run.files.map((file) => file.file)).toEqual([
      join("Fresh", "new", "1"),
      join("archive", "2025", "one.eml"),
    ]);
    expect(run.files.every((file) => file.errors.length === 0)).toBe(true);
  });

  it("reports a named folder without messages", async () => {
    mkdirSync(join(dir, "nothing-here"), { recursive: true });
    const run = await readBounces(["nothing-here"], { cwd: dir });
    expect(run.files[0]?.errors[0]).toContain('no messages in directory "nothing-here"');
  });

  it("reports a missing file and goes on", async () => {
    write("good.eml", fixture.QMAIL);
    const run = await readBounces(["missing.eml", "good.eml"], { cwd: dir });
    expect(run.files[0]?.errors[0]).toContain('cannot read "missing.eml": file not found');
    expect(run.results).toHaveLength(2);
  });
});

describe("readBounces bad input", () => {
  it("reports binary junk per file", async () => {
    write("junk.bin", Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7) % 256)));
    const run = await readBounces(["junk.bin"], { cwd: dir });
    expect(run.results).toEqual([]);
    expect(run.files[0]?.errors[0]).toContain('skipped "junk.bin": not a mail message');
  });

  it("counts binary junk as no message", async () => {
    write("junk2.bin", Buffer.alloc(2048, 1));
    const run = await readBounces(["junk2.bin"], { cwd: dir });
    expect(run.files[0]?.messages).toBe(0);
    expect(run.files[0]?.errors).toHaveLength(1);
  });

  it("reports a bounce cut before its report", async () => {
    write("cut.eml", fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("--B1")));
    const run = await readBounces(["cut.eml"], { cwd: dir });
    const summary = run.files[0];
    expect(run.results).toEqual([]);
    expect(summary?.messages).toBe(0);
    expect(summary?.kinds.none).toBe(0);
    expect(summary?.kinds.bounce).toBe(0);
    expect(summary?.errors).toEqual([
      '"cut.eml" looks like a bounce (multipart/report, sent by MAILER-DAEMON@mx.example.com, ' +
        'subject "Undelivered Mail Returned to Sender") but has no delivery report: cut short? ' +
        "No recipient was read from it; check that the file is complete, or copy it again",
    ]);
  });

  it("reports a whole bounce in an unread format", async () => {
    const notice = [
      "From: MAILER-DAEMON@mx.example.org",
      "To: sender@example.com",
      "Subject: Avis de non-remise",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Votre message n'a pas pu être remis.",
      "Motif : 550 5.1.1 <user1@example.org>: Recipient address rejected",
      "",
    ].join("\n");
    write("unread-format.eml", notice);
    const run = await readBounces(["unread-format.eml"], { cwd: dir });
    const error = run.files[0]?.errors[0] ?? "";

    expect(run.results).toEqual([]);
    expect(error).toContain("no recipient line in a format that delist reads");
    expect(error).toContain('"delist explain"');
    expect(error).not.toContain("cut short");
  });

  it("reports a closed multipart in an unread format", async () => {
    const notice = [
      "From: MAILER-DAEMON@mx.example.org",
      "To: sender@example.com",
      "Subject: Avis de non-remise",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
      "",
      "--R",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Motif : 550 5.1.1 <user1@example.org>: Recipient address rejected",
      "--R--",
      "",
    ].join("\n");
    write("unread-multipart.eml", notice);
    write("cut-multipart.eml", notice.slice(0, notice.indexOf("--R--")));
    const whole = await readBounces(["unread-multipart.eml"], { cwd: dir });
    const cut = await readBounces(["cut-multipart.eml"], { cwd: dir });

    expect(whole.files[0]?.errors[0]).toContain("in a format that delist reads");
    expect(whole.files[0]?.errors[0]).not.toContain("cut short");
    expect(cut.files[0]?.errors[0]).toContain("has no delivery report: cut short?");
  });

  it("names each sign of a cut bounce", async () => {
    const headers = [
      "From: Mail Delivery Subsystem <postmaster@mx.example.com>",
      "To: sender@example.com",
      "Subject: status",
      "Auto-Submitted: auto-generated (failure)",
      "",
      "",
    ].join("\n");
    write("signs.eml", headers);
    const run = await readBounces(["signs.eml"], { cwd: dir });
    const error = run.files[0]?.errors[0] ?? "";
    expect(error).toContain("Auto-Submitted: auto-generated (failure)");
    expect(error).toContain("sent by postmaster@mx.example.com");
    expect(error).not.toContain("multipart/report");
    expect(error).not.toContain("subject");
    expect(error).toContain("has no delivery report: cut short?");
  });

  it("keeps plain mail without bounce signs quiet", async () => {
    const newsletter = fixture.PLAIN_MAIL.replace(
      "From: friend@example.net",
      "From: no-reply@example.net",
    );
    write("newsletter.eml", newsletter);
    const run = await readBounces(["newsletter.eml"], { cwd: dir });
    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.messages).toBe(1);
  });

  it("reports a delivery report without recipients", async () => {
    const cut = fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("Final-Recipient"));
    const withoutText = cut.replace(/<user1@example\.net>[^]*?command\)/, "");
    write("empty-report.eml", withoutText);
    const run = await readBounces(["empty-report.eml"], { cwd: dir });
    expect(run.results).toEqual([]);
    expect(run.files[0]?.errors[0]).toContain("has a delivery report that names no recipient");
  });

  it("reads a multipart without its boundaries", async () => {
    const broken = fixture.POSTFIX_DSN.replace(/^--B1(?:--)?$/gm, "");
    write("no-boundary.eml", broken);
    const run = await readBounces(["no-boundary.eml"], { cwd: dir });
    expect(run.files[0]?.errors).toEqual([]);
    expect(run.results[0]?.recipient).toBe("user1@example.net");
  });

  it("reads malformed MIME headers without failing", async () => {
    const malformed = fixture.POSTFIX_DSN.replace(
      'boundary="B1"',
      'boundary="B1"; charset=="; name*0*=%%%',
    ).replace("Content-Type: message/delivery-status", "Content-Type: message/delivery-status;;;=");
    write("malformed.eml", malformed);
    const run = await readBounces(["malformed.eml"], { cwd: dir });
    expect(run.files[0]?.errors).toEqual([]);
    expect(run.results[0]?.reason).toBe("userunknown");
  });

  it("reads a truncated file", async () => {
    const cut = fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("Status: 5.1.1"));
    write("truncated.eml", cut);
    const run = await readBounces(["truncated.eml"], { cwd: dir });
    expect(run.files[0]?.errors).toEqual([]);
    expect(run.results[0]?.recipient).toBe("user1@example.net");
  });

  it("oversized message without report in head", async () => {
    const text = `Subject: big\n\n${"x".repeat(2000)}\n`;
    write("late.eml", text);
    const run = await readBounces(["late.eml"], { cwd: dir, maxMessageBytes: 1000 });
    expect(run.results).toEqual([]);
    expect(run.files[0]?.notes).toEqual([]);
    expect(run.files[0]?.errors[0]).toMatch(
      /^no delivery report in the first 0\.0 MiB of "late\.eml"/,
    );
  });

  it("reads the report of a bounce with a 100 MB attachment", async () => {
    const path = join(dir, "huge.eml");
    const fd = openSync(path, "w");
    writeSync(
      fd,
      fixture.POSTFIX_DSN.replace(
        "--B1--\n",
        "--B1\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n",
      ),
    );
    const line = `${"QUJD".repeat(19)}\n`;
    const block = line.repeat(Math.ceil((1024 * 1024) / line.length));
    for (let megabyte = 0; megabyte < 100; megabyte++) writeSync(fd, block);
    writeSync(fd, "--B1--\n");
    closeSync(fd);
    write("after.eml", fixture.QMAIL);

    const before = process.memoryUsage().rss;
    const run = await readBounces(["huge.eml", "after.eml"], { cwd: dir });
    const grownMiB = (process.memoryUsage().rss - before) / (1024 * 1024);
    // The delivery report comes before the returned data, so the head still contains it.
    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.notes[0]).toMatch(
      /read only the first 1\.0 MiB of "huge\.eml" \(10\d\.\d MiB, over the limit of 32\.0 MiB\)/,
    );
    expect(run.files[1]?.errors).toEqual([]);
    expect(run.results.map((result) => result.recipient)).toEqual([
      "user1@example.net",
      "full@example.org",
      "nobody@example.org",
    ]);
    expect(grownMiB).toBeLessThan(48);
  }, 60_000);
});
