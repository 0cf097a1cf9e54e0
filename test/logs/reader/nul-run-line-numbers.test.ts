import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readLogs } from "../../../src/logs/pipeline.js";
import type { LogRecord, RecordParser } from "../../../src/logs/record.js";
import { DEFAULT_MAX_LINE_BYTES } from "../../../src/logs/reader/lines.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");

// Five syslog records, one per line. Line 3 is the one a crash cuts.
const RECORDS = [1, 2, 3, 4, 5].map(
  (n) => `Mar  4 10:00:0${n} mx1 postfix/smtp[10${n}]: 4AB${n}: to=<user${n}@example.com>`,
);

// Stores the line number of each record by its message, and parses every record.
class LineRecorder implements RecordParser {
  readonly lines = new Map<string, number>();

  accepts(program: string): boolean {
    return program === "postfix/smtp";
  }

  parse(record: LogRecord): "parsed" {
    this.lines.set(record.message, record.line);
    return "parsed";
  }

  finish(): void {}
}

function messageOf(record: string): string {
  return record.slice(record.indexOf(": ") + 2);
}

// The five records with line 3 replaced by its first bytes, a NUL run of `runBytes`, and the
// whole record again, as a crash and the first write after the restart leave it.
function crashedLog(runBytes: number): Buffer {
  const lines = RECORDS.map((record) => Buffer.from(`${record}\n`, "latin1"));
  const third = RECORDS[2] ?? "";
  lines[2] = Buffer.concat([
    Buffer.from(third.slice(0, 30), "latin1"),
    Buffer.alloc(runBytes, 0),
    Buffer.from(`${third}\n`, "latin1"),
  ]);
  return Buffer.concat(lines);
}

function countLineEnds(bytes: Buffer): number {
  let count = 0;
  for (const byte of bytes) if (byte === 10) count += 1;
  return count;
}

describe("readLogs NUL run inside a line", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  const runs = [
    { name: "shorter than the line limit", bytes: 3_000 },
    { name: "longer than the line limit", bytes: DEFAULT_MAX_LINE_BYTES + 50_000 },
  ];
  for (const run of runs) {
    it(`keeps line numbers, run ${run.name}`, async () => {
      const bytes = crashedLog(run.bytes);
      const file = await dir.write("crashed.log", bytes);
      const recorder = new LineRecorder();
      const summary = await readLogs([file], [recorder], { timeZone: UTC, year: 2024 });

      const totals = summary.totals;
      expect(totals.lines).toBe(countLineEnds(bytes));
      expect(totals.parsed).toBe(5);
      expect(totals.nulCutRecords).toBe(1);
      expect(totals.nul).toBe(1);
      expect(totals.unrecognised).toBe(0);
      expect(totals.blank).toBe(0);
      expect(summary.unrecognisedSamples).toEqual([]);
      RECORDS.forEach((record, index) => {
        expect(recorder.lines.get(messageOf(record)), record).toBe(index + 1);
      });
    });
  }

  it("frames a line whose text after the run is no record", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${RECORDS[0]}\nab`, "latin1"),
      Buffer.alloc(3_000, 0),
      Buffer.from(`cd\n${RECORDS[1]}\n`, "latin1"),
    ]);
    const file = await dir.write("nuls.log", bytes);
    const recorder = new LineRecorder();
    const summary = await readLogs([file], [recorder], { timeZone: UTC, year: 2024 });

    expect(summary.totals.lines).toBe(3);
    expect(summary.totals.nulCutRecords).toBe(0);
    expect(summary.totals.unrecognised).toBe(1);
    expect(summary.unrecognisedSamples[0]?.line).toBe(2);
    expect(recorder.lines.get(messageOf(RECORDS[1] ?? ""))).toBe(3);
  });
});
