import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { binaryInputNames } from "../../../src/logs/reader/notes.js";
import type { InputSummary, ReadSummary } from "../../../src/logs/reader/summary.js";
import { isUtf32, unreadEncodingOf } from "../../../src/logs/reader/unread-encodings.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { loginRecords } from "../../helpers/login-records.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const LOG = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n".repeat(7);
// A banner of 800 CJK characters, whose UTF-16 has no ASCII in the first KiB.
const CJK_BANNER = `${"\u4e2d".repeat(800)}\n`;

// `text` as UTF-32 of either byte order, with a byte order mark when `bom` is true.
function utf32(text: string, littleEndian: boolean, bom = false): Buffer {
  const points = [...(bom ? "\ufeff" : ""), ...text].map((char) => char.codePointAt(0) ?? 0);
  const bytes = Buffer.alloc(points.length * 4);
  points.forEach((point, index) => {
    if (littleEndian) bytes.writeUInt32LE(point, index * 4);
    else bytes.writeUInt32BE(point, index * 4);
  });
  return bytes;
}

function read(inputs: readonly string[]): Promise<ReadSummary> {
  return readLogs(inputs, [], { timeZone: resolveTimeZone("UTC"), cwd: dir.path });
}

function inputNamed(summary: ReadSummary, name: string): InputSummary {
  const input = summary.inputs.find((candidate) => candidate.name === name);
  if (input === undefined) throw new Error(`no input named ${name}`);
  return input;
}

describe("unreadEncodingOf", () => {
  it.each([
    ["little-endian", utf32(LOG, true)],
    ["big-endian", utf32(LOG, false)],
    ["little-endian with BOM", utf32(LOG, true, true)],
    ["big-endian with BOM", utf32(LOG, false, true)],
  ])("finds UTF-32 %s", (_, bytes) => {
    expect(isUtf32(bytes)).toBe(true);
    expect(unreadEncodingOf(bytes)).toBe("utf-32");
  });

  it("finds UTF-16 without ASCII", () => {
    const bytes = Buffer.from(CJK_BANNER + LOG, "utf16le");
    expect(isUtf32(bytes)).toBe(false);
    expect(unreadEncodingOf(bytes)).toBe("utf-16");
  });

  it("finds no encoding in binary data", () => {
    expect(unreadEncodingOf(loginRecords(4))).toBeNull();
    expect(unreadEncodingOf(randomBytes(4096))).toBeNull();
  });

  it("needs 32 bytes without a BOM", () => {
    expect(isUtf32(utf32("Mar  4", true))).toBe(false);
  });
});

describe("inputs in unread encodings", () => {
  it("names UTF-32 and how to convert it", async () => {
    await dir.write("utf32.log", utf32(LOG, true));

    const summary = await read(["utf32.log"]);

    const input = inputNamed(summary, "utf32.log");
    expect(input.notes).toHaveLength(1);
    expect(input.notes[0]).toContain("utf32.log is UTF-32 text, which delist does not read");
    expect(input.notes[0]).toContain("iconv -f UTF-32 -t UTF-8");
    expect(input.notes[0]).not.toContain("binary");
    expect(binaryInputNames(summary.inputs)).toEqual(["utf32.log"]);
    expect(summary.totals.lines).toBe(0);
  });

  it("names UTF-16 with a CJK banner", async () => {
    await dir.write("cjk.log", Buffer.from(CJK_BANNER + LOG, "utf16le"));

    const summary = await read(["cjk.log"]);

    const notes = inputNamed(summary, "cjk.log").notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("cjk.log may be UTF-16 text");
    expect(notes[0]).toContain("iconv -f UTF-16LE -t UTF-8");
  });

  it("keeps the binary note for login records", async () => {
    await dir.write("wtmp", loginRecords(21));

    const summary = await read(["wtmp"]);

    expect(inputNamed(summary, "wtmp").notes[0]).toContain("looks like a binary file");
  });

  it("adds file lines up to the total", async () => {
    await mkdir(`${dir.path}/logs`);
    await dir.write("logs/mail.log", LOG);
    await dir.write("logs/mail.log.1", utf32(LOG, true));
    await dir.write("logs/wtmp", loginRecords(21));

    const summary = await read(["logs"]);

    const lines = summary.inputs.map((input) => input.lines);
    expect(lines.reduce((sum, count) => sum + count, 0)).toBe(summary.totals.lines);
    expect(summary.totals.lines).toBe(7);
    expect(inputNamed(summary, "logs/mail.log.1").lines).toBe(0);
    expect(inputNamed(summary, "logs/wtmp").lines).toBe(0);
  });
});
