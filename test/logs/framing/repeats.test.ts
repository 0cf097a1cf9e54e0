import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../src/logs/record.js";
import { MAX_REPEAT, RepeatExpander } from "../../../src/logs/framing/repeats.js";

function record(host: string, message: string, line = 1): LogRecord {
  const program = "postfix/smtpd";
  return { time: 1000, host, program, pid: 1, message, file: "f", line, syslogHeader: true };
}

function collect(): { records: LogRecord[]; emit: (record: LogRecord) => void } {
  const records: LogRecord[] = [];
  return { records, emit: (item) => records.push(item) };
}

describe("RepeatExpander", () => {
  it("emits ordinary records once", () => {
    const { records, emit } = collect();
    new RepeatExpander().emit(record("mx1", "connect from x"), emit);
    expect(records.map((item) => item.message)).toEqual(["connect from x"]);
  });

  it("expands an rsyslog repeat into its text", () => {
    const { records, emit } = collect();
    new RepeatExpander().emit(record("mx1", "message repeated 3 times: [ lost connection]"), emit);
    expect(records).toHaveLength(3);
    expect(records[0]?.message).toBe("lost connection");
  });

  it("repeats the previous message of the same host", () => {
    const { records, emit } = collect();
    const repeats = new RepeatExpander();
    repeats.emit(record("mx1", "from mx1"), emit);
    repeats.emit(record("mx2", "from mx2"), emit);
    const marker = { ...record("mx1", "", 7), time: 5000 };
    expect(repeats.repeatLast(marker, 2, emit)).toBe(true);
    expect(records.slice(2).map((item) => [item.message, item.line, item.time])).toEqual([
      ["from mx1", 7, 5000],
      ["from mx1", 7, 5000],
    ]);
  });

  it("reports a marker without a previous message", () => {
    const { emit } = collect();
    expect(new RepeatExpander().repeatLast(record("mx1", ""), 2, emit)).toBe(false);
  });

  it("forgets previous messages on reset", () => {
    const { emit } = collect();
    const repeats = new RepeatExpander();
    repeats.emit(record("mx1", "x"), emit);
    repeats.reset();
    expect(repeats.repeatLast(record("mx1", ""), 1, emit)).toBe(false);
  });

  it("caps the count", () => {
    const { records, emit } = collect();
    const repeats = new RepeatExpander();
    repeats.emit(record("mx1", "message repeated 99999 times: [ x]"), emit);
    expect(records).toHaveLength(MAX_REPEAT);
  });

  it("reads BSD repeat markers", () => {
    const repeats = new RepeatExpander();
    expect(repeats.lastRepeatedCount("mx1 last message repeated 4 times", 4)).toBe(4);
    expect(repeats.lastRepeatedCount("last message repeated 1 time", 0)).toBe(1);
    expect(repeats.lastRepeatedCount("last message was odd", 0)).toBe(-1);
    expect(repeats.lastRepeatedCount("postfix/smtpd[1]: x", 0)).toBe(-1);
  });
});
