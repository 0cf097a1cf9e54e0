import { chmod } from "node:fs/promises";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileError } from "../../../src/logs/reader/errors.js";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import {
  detectCompression,
  readSource,
  type ReadSourceOptions,
} from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

function fileSource(name: string, path: string): FileSource {
  return { type: "file", name, path, sizeBytes: null, modifiedMs: 0, continuesPrevious: false };
}

async function readFile(name: string, content: string | Buffer, options?: ReadSourceOptions) {
  const path = await dir.write(name, content);
  return readCollecting(fileSource(name, path), options);
}

async function readCollecting(
  source: Parameters<typeof readSource>[0],
  options?: ReadSourceOptions,
) {
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(text));
  const result = await readSource(source, splitter, options);
  return { lines, result };
}

const MANY_LINES = Array.from({ length: 5000 }, (_, index) => `line ${index}`).join("\n") + "\n";

describe("readSource", () => {
  it("reads a plain file", async () => {
    const { lines, result } = await readFile("a.log", "one\ntwo\n");
    expect(lines).toEqual(["one", "two"]);
    expect(result).toEqual({
      compression: null,
      bytes: 8,
      decompressedBytes: 8,
      error: null,
      change: null,
      trailingData: null,
      notes: [],
    });
  });

  it("reads an empty file and tiny files", async () => {
    expect((await readFile("empty.log", "")).lines).toEqual([]);
    expect((await readFile("one.log", "x")).lines).toEqual(["x"]);
    expect((await readFile("two.log", "\n\n")).lines).toEqual(["", ""]);
  });

  it("detects gzip by magic bytes, whatever the name", async () => {
    const { lines, result } = await readFile("mail.log", gzipSync("one\ntwo\n"));
    expect(lines).toEqual(["one", "two"]);
    expect(result.compression).toBe("gzip");
    expect(result.decompressedBytes).toBe(8);
    expect(result.error).toBeNull();
  });

  it("reads concatenated gzip members", async () => {
    const content = Buffer.concat([gzipSync("one\ntw"), gzipSync("o\nthree\n")]);
    const { lines, result } = await readFile("mail.log.2.gz", content);
    expect(lines).toEqual(["one", "two", "three"]);
    expect(result.error).toBeNull();
  });

  it("keeps the lines before a truncated gzip end", async () => {
    const whole = gzipSync(MANY_LINES);
    const { lines, result } = await readFile("cut.gz", whole.subarray(0, whole.length - 200));
    expect(result.error?.code).toBe("corrupt-gzip");
    expect(result.error?.message).toContain('"cut.gz"');
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines[0]).toBe("line 0");
  });

  it("reports xz, zstd and bzip2 files with how to decompress them", async () => {
    const cases: [string, number[], string][] = [
      ["a.xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x01], "xz -dc"],
      ["a.zst", [0x28, 0xb5, 0x2f, 0xfd, 0x00], "zstd -dc"],
      ["a.bz2", [0x42, 0x5a, 0x68, 0x39, 0x31], "bzip2 -dc"],
    ];
    for (const [name, bytes, command] of cases) {
      const { lines, result } = await readFile(name, Buffer.from(bytes));
      expect(lines, name).toEqual([]);
      expect(result.error?.code, name).toBe("unsupported-compression");
      expect(result.error?.message, name).toContain(command);
    }
  });

  it("reads a binary file without failing", async () => {
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 131) % 256));
    const { lines, result } = await readFile("binary.bin", bytes);
    expect(result.error).toBeNull();
    expect(lines.length).toBeGreaterThan(100);
  });

  it("reports a missing file", async () => {
    const { result } = await readCollecting(fileSource("gone.log", `${dir.path}/gone.log`));
    expect(result.error?.code).toBe("not-found");
    expect(result.error?.message).toContain('"gone.log"');
  });

  it.skipIf(process.getuid?.() === 0)("reports a file it may not read", async () => {
    const path = await dir.write("secret.log", "x\n");
    await chmod(path, 0o000);
    const { result } = await readCollecting(fileSource("secret.log", path));
    expect(result.error?.code).toBe("permission-denied");
  });

  it("reads plain and gzip stdin", async () => {
    const plain = await readCollecting(
      { type: "stdin", name: "-" },
      { stdin: Readable.from([Buffer.from("a\nb"), Buffer.from("c\n")]) },
    );
    expect(plain.lines).toEqual(["a", "bc"]);
    const compressed = gzipSync("x\ny\n");
    const gzip = await readCollecting(
      { type: "stdin", name: "-" },
      { stdin: Readable.from([compressed.subarray(0, 1), compressed.subarray(1)]) },
    );
    expect(gzip.lines).toEqual(["x", "y"]);
    expect(gzip.result.compression).toBe("gzip");
  });

  it("reports stdin that was not given", async () => {
    const { result } = await readCollecting({ type: "stdin", name: "-" });
    expect(result.error?.code).toBe("read-failed");
  });

  it("reports raw bytes read for progress", async () => {
    const compressed = gzipSync(MANY_LINES);
    const counts: number[] = [];
    const { result } = await readFile("p.gz", compressed, {
      onBytes: (count) => counts.push(count),
    });
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(compressed.length);
    expect(result.bytes).toBe(compressed.length);
    expect(result.decompressedBytes).toBe(Buffer.byteLength(MANY_LINES));
  });

  it("raises what the line handler throws", async () => {
    const path = await dir.write("a.log", "one\ntwo\n");
    const splitter = new LineSplitter(() => {
      throw new TypeError("parser bug");
    });
    await expect(readSource(fileSource("a.log", path), splitter)).rejects.toThrow("parser bug");
  });
});

describe("detectCompression", () => {
  it("tells formats from plain text", () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8]))).toBe("gzip");
    expect(detectCompression(Buffer.from("BZh9"))).toBe("bzip2");
    expect(detectCompression(Buffer.from("BZhx"))).toBeNull();
    expect(detectCompression(Buffer.from("Mar  4"))).toBeNull();
    expect(detectCompression(Buffer.alloc(0))).toBeNull();
  });
});

describe("fileError", () => {
  it("maps permission errors", () => {
    const error = Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    expect(fileError("mail.log", error)).toMatchObject({ code: "permission-denied" });
    expect(fileError("mail.log", error).message).toContain("sudo");
  });

  it("keeps the detail of other errors", () => {
    const error = Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
    expect(fileError("mail.log", error)).toEqual({
      code: "read-failed",
      message: 'cannot read "mail.log": EIO: i/o error; check that it is a readable file',
    });
  });
});
