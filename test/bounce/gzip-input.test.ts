import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { readBounces } from "../../src/bounce/index.js";
import { readSource } from "../../src/bounce/input.js";
import { runCommand } from "../helpers/cli.js";
import * as fixture from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "delist-bounce-gzip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  writeFileSync(join(dir, name), content);
  return name;
}

function mbox(...messages: string[]): string {
  const separator = "From MAILER-DAEMON Tue Mar  3 10:00:00 2026\n";
  return messages.map((text) => separator + text.replace(/^From /gm, ">From ")).join("\n");
}

async function read(inputs: string[], stdin: Buffer = Buffer.alloc(0)) {
  return readBounces(inputs, { cwd: dir, stdin: Readable.from([stdin]) });
}

describe("gzip bounce inputs", () => {
  it("reads an .eml.gz like its .eml", async () => {
    const plain = await read([write("one.eml", fixture.QMAIL)]);
    const gzip = await read([write("one.eml.gz", gzipSync(fixture.QMAIL))]);

    expect(gzip.files[0]?.errors).toEqual([]);
    expect(gzip.files[0]?.messages).toBe(1);
    expect(gzip.results.map((result) => result.reason)).toEqual(["mailboxfull", "userunknown"]);
    expect(gzip.results.map((result) => result.recipient)).toEqual(
      plain.results.map((result) => result.recipient),
    );
  });

  it("splits a gzip mbox", async () => {
    const box = write("box.gz", gzipSync(mbox(fixture.EXIM, fixture.GMAIL_TEXT)));
    const run = await read([box]);

    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.messages).toBe(2);
    expect(run.results.map((result) => result.file)).toContain("box.gz#2");
  });

  it("reads gzip from standard input", async () => {
    const run = await read(["-"], gzipSync(fixture.QMAIL));

    expect(run.files[0]?.errors).toEqual([]);
    expect(run.results.map((result) => result.reason)).toEqual(["mailboxfull", "userunknown"]);
  });

  it("reads a gzip file over 1 MiB as a stream", async () => {
    const filler = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < filler.length; i++) filler[i] = (i * 7919) % 251;
    const noise = `X-Filler: ${filler.toString("base64").slice(0, 2_000_000)}\n`;
    const box = mbox(fixture.EXIM.replace(/\n/, `\n${noise}`), fixture.GMAIL_TEXT);
    const compressed = gzipSync(box, { level: 0 });
    expect(compressed.length).toBeGreaterThan(1024 * 1024);
    const run = await read([write("big.mbox.gz", compressed)]);

    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.messages).toBe(2);
  });

  it("keeps the size limit after gunzipping", async () => {
    const big = `Subject: big\n\n${"x".repeat(50_000)}\n`;
    const path = join(dir, write("big.eml.gz", gzipSync(big)));
    const source = { type: "file", name: "big.eml.gz", path, sizeBytes: 100 } as const;
    const messages = [];
    for await (const message of readSource(source, Readable.from([]), 1000)) {
      messages.push(message);
    }

    expect(messages).toHaveLength(1);
    expect(messages[0]).toHaveProperty("truncatedFrom", Buffer.byteLength(big));
    const raw = (messages[0] as { raw: Uint8Array }).raw;
    expect(raw.length).toBeLessThanOrEqual(1000);
  });

  it("reads gzip members in a row", async () => {
    const members = Buffer.concat([gzipSync(mbox(fixture.EXIM)), gzipSync(mbox(fixture.QMAIL))]);
    const run = await read([write("members.gz", members)]);

    expect(run.files[0]?.errors).toEqual([]);
    expect(run.files[0]?.messages).toBe(2);
  });

  it("reports cut-short gzip data", async () => {
    const whole = gzipSync(mbox(fixture.EXIM, fixture.GMAIL_TEXT));
    const run = await read([write("cut.gz", whole.subarray(0, whole.length - 40))]);

    expect(run.files[0]?.errors.join(" ")).toContain("gzip data is damaged or cut short");
  });

  it("bounces command reads .eml.gz", async () => {
    const name = join(dir, write("cli.eml.gz", gzipSync(fixture.QMAIL)));
    const result = await runCommand(["bounces", name]);

    expect(result.stderr).not.toContain("not a mail message");
    expect(result.code).toBe(1);
  });
});
