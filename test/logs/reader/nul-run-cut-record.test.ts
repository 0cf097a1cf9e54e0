import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyseLogs } from "../../../src/diagnose/run.js";
import {
  ByteLineSplitter,
  CUT_BY_NUL_RUN,
  DEFAULT_MAX_LINE_BYTES,
} from "../../../src/logs/reader/lines.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");
const RUN_BYTES = 100_000;

interface Split {
  /** Every part handed on, lines and cut records alike, in order. */
  lines: string[];
  /** The line number of each part. */
  numbers: number[];
  /** The parts marked `CUT_BY_NUL_RUN`. */
  cutRecords: string[];
  lineCount: number;
  overlong: number;
  nul: number;
}

// Splits `bytes` fed in chunks that end at `cuts` (byte offsets).
function split(bytes: Buffer, cuts: number[] = []): Split {
  const result: Split = {
    lines: [],
    numbers: [],
    cutRecords: [],
    lineCount: 0,
    overlong: 0,
    nul: 0,
  };
  const splitter = new ByteLineSplitter((buffer, start, end, lineNumber, nul) => {
    const text = buffer.toString("latin1", start, end);
    result.lines.push(text);
    result.numbers.push(lineNumber);
    if (nul === CUT_BY_NUL_RUN) result.cutRecords.push(text);
  });
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(start, cut));
    start = cut;
  }
  splitter.end();
  result.lineCount = splitter.lines;
  result.overlong = splitter.overlongLines;
  result.nul = splitter.nulLines;
  return result;
}

function nuls(count: number): Buffer {
  return Buffer.alloc(count, 0);
}

function text(value: string): Buffer {
  return Buffer.from(value, "latin1");
}

// Chunk boundaries to try on an input of `before` text bytes and a run of `RUN_BYTES` NULs.
function chunkings(before: number): number[][] {
  const runEnd = before + RUN_BYTES;
  return [
    [],
    [before - 3],
    [before],
    [before + 1],
    [before + 10, before + 65_536, before + 65_537],
    [before + DEFAULT_MAX_LINE_BYTES, before + DEFAULT_MAX_LINE_BYTES + 1],
    [runEnd - 1, runEnd + 2],
    [runEnd],
  ];
}

describe("LineSplitter NUL run after a cut record", () => {
  it("ends the cut record before the run", () => {
    const input = Buffer.concat([text("a\ncut rec"), nuls(RUN_BYTES), text("next\nlast\n")]);
    for (const cuts of chunkings(9)) {
      const result = split(input, cuts);
      const where = `chunks end at ${cuts.join(",")}`;
      expect(result.lines, where).toEqual(["a", "cut rec", "next", "last"]);
      expect(result.numbers, where).toEqual([1, 2, 2, 3]);
      expect(result.cutRecords, where).toEqual(["cut rec"]);
      expect(result.lineCount, where).toBe(3);
      expect(result.overlong).toBe(0);
      expect(result.nul).toBe(1);
    }
  });

  it("keeps a run no longer than the limit", () => {
    const run = nuls(DEFAULT_MAX_LINE_BYTES);
    const result = split(Buffer.concat([text("ab"), run, text("cd\n")]));

    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]?.startsWith("ab\u0000")).toBe(true);
    expect(result.lines[0]).toHaveLength(DEFAULT_MAX_LINE_BYTES);
    expect(result.overlong).toBe(1);
    expect(result.nul).toBe(1);
  });

  it("counts a NUL before the run once", () => {
    const input = Buffer.concat([text("a\u0000b"), nuls(RUN_BYTES), text("c\n")]);
    for (const cuts of chunkings(3)) {
      const result = split(input, cuts);
      expect(result.lines).toEqual(["a\u0000b", "c"]);
      expect(result.cutRecords).toEqual(["a\u0000b"]);
      expect(result.numbers).toEqual([1, 1]);
      expect(result.nul).toBe(1);
    }
  });

  it("cuts an overlong record before the run", () => {
    const long = "x".repeat(DEFAULT_MAX_LINE_BYTES + 5);
    const input = Buffer.concat([text(long), nuls(RUN_BYTES), text("next\n")]);
    for (const cuts of chunkings(long.length)) {
      const result = split(input, cuts);
      expect(result.lines).toEqual([long.slice(0, DEFAULT_MAX_LINE_BYTES), "next"]);
      expect(result.numbers).toEqual([1, 1]);
      expect(result.overlong).toBe(1);
      expect(result.nul).toBe(1);
    }
  });

  it("ends the line at each long run", () => {
    const input = Buffer.concat([
      text("one"),
      nuls(RUN_BYTES),
      text("two"),
      nuls(RUN_BYTES),
      text("three\n"),
    ]);
    for (const cuts of [[], [50_000, 100_003, 150_000], [3, 100_003, 100_006]]) {
      const result = split(input, cuts);
      expect(result.lines).toEqual(["one", "two", "three"]);
      expect(result.cutRecords).toEqual(["one", "two"]);
      expect(result.numbers).toEqual([1, 1, 1]);
      expect(result.lineCount).toBe(1);
      expect(result.nul).toBe(1);
    }
  });

  it("drops a run at the end of the input", () => {
    const result = split(Buffer.concat([text("a\ncut"), nuls(RUN_BYTES)]), [4]);

    expect(result.lines).toEqual(["a", "cut"]);
    expect(result.cutRecords).toEqual([]);
    expect(result.overlong).toBe(0);
  });

  it("drops a run before the line end", () => {
    const input = Buffer.concat([text("cut"), nuls(RUN_BYTES), text("\nnext\n")]);
    for (const cuts of chunkings(3)) {
      const result = split(input, cuts);
      expect(result.lines).toEqual(["cut", "next"]);
      expect(result.numbers).toEqual([1, 2]);
      expect(result.cutRecords).toEqual([]);
      expect(result.nul).toBe(1);
    }
  });

  it("cuts the record at the first text byte", () => {
    const input = Buffer.concat([text("cut"), nuls(RUN_BYTES), text("n\nx\n")]);
    const result = split(input, [3 + RUN_BYTES]);

    expect(result.lines).toEqual(["cut", "n", "x"]);
    expect(result.numbers).toEqual([1, 1, 2]);
    expect(result.cutRecords).toEqual(["cut"]);
  });

  it("drops the CR after the run", () => {
    const result = split(Buffer.concat([text("cut"), nuls(RUN_BYTES), text("b\r\n")]));

    expect(result.lines).toEqual(["cut", "b"]);
  });
});

describe("readLogs after a cut record and a NUL run", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it("parses every record after the run", async () => {
    const log = new PostfixLog();
    for (let hour = 0; hour < 4; hour++) {
      log.submit({
        time: T0 + hour * HOUR,
        account: "alice@example.com",
        clientIp: "192.0.2.10",
        recipients: [{ address: `friend${hour}@example.net` }],
      });
    }
    const clean = text(log.text());
    const middle = clean.indexOf("\n", clean.length / 2) + 1;
    const cutRecord = text("Jun 10 00:01:04 mx1 postf");
    const crashed = Buffer.concat([
      clean.subarray(0, middle),
      cutRecord,
      nuls(RUN_BYTES),
      clean.subarray(middle),
    ]);
    const now = T0 + 2 * 24 * HOUR;
    const cleanRun = await analyseLogs([await dir.write("clean.log", clean)], {
      timeZone: UTC,
      now,
    });
    const run = await analyseLogs([await dir.write("crashed.log", crashed)], {
      timeZone: UTC,
      now,
    });

    const totals = run.summary.totals;
    const cleanTotals = cleanRun.summary.totals;
    expect(totals.lines).toBe(cleanTotals.lines);
    expect(totals.parsed).toBe(cleanTotals.parsed);
    expect(totals.unrecognised + totals.unparsed).toBe(
      cleanTotals.unrecognised + cleanTotals.unparsed,
    );
    expect(totals.nulCutRecords).toBe(1);
    expect(totals.overlong).toBe(0);
    expect(totals.nul).toBe(1);
  });
});
