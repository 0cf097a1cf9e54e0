import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { readSource } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

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

interface Read {
  lines: string[];
  result: Awaited<ReturnType<typeof readSource>>;
}

// Reads `content` as stdin in chunks of `cuts` bytes when it is a number, else cut at the
// given byte offsets.
async function readStdin(content: Buffer, cuts: number[] | number = 65_536): Promise<Read> {
  const ends =
    typeof cuts === "number"
      ? Array.from({ length: Math.ceil(content.length / cuts) }, (_, index) => (index + 1) * cuts)
      : [...cuts, content.length];
  const chunks: Buffer[] = [];
  let start = 0;
  for (const end of ends) {
    chunks.push(content.subarray(start, Math.min(end, content.length)));
    start = end;
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

function expectNumbered(lines: string[], count: number): void {
  expect(lines).toHaveLength(count);
  const firstWrong = lines.findIndex((line, index) => !line.startsWith(`line ${index} `));
  expect(firstWrong).toBe(-1);
}

describe("gzip data after plain text", () => {
  it("decodes a member that starts a line on stdin", async () => {
    const content = Buffer.concat([logText(0, 3000), gzipSync(logText(3000, 2000))]);
    const { lines, result } = await readStdin(content);

    expectNumbered(lines, 5000);
    expect(result.compression).toBe("gzip");
    expect(result.error).toBeNull();
    expect(result.trailingData).toBeNull();
    expect(result.bytes).toBe(content.length);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("standard input has gzip data after line 3,000");
  });

  it("decodes it in a file", async () => {
    const content = Buffer.concat([logText(0, 100), gzipSync(logText(100, 50))]);
    const { lines, result } = await readFile("joined.log", content);

    expectNumbered(lines, 150);
    expect(result.compression).toBe("gzip");
    expect(result.error).toBeNull();
    expect(result.notes[0]).toContain("joined.log has gzip data after line 100");
  });

  it("finds a member at a chunk start", async () => {
    const text = logText(0, 100);
    const content = Buffer.concat([text, gzipSync(logText(100, 50))]);
    const cutsList = [
      [text.length],
      [text.length - 1],
      [text.length + 1],
      [10, text.length, text.length + 2],
      [text.length - 1, text.length, text.length + 1, text.length + 2],
    ];
    for (const cuts of cutsList) {
      const { lines, result } = await readStdin(content, cuts);
      expectNumbered(lines, 150);
      expect(result.error).toBeNull();
    }
  });

  it("keeps held bytes that start no member", async () => {
    const content = Buffer.from("a\n\u001f\u008bx\nb\n\u001f", "latin1");
    for (const cuts of [[3], [4], [5], [3, 4, 5], [content.length - 1]]) {
      const { lines, result } = await readStdin(content, cuts);
      expect(lines).toEqual(["a", "\u001f\u008bx", "b", "\u001f"]);
      expect(result.compression).toBeNull();
    }
  });

  it("reads members joined after text", async () => {
    const content = Buffer.concat([
      logText(0, 10),
      gzipSync(logText(10, 10)),
      gzipSync(logText(20, 10)),
    ]);
    const { lines, result } = await readStdin(content, 7);

    expectNumbered(lines, 30);
    expect(result.error).toBeNull();
    expect(result.trailingData).toBeNull();
  });

  it("reads text after the member", async () => {
    const content = Buffer.concat([
      logText(0, 100),
      gzipSync(logText(100, 100)),
      logText(200, 40_000),
    ]);

    for (const { lines, result } of [
      await readStdin(content),
      await readFile("three.log", content),
    ]) {
      expectNumbered(lines, 40_200);
      expect(result.trailingData).toBeNull();
      expect(result.bytes).toBe(content.length);
      expect(result.notes).toHaveLength(2);
      expect(result.notes[0]).toContain("has gzip data after line 100 ");
      expect(result.notes[1]).toContain("has plain text after its gzip data, from line 201 on");
    }
  });

  it("keeps 1f 8b inside a line as text", async () => {
    const content = Buffer.from("a \u001f\u008b\u0008 b\nc\n", "latin1");
    const { lines, result } = await readStdin(content);

    expect(lines).toEqual(["a \u001f\u008b\u0008 b", "c"]);
    expect(result.compression).toBeNull();
    expect(result.notes).toEqual([]);
  });

  it("reports a damaged member after text", async () => {
    const member = gzipSync(logText(100, 50));
    const content = Buffer.concat([logText(0, 100), member.subarray(0, member.length / 2)]);
    const { lines, result } = await readStdin(content);

    expect(lines.length).toBeGreaterThanOrEqual(100);
    expect(result.error?.code).toBe("corrupt-gzip");
  });
});

// 3 MiB of bytes that are not text, longer than one read.
function binaryBytes(): Buffer {
  return Buffer.alloc(3 * 1024 * 1024, Buffer.from([0x17, 0x03, 0x9f, 0x00, 0xfe, 0x02]));
}

describe("trailing data on stdin", () => {
  it("counts every byte after the gzip stream", async () => {
    const after = binaryBytes();
    const content = Buffer.concat([gzipSync(logText(0, 5000)), after]);
    const { lines, result } = await readStdin(content);

    expectNumbered(lines, 5000);
    expect(after.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(result.bytes).toBe(content.length);
    expect(result.trailingData?.bytes).toBe(after.length);
    expect(result.trailingData?.message).toContain("give them as arguments");
  });

  it("names no stdin fix for a file", async () => {
    const content = Buffer.concat([gzipSync(logText(0, 50)), binaryBytes()]);
    const { result } = await readFile("one.gz", content);

    expect(result.trailingData?.bytes).toBe(binaryBytes().length);
    expect(result.trailingData?.message).not.toContain("arguments");
  });
});
