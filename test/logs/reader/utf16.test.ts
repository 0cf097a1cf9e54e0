import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LineSplitter } from "../../../src/logs/reader/lines.js";
import { readSource, type ReadSourceOptions } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { detectUtf16 } from "../../../src/logs/reader/utf16.js";
import { loginRecords } from "../../helpers/login-records.js";
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

// Postfix lines whose subjects and names are Chinese and Japanese, so that most characters of
// the first KiB are above U+00FF.
const CJK_LINES = [
  "Mar  4 09:45:10 mx1 postfix/cleanup[4001]: 9A00000003: warning: header Subject: 会议通知：三月预算审核会议改期到下周一上午十时 from client.example.org[192.0.2.50]",
  "Mar  4 09:45:11 mx1 postfix/cleanup[4001]: 9A00000004: warning: header Subject: 請求書の送付について（三月分）ご確認のほどよろしくお願いいたします from client.example.org[192.0.2.50]",
  "Mar  4 09:45:12 mx1 postfix/qmgr[900]: 9A00000003: from=<王小明@example.com>, size=2000, nrcpt=1 (queue active)",
  "Mar  4 09:45:13 mx1 postfix/smtp[4100]: 9A00000003: to=<李华@example.net>, relay=mx.example.net[203.0.113.5]:25, status=sent (250 2.0.0 已接收 😀)",
];
const CJK_TEXT = CJK_LINES.join("\n") + "\n";

// Deterministic bytes that look like compressed or encrypted data.
function noiseBytes(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = 12345;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

// A sine wave as 16-bit little-endian PCM samples, as in a WAV file's data.
function pcmSamples(count: number): Buffer {
  const bytes = Buffer.alloc(count * 2);
  for (let index = 0; index < count; index++) {
    bytes.writeInt16LE(Math.round(Math.sin(index / 7) * 1000), index * 2);
  }
  return bytes;
}

describe("UTF-16 without a BOM", () => {
  it("reads little-endian CJK text", async () => {
    const { lines, result } = await readBytes(utf16le(CJK_TEXT, false));
    expect(lines).toEqual(CJK_LINES);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("UTF-16 little-endian without a byte order mark");
    expect(result.notes.join(" ")).not.toContain("binary");
  });

  it("reads big-endian CJK text", async () => {
    const { lines, result } = await readBytes(utf16be(CJK_TEXT, false));
    expect(lines).toEqual(CJK_LINES);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("UTF-16 big-endian without a byte order mark");
  });

  it("detects text a third ASCII", () => {
    const header = "Mar  4 09:45:10 mx1 postfix/cleanup[4001]: 9A00000003: Subject: ";
    const text = (header + "会议通知三月预算审核".repeat(12) + "\n").repeat(4);
    const sample = text.slice(0, 512);
    const asciiShare = [...sample].filter((char) => char < "\u0080").length / sample.length;
    expect(asciiShare).toBeGreaterThan(0.25);
    expect(asciiShare).toBeLessThan(0.4);
    expect(detectUtf16(utf16le(text, false))).toEqual({ encoding: "utf-16le", bom: false });
    expect(detectUtf16(utf16be(text, false))).toEqual({ encoding: "utf-16be", bom: false });
  });

  it("allows a pair cut by the sample", () => {
    // 151 ASCII units put the high half of a pair last in the first KiB of 512 units.
    const header = "Mar  4 09:45:07 mx1 postfix/smtpd[4000]: ".padEnd(151, "x");
    const bytes = utf16le(header + "😀".repeat(400), false);
    const lastUnit = bytes.readUInt16LE(1022);
    expect(lastUnit).toBeGreaterThanOrEqual(0xd800);
    expect(lastUnit).toBeLessThanOrEqual(0xdbff);
    expect(detectUtf16(bytes)).toEqual({ encoding: "utf-16le", bom: false });
    expect(detectUtf16(bytes.subarray(0, 1024))).toBeNull();
  });

  it("rejects a lone surrogate", () => {
    const bytes = utf16le(CJK_TEXT, false);
    bytes.writeUInt16LE(0xdc00, 40);
    expect(detectUtf16(bytes)).toBeNull();
  });

  it("rejects a control character", () => {
    const bytes = utf16le(CJK_TEXT, false);
    bytes.writeUInt16LE(0x0002, 40);
    expect(detectUtf16(bytes)).toBeNull();
  });

  it("rejects text mostly outside ASCII", () => {
    const text = "Mar  4 09:45:07 mx1 " + "会议通知".repeat(200);
    expect(detectUtf16(utf16le(text, false))).toBeNull();
  });

  it.each([
    ["noise", noiseBytes(4096)],
    ["PCM samples", pcmSamples(2048)],
    ["login records", loginRecords(8)],
    [
      "UTF-32LE text",
      Buffer.from(new Uint32Array([...TEXT].map((char) => char.codePointAt(0) ?? 0)).buffer),
    ],
  ])("leaves %s alone", (_name, bytes) => {
    expect(detectUtf16(bytes)).toBeNull();
  });

  it("keeps the binary note of noise", async () => {
    const { result } = await readBytes(noiseBytes(4096));
    expect(result.notes.join(" ")).toContain("looks like a binary file");
    expect(result.notes.join(" ")).not.toContain("UTF-16");
  });

  it("keeps the binary note of login records", async () => {
    const { result } = await readBytes(loginRecords(8));
    expect(result.notes.join(" ")).toContain("looks like a binary file");
    expect(result.notes.join(" ")).not.toContain("UTF-16");
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

describe("UTF-16 in gzip data", () => {
  it("reads little-endian text with a BOM", async () => {
    const { lines, result } = await readBytes(gzipSync(utf16le(TEXT, true)));
    expect(lines).toEqual(LINES);
    expect(result.compression).toBe("gzip");
    expect(result.error).toBeNull();
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("mail-utf16.log is gzip-compressed UTF-16 text");
    expect(result.notes[0]).toContain("byte order mark of UTF-16 little-endian");
  });

  it("reads big-endian CJK text without a BOM", async () => {
    const { lines, result } = await readBytes(gzipSync(utf16be(CJK_TEXT, false)));
    expect(lines).toEqual(CJK_LINES);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("UTF-16 big-endian without a byte order mark");
  });

  it("counts compressed and decoded bytes", async () => {
    const bytes = gzipSync(utf16le(CJK_TEXT, false));
    const { result } = await readBytes(bytes);
    expect(result.bytes).toBe(bytes.length);
    expect(result.decompressedBytes).toBe(Buffer.byteLength(CJK_TEXT));
  });

  it("decodes output of several chunks", async () => {
    // The 8 MiB of UTF-16 arrive from gunzip in chunks of 1 MiB.
    const copies = 8000;
    const { lines, result } = await readBytes(gzipSync(utf16le(CJK_TEXT.repeat(copies), true)));
    expect(result.decompressedBytes).toBe(Buffer.byteLength(CJK_TEXT) * copies);
    expect(lines).toHaveLength(CJK_LINES.length * copies);
    expect(lines.filter((line) => line.includes("\ufffd"))).toEqual([]);
    expect(lines.at(-1)).toBe(CJK_LINES.at(-1));
  });

  it("reads stdin in small chunks", async () => {
    const bytes = gzipSync(utf16le(CJK_TEXT, false));
    const chunks: Buffer[] = [];
    for (let start = 0; start < bytes.length; start += 5) {
      chunks.push(bytes.subarray(start, start + 5));
    }
    const { lines, result } = await readLines(
      { type: "stdin", name: "-" },
      { stdin: Readable.from(chunks) },
    );
    expect(lines).toEqual(CJK_LINES);
    expect(result.notes[0]).toContain("standard input is gzip-compressed UTF-16 text");
  });

  it("ends an odd last byte as U+FFFD", async () => {
    const text = utf16le(LINES.join("\n"), true);
    const { lines } = await readBytes(gzipSync(Buffer.concat([text, Buffer.from([0x41])])));
    expect(lines).toHaveLength(LINES.length);
    expect(lines.at(-1)).toBe(`${LINES.at(-1) ?? ""}\ufffd`);
  });

  it("keeps the binary note of noise", async () => {
    const { result } = await readBytes(gzipSync(noiseBytes(4096)));
    expect(result.notes.join(" ")).toContain("looks like a binary file");
    expect(result.notes.join(" ")).not.toContain("UTF-16");
  });

  it("leaves UTF-8 text alone", async () => {
    const { lines, result } = await readBytes(gzipSync(Buffer.from(CJK_TEXT)));
    expect(lines).toEqual(CJK_LINES);
    expect(result.notes).toEqual([]);
  });
});
