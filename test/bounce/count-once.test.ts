import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBounces, type BounceFileSummary } from "../../src/bounce/index.js";
import { renderText } from "../../src/cli/bounces-run.js";
import * as fixture from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "delist-bounces-count-once-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A limit of 4 KiB replaces the 32 MiB default, so that the test needs no large files.
const MAX_BYTES = 4096;
const SEPARATOR = "From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n";
const BIG_PLAIN = `From: friend@example.net\nTo: user@example.com\nSubject: photos\n\n${"x".repeat(20000)}\n`;

function write(name: string, content: string): void {
  mkdirSync(join(dir, name, ".."), { recursive: true });
  writeFileSync(join(dir, name), content);
}

function mbox(...messages: string[]): string {
  return messages.map((message) => `${SEPARATOR}${message}\n`).join("");
}

function total(files: readonly BounceFileSummary[], count: (file: BounceFileSummary) => number) {
  return files.reduce((sum, file) => sum + count(file), 0);
}

describe("bounce counts per message", () => {
  write("big/good.eml", fixture.ARF);
  write("big/huge.eml", BIG_PLAIN);
  write("big/box.mbox", mbox(fixture.ARF, BIG_PLAIN, fixture.QMAIL));

  it("counts an oversized message as skipped only", async () => {
    const run = await readBounces(["big"], { cwd: dir, maxMessageBytes: MAX_BYTES });

    expect(total(run.files, (file) => file.messages)).toBe(3);
    expect(total(run.files, (file) => file.skipped)).toBe(2);
    expect(total(run.files, (file) => file.kinds.none)).toBe(0);
    expect(run.files.flatMap((file) => file.errors)).toEqual([]);
  });

  it("matches messages to the kinds", async () => {
    const run = await readBounces(["big"], { cwd: dir, maxMessageBytes: MAX_BYTES });

    for (const file of run.files) {
      const kinds = Object.values(file.kinds).reduce((sum, count) => sum + count, 0);
      expect(kinds, file.file).toBe(file.messages);
    }
  });

  it("headline shows each message once", async () => {
    const run = await readBounces(["big"], { cwd: dir, maxMessageBytes: MAX_BYTES });
    const headline = renderText(run).split("\n")[0];

    expect(headline).toBe("6 recipients in 3 messages from 3 inputs (2 skipped)");
  });

  it("counts a cut bounce as skipped only", async () => {
    const cut = fixture.POSTFIX_DSN.slice(0, fixture.POSTFIX_DSN.indexOf("--B1"));
    write("cut/good.eml", fixture.QMAIL);
    write("cut/cut.eml", cut);
    const run = await readBounces(["cut"], { cwd: dir });
    const headline = renderText(run).split("\n")[0];

    expect(total(run.files, (file) => file.messages)).toBe(1);
    expect(total(run.files, (file) => file.skipped)).toBe(1);
    expect(headline).toBe("2 recipients in 1 message from 2 inputs (1 skipped)");
  });

  it("reports a named oversized file as an error", async () => {
    const run = await readBounces([join("big", "huge.eml")], {
      cwd: dir,
      maxMessageBytes: MAX_BYTES,
    });
    const file = run.files[0];

    expect(file?.messages).toBe(0);
    expect(file?.skipped).toBe(0);
    expect(file?.errors).toHaveLength(1);
    expect(file?.errors[0]).toMatch(/^no delivery report in the first/);
  });
});
