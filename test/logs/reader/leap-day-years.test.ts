import { execFileSync } from "node:child_process";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { leapDayYearsBack } from "../../../src/logs/reader/leap-day-years.js";
import { CHUNK_BYTES } from "../../../src/logs/reader/read.js";
import type { FileSource } from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");
const JUNE_2025 = Date.UTC(2025, 5, 1);
const LINE = "mx1 postfix/smtpd[1]: connect from mail.example.com[192.0.2.7]";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

// Writes `name` with a classic line for each stamp and returns it as the file of a set.
async function logFile(
  name: string,
  stamps: readonly string[],
  modifiedMs: number,
  continuesPrevious = false,
): Promise<FileSource> {
  const text = stamps.map((stamp) => `${stamp} ${LINE}\n`).join("");
  const content = name.endsWith(".gz") ? gzipSync(text) : Buffer.from(text, "latin1");
  const path = await dir.write(name, content, modifiedMs);
  return { type: "file", name, path, sizeBytes: content.length, modifiedMs, continuesPrevious };
}

describe("leapDayYearsBack", () => {
  it("moves a copied log to the leap year", async () => {
    const stamps = ["Feb 28 23:00:00", "Feb 29 00:10:00", "Mar  1 09:00:00"];
    const file = await logFile("mail.log", stamps, JUNE_2025);

    expect(await leapDayYearsBack([file], UTC)).toEqual({ fromYear: 2025, toYear: 2024 });
  });

  it("finds Feb 29 in the older gzip file", async () => {
    const older = await logFile("mail.log.1.gz", ["Feb 28 23:00:00", "Feb 29 00:10:00"], JUNE_2025);
    const newer = await logFile("mail.log", ["Mar  1 09:00:00"], JUNE_2025, true);

    expect(await leapDayYearsBack([older, newer], UTC)).toEqual({ fromYear: 2025, toYear: 2024 });
  });

  it("takes 2096 before 2100", async () => {
    const file = await logFile("mail.log", ["Feb 29 00:10:00"], Date.UTC(2101, 5, 1));

    expect(await leapDayYearsBack([file], UTC)).toEqual({ fromYear: 2101, toYear: 2096 });
  });

  it("finds Feb 29 across a chunk end", async () => {
    const first = `Feb 28 23:00:00 ${LINE}\n`;
    const filler = `Feb 28 23:30:00 ${LINE}${" ".repeat(100)}\n`;
    // The last filler line is padded so that `Feb 29 ` starts 3 bytes before the chunk's end.
    const fillerCount = Math.floor((CHUNK_BYTES - first.length) / filler.length) - 1;
    const used = first.length + fillerCount * filler.length;
    const padding = CHUNK_BYTES - 3 - used - `Feb 28 23:40:00 ${LINE}\n`.length;
    const last = `Feb 28 23:40:00 ${LINE}${" ".repeat(padding)}\n`;
    const text = `${first}${filler.repeat(fillerCount)}${last}Feb 29 00:10:00 ${LINE}\n`;
    const path = await dir.write("mail.log", text, JUNE_2025);
    const file: FileSource = {
      type: "file",
      name: "mail.log",
      path,
      sizeBytes: text.length,
      modifiedMs: JUNE_2025,
      continuesPrevious: false,
    };

    expect(text.indexOf("Feb 29 ")).toBe(CHUNK_BYTES - 3);
    expect(await leapDayYearsBack([file], UTC)).toEqual({ fromYear: 2025, toYear: 2024 });
  });

  it("needs no move with a true mtime", async () => {
    const stamps = ["Feb 28 23:00:00", "Feb 29 00:10:00", "Mar  1 09:00:00"];
    const file = await logFile("mail.log", stamps, Date.UTC(2024, 2, 1, 10));

    expect(await leapDayYearsBack([file], UTC)).toBeNull();
  });

  it("needs no move without Feb 29", async () => {
    const file = await logFile("mail.log", ["Feb 28 23:00:00", "Mar  1 09:00:00"], JUNE_2025);

    expect(await leapDayYearsBack([file], UTC)).toBeNull();
  });

  it("needs no move for dated stamps", async () => {
    const path = await dir.write("mail.log", `2025-02-28T10:00:00Z ${LINE}\n`, JUNE_2025);
    const file: FileSource = {
      type: "file",
      name: "mail.log",
      path,
      sizeBytes: 100,
      modifiedMs: JUNE_2025,
      continuesPrevious: false,
    };

    expect(await leapDayYearsBack([file], UTC)).toBeNull();
  });

  it("gives null for a missing file", async () => {
    const file = await logFile("mail.log", ["Feb 29 00:10:00"], JUNE_2025);

    expect(await leapDayYearsBack([{ ...file, path: `${file.path}.gone` }], UTC)).toBeNull();
  });

  it.runIf(process.platform !== "win32")("reads a named pipe once", async () => {
    const path = join(dir.path, "mail.fifo");
    execFileSync("mkfifo", [path]);
    await utimes(path, JUNE_2025 / 1000, JUNE_2025 / 1000);
    const stamps = ["Feb 28 23:00:00", "Feb 29 00:10:00", "Mar  1 09:00:00"];
    const text = stamps.map((stamp) => `${stamp} ${LINE}\n`).join("");

    const [summary] = await Promise.all([
      readLogs([path], [], { timeZone: UTC }),
      writeFile(path, text),
    ]);

    expect(summary.totals.lines).toBe(3);
    expect(summary.totals.records).toBe(3);
    expect(summary.leapDayShifts).toEqual([]);
  });
});
