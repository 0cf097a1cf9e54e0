import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { analyseLogs } from "../../../src/diagnose/run.js";
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from "../../../src/logs/reader/lines.js";
import { resolveTimeZone } from "../../../src/time/zone.js";
import { HOUR, PostfixLog, T0 } from "../../helpers/postfix-fixture.js";
import { makeTempDir, type TempDir } from "./temp-dir.js";

const UTC = resolveTimeZone("UTC");
const RUN_BYTES = 70_000;

interface Split {
  lines: string[];
  overlong: number;
  nul: number;
  unterminated: boolean;
}

// Splits `bytes` fed in chunks that end at `cuts` (byte offsets).
function split(bytes: Buffer, cuts: number[] = [], maxLineBytes?: number): Split {
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => lines.push(text), maxLineBytes);
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(start, cut));
    start = cut;
  }
  splitter.end();
  return {
    lines,
    overlong: splitter.overlongLines,
    nul: splitter.nulLines,
    unterminated: splitter.lastLineUnterminated,
  };
}

function nuls(count: number): Buffer {
  return Buffer.alloc(count, 0);
}

function text(value: string): Buffer {
  return Buffer.from(value, "latin1");
}

describe("LineSplitter leading NUL run", () => {
  it("reads the line after a run longer than the limit", () => {
    const input = Buffer.concat([
      text("first\n"),
      nuls(RUN_BYTES),
      text("after the crash\nlast\n"),
    ]);
    const result = split(input);

    expect(result.lines).toEqual(["first", "after the crash", "last"]);
    expect(result.overlong).toBe(0);
    expect(result.nul).toBe(1);
  });

  it("reads it when chunks cut the run", () => {
    const input = Buffer.concat([
      text("first\n"),
      nuls(RUN_BYTES),
      text("after the crash\nlast\n"),
    ]);
    const cuts = [3, 6, 100, 65_536, 65_600, RUN_BYTES + 6, RUN_BYTES + 10];
    const result = split(input, cuts);

    expect(result.lines).toEqual(["first", "after the crash", "last"]);
    expect(result.overlong).toBe(0);
    expect(result.nul).toBe(1);
  });

  it("applies the limit to the text after the run", () => {
    const long = "x".repeat(DEFAULT_MAX_LINE_BYTES + 10);
    const input = Buffer.concat([nuls(RUN_BYTES), text(`${long}\nnext\n`)]);

    for (const cuts of [[], [RUN_BYTES - 1], [RUN_BYTES + 5, RUN_BYTES + 70_000]]) {
      const result = split(input, cuts);
      expect(result.lines[0]).toBe(long.slice(0, DEFAULT_MAX_LINE_BYTES));
      expect(result.lines[1]).toBe("next");
      expect(result.overlong).toBe(1);
    }
  });

  it("keeps NULs of a short line", () => {
    const input = text("a\u0000b\n\u0000\u0000c\u0000d\n\u0000\u0000e");
    for (const cuts of [[], [5], [6, 7]]) {
      const result = split(input, cuts);
      expect(result.lines).toEqual(["a\u0000b", "\u0000\u0000c\u0000d", "\u0000\u0000e"]);
      expect(result.nul).toBe(3);
    }
  });

  it("reads text after a run cut by chunks", () => {
    const after = "x".repeat(30_000);
    const input = Buffer.concat([nuls(40_000), text(after), text("\n")]);
    for (const cuts of [[40_000], [20_000, 40_000, 50_000], [39_999]]) {
      const result = split(input, cuts);
      expect(result.lines).toEqual([after]);
      expect(result.overlong).toBe(0);
    }
  });

  it("gives an empty line for a run alone", () => {
    const result = split(Buffer.concat([text("a\n"), nuls(RUN_BYTES), text("\nb\n")]), [70]);

    expect(result.lines).toEqual(["a", "", "b"]);
    expect(result.overlong).toBe(0);
    expect(result.nul).toBe(1);
  });

  it("drops a CR after the run", () => {
    const result = split(Buffer.concat([nuls(RUN_BYTES), text("a\r\nb\r\n")]), [100]);

    expect(result.lines).toEqual(["a", "b"]);
  });
});

describe("LineSplitter last line without line end", () => {
  it("counts the line and flags it", () => {
    const result = split(text("a\nhalf a rec"), [4]);

    expect(result.lines).toEqual(["a", "half a rec"]);
    expect(result.unterminated).toBe(true);
  });

  it("does not flag a text that ends with LF", () => {
    expect(split(text("a\nb\n")).unterminated).toBe(false);
  });

  it("does not flag a NUL run at the end", () => {
    const result = split(Buffer.concat([text("a\n"), nuls(RUN_BYTES)]));

    expect(result.lines).toEqual(["a", ""]);
    expect(result.unterminated).toBe(false);
  });
});

describe("readLogs after a NUL run", () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  it("parses the record that follows the run", async () => {
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
    const crashed = Buffer.concat([
      clean.subarray(0, middle),
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
    expect(totals.lines).toBe(cleanRun.summary.totals.lines);
    expect(totals.parsed).toBe(cleanRun.summary.totals.parsed);
    expect(totals.blank).toBe(0);
    expect(totals.overlong).toBe(0);
    expect(totals.nul).toBe(1);
  });
});
