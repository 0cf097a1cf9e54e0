import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../src/logs/record.js";
import { LineFramer, type FrameOutcome } from "../../../src/logs/framing/framer.js";
import { PartialLineJoiner } from "../../../src/logs/framing/partial-lines.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

// Container log lines that the runtime split into parts: CRI lines tagged `P` and `F`, and
// json-file objects whose `log` lacks the final `\n`.

const UTC = resolveTimeZone("UTC");
const MARCH_2024 = Date.UTC(2024, 2, 10);
const HEADER = "Mar  4 09:04:08 mx1 postfix/smtp[2007]: ";
const LINE_TIME = Date.UTC(2024, 2, 4, 9, 4, 8);

interface Framed {
  readonly outcomes: FrameOutcome[];
  readonly records: LogRecord[];
  readonly framer: LineFramer;
}

function frameLines(lines: readonly string[], maxLineBytes?: number): Framed {
  const framer = new LineFramer({ timeZone: UTC, maxLineBytes });
  framer.startFile("containers.log", MARCH_2024, false);
  const records: LogRecord[] = [];
  const outcomes = lines.map((text, index) =>
    framer.frame(text, index + 1, (record) => records.push(record)),
  );
  return { outcomes, records, framer };
}

function cri(stream: string, tag: "P" | "F", text: string, second = 8): string {
  return `2024-03-04T09:04:0${second}.5Z ${stream} ${tag} ${text}`;
}

function jsonFile(stream: string, log: string, second = 8): string {
  return JSON.stringify({ log, stream, time: `2024-03-04T09:04:0${second}.5Z` });
}

describe("CRI partial lines", () => {
  it("joins three parts into one record", () => {
    const framed = frameLines([
      cri("stdout", "P", `${HEADER}3F1A2B0103: to=<a@`),
      cri("stdout", "P", "example.com>, relay=none,", 9),
      cri("stdout", "F", " status=sent"),
    ]);

    expect(framed.outcomes).toEqual(["partial", "partial", "record"]);
    expect(framed.records).toHaveLength(1);
    const record = framed.records[0];
    expect(record?.message).toBe("3F1A2B0103: to=<a@example.com>, relay=none, status=sent");
    expect(record?.program).toBe("postfix/smtp");
    expect(record?.line).toBe(1);
    expect(record?.time).toBe(LINE_TIME);
  });

  it("keeps interleaved streams apart", () => {
    const framed = frameLines([
      cri("stdout", "P", `${HEADER}out-`),
      cri("stderr", "P", `${HEADER}err-`),
      cri("stdout", "F", "one"),
      cri("stderr", "F", "two"),
    ]);

    expect(framed.outcomes).toEqual(["partial", "partial", "record", "record"]);
    expect(framed.records.map((record) => record.message)).toEqual(["out-one", "err-two"]);
    expect(framed.records.map((record) => record.line)).toEqual([1, 2]);
  });

  it("frames a full line of the other stream alone", () => {
    const framed = frameLines([
      cri("stdout", "P", `${HEADER}out-`),
      cri("stderr", "F", `${HEADER}whole`),
      cri("stdout", "F", "end"),
    ]);

    expect(framed.outcomes).toEqual(["partial", "record", "record"]);
    expect(framed.records.map((record) => record.message)).toEqual(["whole", "out-end"]);
  });

  it("returns a trailing partial line", () => {
    const { outcomes, records, framer } = frameLines([
      cri("stderr", "P", `${HEADER}first `),
      cri("stderr", "P", "and last part"),
    ]);
    expect(outcomes).toEqual(["partial", "partial"]);
    expect(records).toHaveLength(0);

    const open = framer.takeOpenLines();
    expect(open).toEqual([
      { text: `${HEADER}first and last part`, time: LINE_TIME + 500, line: 1 },
    ]);
    const [line] = open;
    if (line === undefined) throw new Error("no open line");
    expect(framer.frameOpenLine(line, (record) => records.push(record))).toBe("record");
    expect(records[0]?.message).toBe("first and last part");
    expect(framer.takeOpenLines()).toEqual([]);
  });

  it("cuts a join past the maximum", () => {
    const framed = frameLines(
      [
        cri("stdout", "P", `${HEADER}${"a".repeat(40)}`),
        cri("stdout", "P", "b".repeat(40)),
        cri("stdout", "P", "c".repeat(40)),
        cri("stdout", "F", "d".repeat(40)),
      ],
      100,
    );

    expect(framed.outcomes).toEqual(["partial", "partial", "partial", "record"]);
    const message = framed.records[0]?.message ?? "";
    expect(message).toBe("a".repeat(40) + "b".repeat(100 - HEADER.length - 40));
    expect(framed.framer.overlongJoinedLines).toBe(1);
  });

  it("rejects a new file while a line is open", () => {
    const { framer } = frameLines([cri("stdout", "P", `${HEADER}cut`)]);
    expect(() => framer.startFile("next.log", MARCH_2024, false)).toThrow(/takeOpenLines/);
    framer.takeOpenLines();
    expect(() => framer.startFile("next.log", MARCH_2024, false)).not.toThrow();
  });
});

describe("json-file partial lines", () => {
  it("joins parts until the line end", () => {
    const framed = frameLines([
      jsonFile("stdout", `${HEADER}3F1A2B0103: `),
      jsonFile("stdout", "to=<a@example.com>, ", 9),
      jsonFile("stdout", "status=sent\n"),
    ]);

    expect(framed.outcomes).toEqual(["partial", "partial", "record"]);
    expect(framed.records.map((record) => record.message)).toEqual([
      "3F1A2B0103: to=<a@example.com>, status=sent",
    ]);
    expect(framed.records[0]?.time).toBe(LINE_TIME);
  });

  it("keeps interleaved streams apart", () => {
    const framed = frameLines([
      jsonFile("stderr", `${HEADER}err-`),
      jsonFile("stdout", `${HEADER}out-`),
      jsonFile("stderr", "two\n"),
      jsonFile("stdout", "one\n"),
    ]);

    expect(framed.outcomes).toEqual(["partial", "partial", "record", "record"]);
    expect(framed.records.map((record) => record.message)).toEqual(["err-two", "out-one"]);
  });

  it("does not end a CRI line", () => {
    const framed = frameLines([cri("stdout", "P", `${HEADER}cri-`), jsonFile("stdout", "json\n")]);

    expect(framed.outcomes).toEqual(["partial", "unrecognised"]);
    expect(framed.framer.takeOpenLines().map((open) => open.text)).toEqual([`${HEADER}cri-`]);
  });

  it("frames a part of another stream alone", () => {
    const framed = frameLines([jsonFile("console", `${HEADER}no line end`)]);

    expect(framed.outcomes).toEqual(["record"]);
    expect(framed.records[0]?.message).toBe("no line end");
  });
});

describe("PartialLineJoiner", () => {
  it("counts a line cut once", () => {
    const joiner = new PartialLineJoiner(10);
    joiner.add("stdout", "0123456789", 1, 1);
    joiner.add("stdout", "abc", 2, 2);
    joiner.add("stdout", "def", 3, 3);

    expect(joiner.complete("stdout", "ghi")).toEqual({ text: "0123456789", time: 1, line: 1 });
    expect(joiner.overlongLines).toBe(1);
  });

  it("keeps a line of exactly the maximum", () => {
    const joiner = new PartialLineJoiner(10);
    joiner.add("stderr", "01234", 1, 4);

    expect(joiner.complete("stderr", "56789")?.text).toBe("0123456789");
    expect(joiner.overlongLines).toBe(0);
  });

  it("returns open lines by first line", () => {
    const joiner = new PartialLineJoiner(10);
    joiner.add("stderr", "late", 1, 7);
    joiner.add("stdout", "later", 2, 9);
    joiner.add("stderr", "r", 3, 10);

    expect(joiner.takeOpenLines().map((open) => [open.line, open.text])).toEqual([
      [7, "later"],
      [9, "later"],
    ]);
    expect(joiner.isEmpty).toBe(true);
  });

  it("ends nothing without an open line", () => {
    const joiner = new PartialLineJoiner(10);
    expect(joiner.complete("stdout", "whole")).toBeNull();
  });
});
