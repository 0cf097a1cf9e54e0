import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_LINE_BYTES, LineSplitter } from "../../../src/logs/reader/lines.js";

interface Split {
  lines: string[];
  numbers: number[];
  overlong: number;
  nul: number;
}

// Splits `input` fed in chunks that end at `cuts` (byte offsets).
function split(input: Buffer | string, cuts: number[] = [], maxLineBytes?: number): Split {
  const bytes = typeof input === "string" ? Buffer.from(input, "latin1") : input;
  const lines: string[] = [];
  const numbers: number[] = [];
  const splitter = new LineSplitter((text, number) => {
    lines.push(text);
    numbers.push(number);
  }, maxLineBytes);
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(start, cut));
    start = cut;
  }
  splitter.end();
  return { lines, numbers, overlong: splitter.overlongLines, nul: splitter.nulLines };
}

describe("LineSplitter", () => {
  it("splits on LF and numbers lines from 1", () => {
    expect(split("a\nbb\n\nccc\n")).toMatchObject({
      lines: ["a", "bb", "", "ccc"],
      numbers: [1, 2, 3, 4],
    });
  });

  it("delivers a final line without LF", () => {
    expect(split("a\nlast").lines).toEqual(["a", "last"]);
  });

  it("delivers nothing for empty input", () => {
    expect(split("").lines).toEqual([]);
  });

  it("strips one CR before LF", () => {
    expect(split("a\r\nb\r\r\nc\r").lines).toEqual(["a", "b\r", "c"]);
  });

  it("keeps a lone CR inside a line", () => {
    expect(split("250-Hello x\r250-PIPELINING\r250 OK\nnext\n").lines).toEqual([
      "250-Hello x\r250-PIPELINING\r250 OK",
      "next",
    ]);
  });

  it("splits a stream with CR-only line ends on CR", () => {
    const result = split("Mar  4 09:15:02 a\rMar  4 09:15:03 b\r\rlast", [20]);
    expect(result.lines).toEqual(["Mar  4 09:15:02 a", "Mar  4 09:15:03 b", "", "last"]);
    expect(result.numbers).toEqual([1, 2, 3, 4]);
  });

  it("decides on LF when the first chunk has one", () => {
    expect(split("a\rb\nc\rd\n").lines).toEqual(["a\rb", "c\rd"]);
  });

  it("keeps CRLF split across chunks", () => {
    expect(split("a\r\nb\r\n", [2]).lines).toEqual(["a", "b"]);
  });

  it("decodes every byte as latin1", () => {
    const bytes = Buffer.from([0x61, 0xc3, 0xa9, 0xff, 0x80, 0x0a]);
    expect(split(bytes).lines).toEqual(["a\u00c3\u00a9\u00ff\u0080"]);
  });

  it("counts lines with NUL bytes", () => {
    const result = split("a\u0000b\nclean\n\u0000\u0000\nx\u0000");
    expect(result.nul).toBe(3);
    expect(result.lines[0]).toBe("a\u0000b");
  });

  it("gives the same lines for every chunk boundary", () => {
    const input = "Mar  4 a\r\nx\u0000y\rz\n\nlast line";
    const expected = split(input);
    for (let cut = 0; cut <= input.length; cut++) {
      for (let second = cut; second <= input.length; second += 3) {
        expect(split(input, [cut, second]), `cuts ${cut}, ${second}`).toEqual(expected);
      }
    }
  });

  it("truncates and counts overlong lines", () => {
    const result = split(`${"x".repeat(20)}\nshort\n${"y".repeat(11)}`, [], 10);
    expect(result.lines).toEqual(["x".repeat(10), "short", "y".repeat(10)]);
    expect(result.overlong).toBe(2);
  });

  it("truncates overlong lines spread over many chunks", () => {
    const input = `${"z".repeat(100)}\r\nok\n`;
    const cuts = Array.from({ length: 20 }, (_, index) => index * 5 + 1);
    const result = split(input, cuts, 10);
    expect(result.lines).toEqual(["z".repeat(10), "ok"]);
    expect(result.overlong).toBe(1);
  });

  it("does not count a line that fits once its CR is dropped", () => {
    const result = split(`${"a".repeat(10)}\r\n`, [5, 11], 10);
    expect(result.lines).toEqual(["a".repeat(10)]);
    expect(result.overlong).toBe(0);
  });

  it("keeps a CR that falls inside the cut", () => {
    const result = split(`${"a".repeat(9)}\r${"b".repeat(5)}\n`, [3], 10);
    expect(result.lines).toEqual([`${"a".repeat(9)}\r`]);
    expect(result.overlong).toBe(1);
  });

  it("bounds what it buffers of an endless line", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text), 1000);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 200; i++) splitter.push(chunk);
    splitter.end();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(1000);
    expect(splitter.overlongLines).toBe(1);
  });

  it("rejects an invalid limit", () => {
    expect(() => new LineSplitter(() => undefined, 0)).toThrow(RangeError);
    expect(() => new LineSplitter(() => undefined, 1.5)).toThrow(RangeError);
  });

  it("has a 64 KiB default limit", () => {
    expect(DEFAULT_MAX_LINE_BYTES).toBe(65_536);
  });
});
