import { execFileSync } from "node:child_process";
import { truncateSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { looksLikeText } from "../../../src/logs/reader/notes.js";
import { readSource } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { runCommand } from "../../helpers/cli.js";
import { HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// Numbered lines of varied length, `first` to `first + count - 1`.
function logText(first: number, count: number): Buffer {
  const lines = Array.from(
    { length: count },
    (_, index) => `line ${first + index} from mx.example.com ${"x".repeat((index * 7919) % 80)}`,
  );
  return Buffer.from(`${lines.join("\n")}\n`, "latin1");
}

// Numbered lines with pseudo-random hex digits (xorshift32), which compress to about half
// their size.
function noisyText(first: number, count: number): Buffer {
  let state = 0x2545f491;
  const lines = Array.from({ length: count }, (_, index) => {
    let digits = "";
    for (let digit = 0; digit < 32; digit++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      digits += ((state >>> 0) % 16).toString(16);
    }
    return `line ${first + index} id=${digits}`;
  });
  return Buffer.from(`${lines.join("\n")}\n`, "latin1");
}

// Bytes that are not text: control bytes, a NUL and invalid UTF-8.
const BINARY = Buffer.from([0x17, 0x03, 0x9f, 0x00, 0x41, 0xfe, 0x02, 0x88, 0x10, 0x7f]);

interface Read {
  lines: string[];
  result: Awaited<ReturnType<typeof readSource>>;
}

// Reads `content` as stdin in chunks of `chunkBytes`.
async function readStdin(content: Buffer, chunkBytes = 65_536): Promise<Read> {
  const chunks: Buffer[] = [];
  for (let start = 0; start < content.length; start += chunkBytes) {
    chunks.push(content.subarray(start, start + chunkBytes));
  }
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(text));
  const result = await readSource({ type: "stdin", name: "-" }, splitter, {
    stdin: Readable.from(chunks),
  });
  return { lines, result };
}

async function readFile(name: string, content: Buffer): Promise<Read> {
  const path = await dir.write(name, content);
  const source: FileSource = {
    type: "file",
    name,
    path,
    sizeBytes: content.length,
    modifiedMs: 0,
    continuesPrevious: false,
  };
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(text));
  const result = await readSource(source, splitter);
  return { lines, result };
}

// Reads `content` as stdin and as a file named `name`.
async function readBoth(name: string, content: Buffer): Promise<Read[]> {
  return [await readStdin(content), await readFile(name, content)];
}

function expectNumbered(lines: string[], count: number): void {
  expect(lines).toHaveLength(count);
  const firstWrong = lines.findIndex((line, index) => !line.startsWith(`line ${index} `));
  expect(firstWrong).toBe(-1);
}

describe("plain text after gzip data", () => {
  it("reads a member then text", async () => {
    const gzipText = logText(0, 300);
    const plainText = logText(300, 200);
    const content = Buffer.concat([gzipSync(gzipText), plainText]);

    for (const { lines, result } of await readBoth("joined.log", content)) {
      expectNumbered(lines, 500);
      expect(result.compression).toBe("gzip");
      expect(result.error).toBeNull();
      expect(result.trailingData).toBeNull();
      expect(result.bytes).toBe(content.length);
      expect(result.decompressedBytes).toBe(gzipText.length + plainText.length);
      expect(result.notes).toHaveLength(1);
    }
    const [stdin, file] = await readBoth("joined.log", content);
    expect(stdin?.result.notes[0]).toBe(
      "standard input has plain text after its gzip data, from line 301 on (files joined with cat?). " +
        "It was read as log lines too.",
    );
    expect(file?.result.notes[0]).toContain("joined.log has plain text after its gzip data");
    expect(file?.result.change).toBeNull();
  });

  it("reads gzip, text and gzip again", async () => {
    const content = Buffer.concat([
      gzipSync(logText(0, 100)),
      logText(100, 50),
      gzipSync(logText(150, 70)),
      logText(220, 30),
    ]);

    for (const { lines, result } of await readBoth("three.log", content)) {
      expectNumbered(lines, 250);
      expect(result.error).toBeNull();
      expect(result.trailingData).toBeNull();
      expect(result.bytes).toBe(content.length);
      expect(result.notes).toHaveLength(3);
      expect(result.notes[0]).toContain("plain text after its gzip data, from line 101 on");
      expect(result.notes[1]).toContain("has gzip data after line 150 ");
      expect(result.notes[2]).toContain("plain text after its gzip data, from line 221 on");
    }
  });

  it("reads text without a final line end", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 40)), Buffer.from("line 40 last")]);

    for (const { lines, result } of await readBoth("cut.log", content)) {
      expectNumbered(lines, 41);
      expect(lines[40]).toBe("line 40 last");
      expect(result.error).toBeNull();
      expect(result.notes).toHaveLength(2);
      expect(result.notes[1]).toContain("ended without a line end after line 41");
    }
  });

  it("starts the text on a new line", async () => {
    const gzipText = logText(0, 10);
    const unterminated = gzipText.subarray(0, gzipText.length - 1);
    const content = Buffer.concat([gzipSync(unterminated), logText(10, 5)]);

    for (const { lines, result } of await readBoth("no-end.log", content)) {
      expectNumbered(lines, 15);
      expect(result.decompressedBytes).toBe(
        content.length - gzipSync(unterminated).length + unterminated.length,
      );
      expect(result.notes[0]).toContain("from line 11 on");
    }
  });

  it("reads text after an empty member", async () => {
    const content = Buffer.concat([gzipSync(Buffer.alloc(0)), logText(0, 20)]);

    for (const { lines, result } of await readBoth("empty.gz", content)) {
      expectNumbered(lines, 20);
      expect(result.notes[0]).toContain("from line 1 on");
    }
  });

  it("reads text in pipe chunks of any size", async () => {
    const member = gzipSync(logText(0, 200));
    const content = Buffer.concat([member, logText(200, 100)]);

    for (const chunkBytes of [1, 7, member.length - 1, member.length, member.length + 1]) {
      const { lines, result } = await readStdin(content, chunkBytes);
      expectNumbered(lines, 300);
      expect(result.error).toBeNull();
      expect(result.bytes).toBe(content.length);
    }
  });

  it("reads text after gzip larger than a read", async () => {
    // The member is over 2 MiB, so the first decode of the file fails in the write of a
    // later 1 MiB read, and the second decode finds the byte where the member ends.
    const member = gzipSync(noisyText(0, 150_000));
    const content = Buffer.concat([member, logText(150_000, 100_000)]);
    expect(member.length).toBeGreaterThan(2 * 1024 * 1024);

    for (const { lines, result } of await readBoth("large.log", content)) {
      expectNumbered(lines, 250_000);
      expect(result.error).toBeNull();
      expect(result.trailingData).toBeNull();
      expect(result.bytes).toBe(content.length);
      expect(result.notes[0]).toContain("from line 150,001 on");
    }
  });

  it("names each switch up to four", async () => {
    const parts: Buffer[] = [];
    for (let part = 0; part < 10; part++) {
      const text = logText(part * 10, 10);
      parts.push(part % 2 === 0 ? gzipSync(text) : text);
    }

    for (const { lines, result } of await readBoth("many.log", Buffer.concat(parts))) {
      expectNumbered(lines, 100);
      expect(result.notes).toHaveLength(5);
      expect(result.notes[3]).toContain("has gzip data after line 40 ");
      expect(result.notes[4]).toContain("switches between plain text and gzip data 5 more times");
      expect(result.notes[4]).toContain("the last after line 90");
    }
  });

  it.runIf(process.platform !== "win32")("reads text after gzip in a named pipe", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 3000)), logText(3000, 2000)]);
    const path = join(dir.path, "joined.fifo");
    execFileSync("mkfifo", [path]);
    const source: FileSource = {
      type: "file",
      name: "joined.fifo",
      path,
      sizeBytes: null,
      modifiedMs: 0,
      continuesPrevious: false,
    };
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text));
    const [result] = await Promise.all([readSource(source, splitter), writeFile(path, content)]);

    expectNumbered(lines, 5000);
    expect(result.error).toBeNull();
    expect(result.bytes).toBe(content.length);
    expect(result.notes[0]).toContain("from line 3,001 on");
  });

  it("reports a truncation in the text part", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 100)), logText(100, 200_000)]);
    const path = await dir.write("live.log", content);
    const source: FileSource = {
      type: "file",
      name: "live.log",
      path,
      sizeBytes: content.length,
      modifiedMs: 0,
      continuesPrevious: false,
    };
    const lines: string[] = [];
    const splitter = new LineSplitter((text, line) => {
      // What logrotate's copytruncate does once the first line of plain text is read.
      if (line === 101) truncateSync(path, 0);
      lines.push(text);
    });
    const result = await readSource(source, splitter);

    expect(content.length).toBeGreaterThan(12 * 1024 * 1024);
    expect(lines.length).toBeLessThan(200_100);
    expect(result.change?.code).toBe("truncated");
    expect(result.error).toBeNull();
  });

  it("raises what the line handler throws", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 10)), logText(10, 10)]);
    const path = await dir.write("bad.log", content);
    const source: FileSource = {
      type: "file",
      name: "bad.log",
      path,
      sizeBytes: null,
      modifiedMs: 0,
      continuesPrevious: false,
    };
    const splitter = new LineSplitter((_text, line) => {
      if (line === 15) throw new TypeError("parser bug");
    });

    await expect(readSource(source, splitter)).rejects.toThrow("parser bug");
  });
});

describe("bytes after gzip data that are not text", () => {
  it("skips binary bytes", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 100)), BINARY]);

    for (const { lines, result } of await readBoth("junk.gz", content)) {
      expectNumbered(lines, 100);
      expect(result.error).toBeNull();
      expect(result.trailingData?.bytes).toBe(BINARY.length);
      expect(result.trailingData?.message).toContain("10 bytes of trailing data");
      expect(result.trailingData?.message).toContain("they are not text");
      expect(result.notes).toEqual([]);
    }
  });

  it("skips text after binary bytes", async () => {
    const after = Buffer.concat([BINARY, logText(100, 10)]);
    const content = Buffer.concat([gzipSync(logText(0, 100)), after]);

    for (const { lines, result } of await readBoth("junk-text.gz", content)) {
      expectNumbered(lines, 100);
      expect(result.trailingData?.bytes).toBe(after.length);
    }
  });

  it("skips a broken second header", async () => {
    // The magic number with a wrong second byte fails the header check like other junk.
    const broken = Buffer.concat([Buffer.from([0x1f, 0x8c, 0x08, 0x00]), logText(100, 10)]);
    const content = Buffer.concat([gzipSync(logText(0, 100)), broken]);

    for (const { lines, result } of await readBoth("broken.gz", content)) {
      expectNumbered(lines, 100);
      expect(result.error).toBeNull();
      expect(result.trailingData?.bytes).toBe(broken.length);
    }
  });

  it("skips NUL padding before text", async () => {
    for (const paddingBytes of [512, 2 * 1024 * 1024]) {
      const after = Buffer.concat([Buffer.alloc(paddingBytes), logText(100, 10)]);
      const content = Buffer.concat([gzipSync(logText(0, 100)), after]);

      for (const { lines, result } of await readBoth("padded.gz", content)) {
        expectNumbered(lines, 100);
        expect(result.error).toBeNull();
        expect(result.trailingData?.bytes).toBe(after.length);
      }
    }
  });
});

describe("looksLikeText", () => {
  it("accepts log text and UTF-8", () => {
    expect(looksLikeText(logText(0, 3), true)).toBe(true);
    expect(looksLikeText(Buffer.from("Grüße\r\n\tok\n"), true)).toBe(true);
  });

  it("accepts a sequence cut at the sample end", () => {
    const cut = Buffer.from("abc ü").subarray(0, 5);
    expect(looksLikeText(cut, false)).toBe(true);
    expect(looksLikeText(cut, true)).toBe(false);
  });

  it("rejects control bytes and bad UTF-8", () => {
    expect(looksLikeText(Buffer.alloc(0), true)).toBe(false);
    expect(looksLikeText(Buffer.from("a\u0000b"), true)).toBe(false);
    expect(looksLikeText(Buffer.from([0x41, 0x1f, 0x42]), true)).toBe(false);
    expect(looksLikeText(Buffer.from([0x41, 0xfe, 0x42]), false)).toBe(false);
    expect(looksLikeText(Buffer.from("caf\u00e9", "latin1"), true)).toBe(false);
  });
});

function postfixText(first: number, count: number): string {
  const log = new PostfixLog();
  for (let hour = first; hour < first + count; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return log.text();
}

describe("text after gzip in runs", () => {
  it("reads a rotated file that joins both", async () => {
    const older = Buffer.concat([gzipSync(postfixText(0, 3)), Buffer.from(postfixText(3, 3))]);
    await dir.write("mail.log.1", older, T0 + 6 * HOUR);
    await dir.write("mail.log", postfixText(6, 3), T0 + 9 * HOUR);
    const summary = await readLogs([dir.path], [], { timeZone: UTC });

    const allLines = postfixText(0, 9).split("\n").length - 1;
    expect(summary.inputs.map((input) => input.name.split("/").pop())).toEqual([
      "mail.log.1",
      "mail.log",
    ]);
    expect(summary.inputs[0]?.kind).toBe("gzip");
    expect(summary.inputs[0]?.notes).toHaveLength(1);
    expect(summary.inputs[0]?.changedWhileRead).toBeNull();
    expect(summary.totals.lines).toBe(allLines);
  });

  it("shows the note in the diagnose report", async () => {
    const gzipPart = postfixText(0, 3);
    const joined = Buffer.concat([gzipSync(gzipPart), Buffer.from(postfixText(3, 3))]);
    const run = await runCommand(["diagnose", "-", "--offline", "--timezone", "UTC"], joined);
    const output = run.stdout.replace(/\s+/g, " ");

    const nextLine = gzipPart.split("\n").length;
    expect(output).toContain(
      `Note: standard input has plain text after its gzip data, from line ${nextLine} on (files joined with ` +
        `cat?). It was read as log lines too.`,
    );
    expect(output).not.toContain("trailing data");
  });

  it("parses as much as the plain log", async () => {
    const text = postfixText(0, 6);
    const half = text.indexOf("\n", text.length / 2) + 1;
    const joined = Buffer.concat([gzipSync(text.slice(0, half)), Buffer.from(text.slice(half))]);
    const plain = await runCommand(["logs", "-", "--format", "json"], text);
    const run = await runCommand(["logs", "-", "--format", "json"], joined);

    expect(run.stderr).toBe("");
    const parsed = (output: string): unknown =>
      (JSON.parse(output) as { input: { parsed: unknown } }).input.parsed;
    expect(parsed(run.stdout)).toBe(parsed(plain.stdout));
    expect(parsed(run.stdout)).toBeGreaterThan(0);
  });
});
