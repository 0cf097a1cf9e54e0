import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { createPostfixParser } from "../../../src/logs/postfix/index.js";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import {
  BINARY_STOP_BYTES,
  readSource,
  type ReadSourceOptions,
} from "../../../src/logs/reader/read.js";
import { planInputs } from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// A bound far above the point where the reader must stop, so that a reader that does not stop
// fails the test with a read error instead of running forever.
const STREAM_LIMIT_BYTES = 64 * BINARY_STOP_BYTES;

// An endless stream of `makeChunk()` chunks, cut with an error at `STREAM_LIMIT_BYTES`.
function* boundedStream(makeChunk: () => Buffer): Generator<Buffer> {
  for (let sent = 0; sent < STREAM_LIMIT_BYTES;) {
    const chunk = makeChunk();
    sent += chunk.length;
    yield chunk;
  }
  throw new Error("the reader read past the stop point");
}

async function readStdin(chunks: Iterable<Buffer>, options: ReadSourceOptions = {}) {
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(text));
  const stdin = Readable.from(chunks);
  const result = await readSource({ type: "stdin", name: "-" }, splitter, { ...options, stdin });
  return { lines, result };
}

const STOP_NOTE = /^Stopped reading standard input after its first 1 MiB of text/;

describe("binary input stop", () => {
  it("rejects a character device before reading it", async () => {
    const plan = await planInputs(["/dev/null"], dir.path);
    const [input] = plan;
    expect(input?.type).toBe("failed");
    if (input?.type !== "failed") return;
    expect(input.error.code).toBe("read-failed");
    expect(input.error.message).toContain('"/dev/null": it is a character device');
    expect(input.error.message).toContain("give - as the input");
  });

  it("stops an endless stream of random bytes", async () => {
    const { result } = await readStdin(boundedStream(() => randomBytes(64 * 1024)));
    expect(result.error).toBeNull();
    expect(result.bytes).toBeLessThan(8 * BINARY_STOP_BYTES);
    expect(result.notes.some((note) => note.includes("looks like a binary file"))).toBe(true);
    expect(result.notes.some((note) => STOP_NOTE.test(note))).toBe(true);
  });

  it("stops an endless stream of NUL bytes on standard input", async () => {
    const zeros = Buffer.alloc(64 * 1024);
    const { lines, result } = await readStdin(boundedStream(() => zeros));
    expect(result.error).toBeNull();
    expect(lines).toEqual([]);
    expect(result.notes.some((note) => note.includes("it contains only NUL bytes"))).toBe(true);
    expect(result.notes.some((note) => note.includes("after its first 16 MiB of text"))).toBe(true);
  });

  it("stops binary data inside gzip", async () => {
    const member = gzipSync(randomBytes(BINARY_STOP_BYTES));
    const { result } = await readStdin(boundedStream(() => member));
    expect(result.error).toBeNull();
    expect(result.compression).toBe("gzip");
    expect(result.notes.some((note) => STOP_NOTE.test(note))).toBe(true);
  });

  it("reads on once a record was found", async () => {
    const binary = randomBytes(2 * BINARY_STOP_BYTES);
    const text = Buffer.from("\nlast line\n");
    const { lines, result } = await readStdin([binary, text], { hasRecords: () => true });
    expect(lines.at(-1)).toBe("last line");
    expect(result.notes.some((note) => STOP_NOTE.test(note))).toBe(false);
  });

  it("reads a text log in full", async () => {
    const line = "Mar  6 10:00:00 mail postfix/qmgr[1]: 0123456789: removed\n";
    const text = Buffer.from(line.repeat(Math.ceil((2 * BINARY_STOP_BYTES) / line.length)));
    const { lines, result } = await readStdin([text]);
    expect(lines.length).toBe(text.length / line.length);
    expect(result.notes).toEqual([]);
  });

  it("keeps the records of a log with a binary start", async () => {
    const line = "Mar  6 10:00:00 mail postfix/qmgr[1]: 0123456789: removed\n";
    const records = line.repeat(Math.ceil((2 * BINARY_STOP_BYTES) / line.length));
    const content = Buffer.concat([randomBytes(8 * 1024), Buffer.from(`\n${records}`)]);
    await dir.write("mail.log", content);
    const summary = await readLogs(["mail.log"], [createPostfixParser(() => undefined)], {
      timeZone: resolveTimeZone("UTC"),
      year: 2024,
      cwd: dir.path,
    });
    const [input] = summary.inputs;
    expect(input?.notes.some((note) => note.startsWith("Stopped reading"))).toBe(false);
    expect(summary.totals.records).toBe(records.length / line.length);
  });

  // A program that writes without O_APPEND after copytruncate leaves a hole of NULs as long
  // as the old log before its new lines.
  it("reads a file whose new lines follow a long hole of NUL bytes", async () => {
    const line = "Mar  6 10:00:00 mail postfix/qmgr[1]: 0123456789: removed\n";
    const content = Buffer.concat([Buffer.alloc(20 * BINARY_STOP_BYTES), Buffer.from(line)]);
    await dir.write("mail.log", content);
    const summary = await readLogs(["mail.log"], [createPostfixParser(() => undefined)], {
      timeZone: resolveTimeZone("UTC"),
      year: 2024,
      cwd: dir.path,
    });
    const [input] = summary.inputs;
    expect(input?.notes.some((note) => note.startsWith("Stopped reading"))).toBe(false);
    expect(summary.totals.records).toBe(1);
  });
});
