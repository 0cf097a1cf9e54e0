import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { readSource, type ReadSourceOptions } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { detectUtf16 } from "../../../src/logs/reader/utf16.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const LINES = [
  "Mar  4 09:45:07 mx1 postfix/smtpd[4000]: connect from client.example.org[192.0.2.50]",
  "Mar  4 09:45:08 mx1 postfix/smtpd[4000]: disconnect from client.example.org[192.0.2.50]",
  "Mar  4 09:45:09 mx1 postfix/qmgr[900]: 9A00000003: from=<café@example.com>, size=2000",
];
const TEXT = LINES.join("\r\n") + "\r\n";

function utf16le(text: string, bom: boolean): Buffer {
  const body = Buffer.from(text, "utf16le");
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

function utf16be(text: string, bom: boolean): Buffer {
  return Buffer.from(utf16le(text, bom)).swap16();
}

async function readBytes(content: Buffer, options?: ReadSourceOptions) {
  const path = await dir.write("mail-utf16.log", content);
  const source: FileSource = {
    type: "file",
    name: "mail-utf16.log",
    path,
    sizeBytes: content.length,
    modifiedMs: 0,
    continuesPrevious: false,
  };
  return readLines(source, options);
}

async function readLines(source: Parameters<typeof readSource>[0], options?: ReadSourceOptions) {
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(Buffer.from(text, "latin1").toString()));
  const result = await readSource(source, splitter, options);
  return { lines, result };
}

describe("UTF-16 inputs", () => {
  it("reads UTF-16LE with a BOM and CRLF", async () => {
    const { lines, result } = await readBytes(utf16le(TEXT, true));
    expect(lines).toEqual(LINES);
    expect(result.error).toBeNull();
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("mail-utf16.log is UTF-16 text");
    expect(result.notes[0]).toContain("little-endian");
    expect(result.notes.join(" ")).not.toContain("binary");
  });

  it("reads UTF-16BE with a BOM", async () => {
    const { lines, result } = await readBytes(utf16be(TEXT, true));
    expect(lines).toEqual(LINES);
    expect(result.notes[0]).toContain("big-endian");
  });

  it("reads UTF-16LE without a BOM", async () => {
    const { lines, result } = await readBytes(utf16le(TEXT, false));
    expect(lines).toEqual(LINES);
    expect(result.notes[0]).toContain("without a byte order mark");
  });

  it("reads UTF-16BE without a BOM", async () => {
    const { lines } = await readBytes(utf16be(TEXT, false));
    expect(lines).toEqual(LINES);
  });

  it("reads stdin split inside characters", async () => {
    const bytes = utf16le(TEXT, true);
    // Chunks of 3 bytes cut every second character in half.
    const chunks: Buffer[] = [];
    for (let start = 0; start < bytes.length; start += 3) {
      chunks.push(bytes.subarray(start, start + 3));
    }
    const { lines, result } = await readLines(
      { type: "stdin", name: "-" },
      { stdin: Readable.from(chunks) },
    );
    expect(lines).toEqual(LINES);
    expect(result.notes[0]).toContain("standard input is UTF-16 text");
  });

  it("counts raw and decoded bytes", async () => {
    const bytes = utf16le(TEXT, true);
    const { result } = await readBytes(bytes);
    expect(result.bytes).toBe(bytes.length);
    expect(result.decompressedBytes).toBe(Buffer.byteLength(TEXT));
  });
});

describe("detectUtf16", () => {
  it("leaves UTF-8 text alone", () => {
    expect(detectUtf16(Buffer.from(TEXT))).toBeNull();
  });

  it("leaves a UTF-32LE BOM alone", () => {
    expect(detectUtf16(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]))).toBeNull();
  });

  it("needs 32 bytes without a BOM", () => {
    expect(detectUtf16(utf16le("Mar  4 09", false))).toBeNull();
    expect(detectUtf16(utf16le("Mar  4 09:45:07 mx1", false))).not.toBeNull();
  });

  it("leaves NUL runs of a text log alone", () => {
    const crashed = Buffer.concat([Buffer.alloc(64), Buffer.from(TEXT)]);
    expect(detectUtf16(crashed)).toBeNull();
  });
});
