import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { binaryFormat, binaryInputNames } from "../../../src/logs/reader/notes.js";
import type { InputSummary, ReadSummary } from "../../../src/logs/reader/summary.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const LOG = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n".repeat(3);

// The first bytes of small files of each format, ended without a line end like real files.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0IEND", "latin1"),
]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("\0\x10JFIF")]);
const GIF = Buffer.from("GIF89a\x01\0\x01\0\x80\0\0\xff\xff\xff\0\0\0!", "latin1");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF", "latin1");
const ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0]), Buffer.from("a.txt")]);

function read(inputs: readonly string[]): Promise<ReadSummary> {
  return readLogs(inputs, [], { timeZone: resolveTimeZone("UTC"), cwd: dir.path });
}

function inputNamed(summary: ReadSummary, name: string): InputSummary {
  const input = summary.inputs.find((candidate) => candidate.name === name);
  if (input === undefined) throw new Error(`no input named ${name}`);
  return input;
}

describe("binaryFormat", () => {
  it("names each known signature", () => {
    expect(binaryFormat(PNG)).toBe("PNG image");
    expect(binaryFormat(JPEG)).toBe("JPEG image");
    expect(binaryFormat(GIF)).toBe("GIF image");
    expect(binaryFormat(Buffer.from("GIF87a"))).toBe("GIF image");
    expect(binaryFormat(PDF)).toBe("PDF document");
    expect(binaryFormat(ZIP)).toBe("ZIP archive");
    expect(binaryFormat(Buffer.from([0x50, 0x4b, 0x05, 0x06]))).toBe("ZIP archive");
  });

  it("returns null for text and short input", () => {
    expect(binaryFormat(Buffer.from(LOG))).toBeNull();
    expect(binaryFormat(Buffer.from("PK and more"))).toBeNull();
    expect(binaryFormat(Buffer.from([0x89, 0x50]))).toBeNull();
    expect(binaryFormat(Buffer.alloc(0))).toBeNull();
  });
});

describe("files with a binary signature", () => {
  it("get the binary note, not a cut line", async () => {
    const files: Array<[string, Buffer, string]> = [
      ["logo.png", PNG, "PNG image"],
      ["photo.jpg", JPEG, "JPEG image"],
      ["anim.gif", GIF, "GIF image"],
      ["report.pdf", PDF, "PDF document"],
      ["logs.zip", ZIP, "ZIP archive"],
    ];
    for (const [name, bytes] of files) await dir.write(name, bytes);

    const summary = await read(files.map(([name]) => name));
    for (const [name, , format] of files) {
      const notes = inputNamed(summary, name).notes;
      expect(notes, name).toHaveLength(1);
      expect(notes[0], name).toContain(`${name} looks like a binary file, not a text log`);
      expect(notes[0], name).toContain(`it starts with the signature of a ${format}`);
      expect(notes[0], name).not.toContain("ended without a line end");
    }
    expect(binaryInputNames(summary.inputs)).toEqual(files.map(([name]) => name));
  });
});

describe("binary files among logs", () => {
  it("stay out of the line counts", async () => {
    await dir.write("mail.log", LOG);
    await dir.write("chart.png", PNG);

    const summary = await read(["mail.log", "chart.png"]);
    expect(summary.totals.lines).toBe(3);
    expect(summary.totals.unrecognised).toBe(0);
    expect(summary.totals.nul).toBe(0);
    expect(summary.unrecognisedSamples).toEqual([]);
    // The file's own count is 0 too, so that the counts of the files add up to the total.
    expect(inputNamed(summary, "chart.png").lines).toBe(0);
  });

  it("say that their lines were not counted", async () => {
    await dir.write("chart.png", PNG);

    const notes = inputNamed(await read(["chart.png"]), "chart.png").notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("so its lines were not counted as log lines.");
    expect(notes[0]).not.toContain("count as skipped");
  });

  it("keep counting lines with records", async () => {
    const binaryLog = Buffer.concat([
      Buffer.from("\x01a\x02b\x03c\x04d\x05e\x06f\x07g\x08h\n", "latin1"),
      Buffer.from(LOG),
    ]);
    await dir.write("odd.log", binaryLog);

    const summary = await read(["odd.log"]);
    expect(binaryInputNames(summary.inputs)).toEqual(["odd.log"]);
    expect(summary.totals.records).toBe(3);
    expect(summary.totals.lines).toBe(4);
    expect(inputNamed(summary, "odd.log").notes[0]).toContain("mostly count as skipped");
  });
});

describe("text files without log lines", () => {
  it("get a note that names them", async () => {
    await dir.write("mail.log", LOG);
    await dir.write("README.txt", "Logs of mx1.example.com.\nRotated weekly.\n");

    const summary = await read(["mail.log", "README.txt"]);
    expect(inputNamed(summary, "mail.log").notes).toEqual([]);
    const notes = inputNamed(summary, "README.txt").notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("README.txt held no log lines: none of its 2 lines has");
  });

  it("replace the cut-line note", async () => {
    await dir.write("NOTES", "one line without a line end");

    const notes = inputNamed(await read(["NOTES"]), "NOTES").notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      "NOTES held no log lines: its only line has no timestamp or syslog header",
    );
    expect(notes[0]).toContain("so it was read as a line without a log format.");
  });

  it("leave empty and blank files alone", async () => {
    await dir.write("empty.log", "");
    await dir.write("blank.log", "\n\n");

    const summary = await read(["empty.log", "blank.log"]);
    expect(inputNamed(summary, "empty.log").notes).toEqual([]);
    expect(inputNamed(summary, "blank.log").notes).toEqual([]);
  });
});

describe("subdirectories of a directory", () => {
  it("get one note naming them", async () => {
    await mkdir(join(dir.path, "logs", "old"), { recursive: true });
    await dir.write(join("logs", "mail.log"), LOG);
    await dir.write(join("logs", "old", "mail.log.1"), LOG);

    const summary = await read(["logs"]);
    expect(summary.planNotes).toEqual([
      `Skipped the subdirectory ${join("logs", "old")}: only the files directly inside logs ` +
        `are read. Name the files to read, or give a glob such as 'logs/**/*log*'.`,
    ]);
    expect(summary.inputs.map((input) => input.name)).toEqual([join("logs", "mail.log")]);
  });

  it("are counted past five", async () => {
    for (const name of ["a", "b", "c", "d", "e", "f", "g"]) {
      await mkdir(join(dir.path, "logs", name), { recursive: true });
    }
    await dir.write(join("logs", "mail.log"), LOG);

    const [note] = (await read(["logs"])).planNotes;
    const named = ["a", "b", "c", "d", "e"].map((name) => join("logs", name)).join(", ");
    expect(note).toContain(`Skipped the subdirectories ${named} and 2 more:`);
  });

  it("get no note without files", async () => {
    await mkdir(join(dir.path, "logs", "old"), { recursive: true });

    const summary = await read(["logs"]);
    expect(summary.planNotes).toEqual([]);
    expect(summary.inputs[0]?.error?.code).toBe("no-match");
  });

  it("leave hidden ones unnamed", async () => {
    await mkdir(join(dir.path, "logs", ".snapshots"), { recursive: true });
    await dir.write(join("logs", "mail.log"), LOG);

    expect((await read(["logs"])).planNotes).toEqual([]);
  });
});
