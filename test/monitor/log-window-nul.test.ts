import { describe, expect, it } from "vitest";
import { analyseLogs } from "../../src/diagnose/run.js";
import type { InputReport } from "../../src/diagnose/types.js";
import { LogWindow } from "../../src/monitor/log-window.js";
import { resolveTimeZone } from "../../src/time/zone.js";
import { HOUR, PostfixLog, T0, writeTemporaryLog } from "../helpers/postfix-fixture.js";

const UTC = resolveTimeZone("UTC");
const NOW = T0 + 2 * 24 * HOUR;
const MAX_LINE_BYTES = 512;
const LONG_RUN = 2_000;
const SHORT_RUN = 100;

// The start of a Postfix record that a crash cut short. Framed, it would add a record that the
// clean log does not have.
const CUT_RECORD = Buffer.from(
  "2024-03-04T01:30:00+00:00 mail postfix/smtp[999]: 00000DEAD1: to=<lost@",
  "latin1",
);

// Four messages, one an hour, of five log lines each.
function cleanLog(): Buffer {
  const log = new PostfixLog();
  for (let hour = 0; hour < 4; hour++) {
    log.submit({
      time: T0 + hour * HOUR,
      account: "alice@example.com",
      clientIp: "192.0.2.10",
      recipients: [{ address: `friend${hour}@example.net` }],
    });
  }
  return Buffer.from(log.text(), "latin1");
}

// The clean log with a cut record and `run` NULs before the line at its middle, as a crash
// leaves them. The record written after the restart follows the NULs on the same line.
function crashedLog(clean: Buffer, run: number): { bytes: Buffer; runStart: number } {
  const middle = clean.indexOf("\n", clean.length / 2) + 1;
  const bytes = Buffer.concat([
    clean.subarray(0, middle),
    CUT_RECORD,
    Buffer.alloc(run, 0),
    clean.subarray(middle),
  ]);
  return { bytes, runStart: middle + CUT_RECORD.length };
}

// Feeds `bytes` to a monitor window in chunks that end at `cuts` and returns its input report.
function windowInput(bytes: Buffer, cuts: readonly number[] = []): InputReport {
  const window = new LogWindow(UTC, { maxLineBytes: MAX_LINE_BYTES });
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    window.add("mail.log", NOW, bytes.subarray(start, cut), start === 0);
    start = cut;
  }
  return window.finish(NOW, "test").diagnosis.input;
}

describe("LogWindow NUL run after a cut record", () => {
  const clean = cleanLog();
  const cleanInput = windowInput(clean);

  it("reads the record after a long run", () => {
    const { bytes, runStart } = crashedLog(clean, LONG_RUN);
    const chunkings = [
      [],
      [runStart - 3],
      [runStart + 1],
      [runStart + MAX_LINE_BYTES, runStart + MAX_LINE_BYTES + 1],
      [runStart + LONG_RUN - 1, runStart + LONG_RUN + 2],
    ];
    for (const cuts of chunkings) {
      const input = windowInput(bytes, cuts);
      const where = `chunks end at ${cuts.join(",")}`;

      expect(input.lines, where).toBe(cleanInput.lines);
      expect(input.records, where).toBe(cleanInput.records);
      expect(input.parsed, where).toBe(cleanInput.parsed);
      expect(input.unparsed, where).toBe(cleanInput.unparsed);
      expect(input.unrecognised, where).toBe(cleanInput.unrecognised);
      expect(input.nulCutRecords, where).toBe(1);
      expect(input.withNul, where).toBe(1);
      expect(input.overlong, where).toBe(0);
    }
  });

  it("reads the record after a short run", () => {
    const { bytes } = crashedLog(clean, SHORT_RUN);
    const input = windowInput(bytes);

    expect(input.lines).toBe(cleanInput.lines);
    expect(input.records).toBe(cleanInput.records);
    expect(input.parsed).toBe(cleanInput.parsed);
    expect(input.unparsed).toBe(cleanInput.unparsed);
    expect(input.unrecognised).toBe(cleanInput.unrecognised);
    expect(input.nulCutRecords).toBe(1);
    expect(input.withNul).toBe(1);
  });

  it.each([LONG_RUN, SHORT_RUN])("counts as diagnose does, run %i", async (run) => {
    const { bytes } = crashedLog(clean, run);
    const file = writeTemporaryLog(bytes);
    try {
      const diagnose = await analyseLogs([file.path], {
        timeZone: UTC,
        now: NOW,
        maxLineBytes: MAX_LINE_BYTES,
      });
      const totals = diagnose.summary.totals;
      const input = windowInput(bytes);

      expect(input.lines).toBe(totals.lines);
      expect(input.records).toBe(totals.records);
      expect(input.parsed).toBe(totals.parsed);
      expect(input.unparsed).toBe(totals.unparsed);
      expect(input.unrecognised).toBe(totals.unrecognised);
      expect(input.nulCutRecords).toBe(totals.nulCutRecords);
      expect(input.withNul).toBe(totals.nul);
      expect(input.overlong).toBe(totals.overlong);
    } finally {
      file.remove();
    }
  });

  it("rejects an invalid maxLineBytes", () => {
    expect(() => new LogWindow(UTC, { maxLineBytes: 0 })).toThrow(RangeError);
    expect(() => new LogWindow(UTC, { maxLineBytes: 1.5 })).toThrow(/invalid maxLineBytes 1.5/);
  });
});
