import { describe, expect, test } from "vitest";
import { SyslogPartJoiner } from "../../../src/logs/exim/part-joiner.js";
import { syslogPartOf, type SyslogPart } from "../../../src/logs/exim/syslog-part.js";
import type { LogRecord } from "../../../src/logs/record.js";

const T0 = Date.UTC(2024, 2, 4, 9, 50, 0);

function record(message: string, pid = 77, time = T0): LogRecord {
  return {
    time,
    host: "mx1",
    program: "exim",
    pid,
    message,
    file: "test.log",
    line: 1,
    syslogHeader: true,
  };
}

function partOf(message: string): SyslogPart {
  const part = syslogPartOf(message);
  if (part === null) throw new Error(`not a part: ${message}`);
  return part;
}

function joiner(maxLength?: number): { joiner: SyslogPartJoiner<string>; sent: string[][] } {
  const sent: string[][] = [];
  return {
    joiner: new SyslogPartJoiner<string>((start, text) => sent.push([start, text]), maxLength),
    sent,
  };
}

describe("SyslogPartJoiner", () => {
  test("joins at line breaks and splits", () => {
    const { joiner: parts, sent } = joiner();
    const messages = ["[1\\4] start", "[2/4] ab", "[3\\4] cd", "[4\\4] ef"];
    const first = messages[0] ?? "";
    expect(parts.start(record(first), partOf(first), "S")).toBe(true);
    for (const message of messages.slice(1)) {
      expect(parts.add(record(message), partOf(message))).toBe("S");
    }

    expect(sent).toEqual([["S", "abcd\nef"]]);
    expect(parts.size).toBe(0);
  });

  test("stops text at maximum length", () => {
    const { joiner: parts, sent } = joiner(10);
    parts.start(record("[1\\3] start"), partOf("[1\\3] start"), "S");
    parts.add(record("[2/3] 12345678"), partOf("[2/3] 12345678"));
    parts.add(record("[3\\3] 90abcdef"), partOf("[3\\3] 90abcdef"));

    expect(sent).toEqual([["S", "1234567890"]]);
  });

  test("expires lines after window", () => {
    const { joiner: parts, sent } = joiner();
    parts.start(record("[1\\2] start"), partOf("[1\\2] start"), "S");
    parts.expire(T0 + 5_000);
    expect(sent).toEqual([]);

    parts.expire(T0 + 5_001);
    expect(sent).toEqual([["S", ""]]);
    expect(parts.add(record("[2\\2] late"), partOf("[2\\2] late"))).toBeNull();
  });

  test("counts lines sent incomplete", () => {
    const { joiner: parts, sent } = joiner();
    parts.start(record("[1\\2] expired"), partOf("[1\\2] expired"), "E");
    parts.start(record("[1\\2] replaced", 78), partOf("[1\\2] replaced"), "R");
    parts.start(record("[1\\2] complete", 79), partOf("[1\\2] complete"), "C");
    parts.add(record("[2\\2] end", 79), partOf("[2\\2] end"));
    parts.start(record("[1\\2] next", 78), partOf("[1\\2] next"), "N");
    parts.expire(T0 + 5_001);

    expect(sent.map(([start]) => start)).toEqual(["C", "R", "E", "N"]);
    expect(parts.incompleteLines).toBe(3);

    parts.start(record("[1\\2] last"), partOf("[1\\2] last"), "L");
    parts.sendAll();

    expect(parts.incompleteLines).toBe(4);
  });

  test("rejects part counts outside range", () => {
    const { joiner: parts } = joiner();

    expect(parts.start(record("[1\\17] start"), partOf("[1\\17] start"), "S")).toBe(false);
    expect(parts.start(record("[1\\1] start"), partOf("[1\\1] start"), "S")).toBe(false);
    expect(parts.size).toBe(0);
  });

  test("sends oldest line when full", () => {
    const { joiner: parts, sent } = joiner();
    for (let pid = 1; pid <= 65; pid += 1) {
      parts.start(record("[1\\2] start", pid), partOf("[1\\2] start"), `S${pid}`);
    }

    expect(sent).toEqual([["S1", ""]]);
    expect(parts.size).toBe(64);
  });
});
