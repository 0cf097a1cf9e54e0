import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import { dropSameContent } from "../../../src/logs/reader/same-content.js";
import { planInputs, type PlannedInput } from "../../../src/logs/reader/sources.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

const LINE = "Mar  4 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n";
const TEXT = LINE.repeat(200);

/** Plans `names` in the temp folder and drops the copies. */
async function drop(names: readonly string[]) {
  return dropSameContent(await planInputs(names, dir.path));
}

function namesOf(plan: readonly PlannedInput[]): string[] {
  return plan.map((input) => input.name);
}

describe("dropSameContent with gzip", () => {
  it("keeps the plain file of a gzip copy", async () => {
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", gzipSync(TEXT));
    for (const order of [
      ["mail.log.1", "mail.log.1.gz"],
      ["mail.log.1.gz", "mail.log.1"],
    ]) {
      const { unique, duplicates } = await drop(order);
      expect(namesOf(unique), order.join()).toEqual(["mail.log.1"]);
      expect(duplicates, order.join()).toEqual([{ name: "mail.log.1.gz", sameAs: "mail.log.1" }]);
    }
  });

  it("drops a second compression of the text", async () => {
    await dir.write("a.gz", gzipSync(TEXT, { level: 1 }));
    await dir.write("b.gz", gzipSync(TEXT, { level: 9 }));
    const { unique, duplicates } = await drop(["a.gz", "b.gz"]);
    expect(namesOf(unique)).toEqual(["a.gz"]);
    expect(duplicates).toEqual([{ name: "b.gz", sameAs: "a.gz" }]);
  });

  it("reads a gzip file of other text", async () => {
    await dir.write("mail.log.1", TEXT);
    // The same length, so the ISIZE matches, but one byte differs.
    await dir.write("mail.log.1.gz", gzipSync(TEXT.replace("removed", "Removed")));
    const { unique, duplicates } = await drop(["mail.log.1", "mail.log.1.gz"]);
    expect(namesOf(unique)).toEqual(["mail.log.1", "mail.log.1.gz"]);
    expect(duplicates).toEqual([]);
  });

  it("reads a gzip file of several members", async () => {
    // The last member's ISIZE is the plain file's size, but the whole text is longer.
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", Buffer.concat([gzipSync(LINE), gzipSync(TEXT)]));
    const { unique, duplicates } = await drop(["mail.log.1", "mail.log.1.gz"]);
    expect(namesOf(unique)).toEqual(["mail.log.1", "mail.log.1.gz"]);
    expect(duplicates).toEqual([]);
  });

  it("reads a gzip file with a damaged trailer", async () => {
    const compressed = gzipSync(TEXT);
    // Flip the CRC-32, which sits before the ISIZE in the last 8 bytes.
    const crcAt = compressed.length - 8;
    compressed[crcAt] = (compressed[crcAt] ?? 0) ^ 0xff;
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", compressed);
    const { unique, duplicates } = await drop(["mail.log.1", "mail.log.1.gz"]);
    expect(namesOf(unique)).toEqual(["mail.log.1", "mail.log.1.gz"]);
    expect(duplicates).toEqual([]);
  });

  it("reads a gzip file cut short", async () => {
    const compressed = gzipSync(TEXT);
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", compressed.subarray(0, compressed.length - 10));
    const { unique, duplicates } = await drop(["mail.log.1", "mail.log.1.gz"]);
    expect(namesOf(unique)).toEqual(["mail.log.1", "mail.log.1.gz"]);
    expect(duplicates).toEqual([]);
  });

  it("reads gzip files too short for a trailer", async () => {
    const stub = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    await dir.write("a.gz", stub);
    await dir.write("b.gz", stub);
    const { unique, duplicates } = await drop(["a.gz", "b.gz"]);
    expect(namesOf(unique)).toEqual(["a.gz", "b.gz"]);
    expect(duplicates).toEqual([]);
  });

  it("starts the rotated set at the next file", async () => {
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", gzipSync(TEXT));
    await dir.write("mail.log", LINE);
    const { unique } = await drop(["mail.log.1.gz", "mail.log.1", "mail.log"]);
    const continues = unique.map((input) => input.type === "file" && input.continuesPrevious);
    expect(namesOf(unique)).toEqual(["mail.log.1", "mail.log"]);
    expect(continues).toEqual([false, true]);
  });
});

describe("readLogs with a gzip copy", () => {
  it("counts the lines once", async () => {
    await dir.write("mail.log.1", TEXT);
    await dir.write("mail.log.1.gz", gzipSync(TEXT));
    const summary = await readLogs(["mail.log.1.gz", "mail.log.1"], [], {
      timeZone: resolveTimeZone("UTC"),
      cwd: dir.path,
    });
    expect(summary.totals.lines).toBe(200);
    expect(summary.inputs.map((input) => input.name)).toEqual(["mail.log.1"]);
    expect(summary.sameContent).toEqual([{ name: "mail.log.1.gz", sameAs: "mail.log.1" }]);
  });
});
