import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../../src/logs/record.js";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import { MAX_LATE_LINE_MS, WallClock } from "../../../src/logs/framing/wall-clock.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A zone's fall-back night: the UTC instant of the change and the offsets around it. */
interface FallBack {
  readonly zone: string;
  readonly changeMs: number;
  readonly summerMinutes: number;
  readonly winterMinutes: number;
}

// Clocks go back from 03:00 CEST to 02:00 CET at 01:00 UTC in Berlin, and from 02:00 EDT to
// 01:00 EST at 06:00 UTC in New York.
const BERLIN: FallBack = {
  zone: "Europe/Berlin",
  changeMs: Date.UTC(2026, 9, 25, 1, 0, 0),
  summerMinutes: 120,
  winterMinutes: 60,
};
const NEW_YORK: FallBack = {
  zone: "America/New_York",
  changeMs: Date.UTC(2026, 10, 1, 6, 0, 0),
  summerMinutes: -240,
  winterMinutes: -300,
};

// The wall-clock time a server in the zone writes at `epochMs`, as a Date whose UTC fields
// are the local fields. The offsets are stated above, so the test does not share the code
// under test.
function wallClockAt(night: FallBack, epochMs: number): Date {
  const offset = epochMs < night.changeMs ? night.summerMinutes : night.winterMinutes;
  return new Date(epochMs + offset * MINUTE_MS);
}

const pad = (value: number): string => String(value).padStart(2, "0");

function clockText(wall: Date): string {
  return `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
}

function classicLine(night: FallBack, epochMs: number, index: number): string {
  const wall = wallClockAt(night, epochMs);
  const day = String(wall.getUTCDate()).padStart(2, " ");
  const stamp = `${MONTHS[wall.getUTCMonth()] ?? "Jan"} ${day} ${clockText(wall)}`;
  return `${stamp} mail postfix/smtp[${1000 + index}]: 4A${index}: to=<u${index}@example.com>, status=sent`;
}

function eximLine(night: FallBack, epochMs: number, index: number): string {
  const wall = wallClockAt(night, epochMs);
  const date = `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
  return `${date} ${clockText(wall)} 1t${index}-000AB-CD => u${index}@example.com R=dnslookup`;
}

// One line a minute for six hours around the change, as instants.
function nightInstants(night: FallBack): number[] {
  const start = night.changeMs - 3 * HOUR_MS;
  return Array.from({ length: 360 }, (_, index) => start + index * MINUTE_MS);
}

function frameTimes(framer: LineFramer, lines: readonly string[]): number[] {
  const records: LogRecord[] = [];
  lines.forEach((text, index) => {
    expect(framer.frame(text, index + 1, (record) => records.push(record))).toBe("record");
  });
  return records.map((record) => record.time);
}

function newFramer(zone: string): LineFramer {
  const framer = new LineFramer({ timeZone: resolveTimeZone(zone), year: 2026 });
  framer.startFile("mail.log", Date.UTC(2026, 10, 2), false);
  return framer;
}

function clockIn(zone: string): WallClock {
  return new WallClock(resolveTimeZone(zone));
}

describe("WallClock on a fall-back night", () => {
  it("reads the second pass in winter time", () => {
    const clock = clockIn("Europe/Berlin");
    expect(clock.toEpoch(2026, 9, 25, 2, 59, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 59, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 0, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 1, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 1, 0));
    expect(clock.toEpoch(2026, 9, 25, 3, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 2, 0, 0));
  });

  it("keeps a late line of the first pass in summer time", () => {
    const clock = clockIn("Europe/Berlin");
    expect(clock.toEpoch(2026, 9, 25, 2, 10, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 10, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 9, 30, 0)).toBe(Date.UTC(2026, 9, 25, 0, 9, 30));
    expect(clock.toEpoch(2026, 9, 25, 2, 11, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 11, 0));
  });

  it("keeps a late line of the second pass in winter time", () => {
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 2, 59, 59, 0);
    expect(clock.toEpoch(2026, 9, 25, 2, 30, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 30, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 25, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 25, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 31, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 31, 0));
  });

  it("takes a small step back as late", () => {
    const clock = clockIn("Europe/Berlin");
    const previous = clock.toEpoch(2026, 9, 25, 2, 20, 0, 0);
    const late = clock.toEpoch(2026, 9, 25, 2, 10, 0, 0);
    expect(previous - late).toBe(MAX_LATE_LINE_MS);
    expect(late).toBe(Date.UTC(2026, 9, 25, 0, 10, 0));
  });

  it("keeps summer time after a large step", () => {
    // From 04:30 CET back to 02:30 the later reading is still an hour early, so the clock was
    // changed, and the time-goes-back note should show it.
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 4, 30, 0, 0);
    expect(clock.toEpoch(2026, 9, 25, 2, 30, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 30, 0));
  });

  it("takes summer time for the first line after restart", () => {
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 2, 59, 0, 0);
    clock.restart();
    expect(clock.toEpoch(2026, 9, 25, 2, 30, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 30, 0));
  });

  it("holds the first pass past a late line", () => {
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 2, 45, 0, 0);
    expect(clock.toEpoch(2026, 9, 25, 2, 30, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 30, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 31, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 31, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 46, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 46, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 0, 0));
  });

  it("holds the second pass past a late line", () => {
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 2, 59, 0, 0);
    clock.toEpoch(2026, 9, 25, 2, 0, 0, 0);
    clock.toEpoch(2026, 9, 25, 2, 45, 0, 0);
    expect(clock.toEpoch(2026, 9, 25, 2, 15, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 15, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 16, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 16, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 46, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 46, 0));
  });

  it("splits at a third of the shift", () => {
    // An hour's shift: a step back of less than 20 minutes is a late line, and one of 20
    // minutes or more starts the second pass (its later reading is at most 40 minutes on).
    const lateLine = clockIn("Europe/Berlin");
    lateLine.toEpoch(2026, 9, 25, 2, 40, 0, 0);
    expect(lateLine.toEpoch(2026, 9, 25, 2, 20, 1, 0)).toBe(Date.UTC(2026, 9, 25, 0, 20, 1));

    const secondPass = clockIn("Europe/Berlin");
    secondPass.toEpoch(2026, 9, 25, 2, 40, 0, 0);
    expect(secondPass.toEpoch(2026, 9, 25, 2, 20, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 20, 0));
  });

  it("splits a half-hour shift", () => {
    // Lord Howe Island goes back from 02:00 (+11:00) to 01:30 (+10:30), so 01:30–01:59 repeats,
    // and the split lies at 10 minutes.
    const lateLine = clockIn("Australia/Lord_Howe");
    lateLine.toEpoch(2026, 3, 5, 1, 50, 0, 0);
    expect(lateLine.toEpoch(2026, 3, 5, 1, 40, 0, 0)).toBe(Date.UTC(2026, 3, 4, 14, 40, 0));

    const secondPass = clockIn("Australia/Lord_Howe");
    secondPass.toEpoch(2026, 3, 5, 1, 59, 0, 0);
    expect(secondPass.toEpoch(2026, 3, 5, 1, 30, 0, 0)).toBe(Date.UTC(2026, 3, 4, 15, 0, 0));
    expect(secondPass.toEpoch(2026, 3, 5, 1, 31, 0, 0)).toBe(Date.UTC(2026, 3, 4, 15, 1, 0));
  });

  it("follows a large step back", () => {
    // The evening's lines come before the night's, as when two logs are read out of order.
    // The step back is a clock change, so the night's lines are compared with each other.
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 25, 23, 0, 0, 0);
    expect(clock.toEpoch(2026, 9, 25, 2, 50, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 50, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 59, 0, 0)).toBe(Date.UTC(2026, 9, 25, 0, 59, 0));
    expect(clock.toEpoch(2026, 9, 25, 2, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 0, 0));
  });

  it("leaves steps back outside the repeated hour alone", () => {
    const clock = clockIn("Europe/Berlin");
    clock.toEpoch(2026, 9, 24, 14, 0, 0, 0);
    expect(clock.toEpoch(2026, 9, 24, 12, 0, 0, 0)).toBe(Date.UTC(2026, 9, 24, 10, 0, 0));

    const utc = clockIn("UTC");
    utc.toEpoch(2026, 9, 25, 2, 59, 0, 0);
    expect(utc.toEpoch(2026, 9, 25, 2, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 2, 0, 0));
  });
});

describe("fall-back night in the framer", () => {
  for (const night of [BERLIN, NEW_YORK]) {
    it(`reads classic syslog in ${night.zone}`, () => {
      const instants = nightInstants(night);
      const lines = instants.map((epochMs, index) => classicLine(night, epochMs, index));
      // The log repeats the hour before the change.
      expect(lines[179]?.slice(7, 15)).toBe(night === BERLIN ? "02:59:00" : "01:59:00");
      expect(lines[180]?.slice(7, 15)).toBe(night === BERLIN ? "02:00:00" : "01:00:00");

      expect(frameTimes(newFramer(night.zone), lines)).toEqual(instants);
    });

    it(`reads the Exim main log in ${night.zone}`, () => {
      const instants = nightInstants(night);
      const lines = instants.map((epochMs, index) => eximLine(night, epochMs, index));
      expect(frameTimes(newFramer(night.zone), lines)).toEqual(instants);
    });
  }

  for (const night of [BERLIN, NEW_YORK]) {
    it(`keeps a late line in its pass in ${night.zone}`, () => {
      const instants = nightInstants(night);
      const lines = instants.map((epochMs, index) => classicLine(night, epochMs, index));
      // Each late line is written 15 minutes after its time: one 45 minutes into the first
      // pass of the repeated hour, one 45 minutes into the second.
      const lateLines = [
        { after: 165, time: instants[150] ?? NaN },
        { after: 225, time: instants[210] ?? NaN },
      ];
      const withLate = [...lines];
      const expected = [...instants];
      for (const { after, time } of lateLines.toReversed()) {
        withLate.splice(after + 1, 0, classicLine(night, time, 900 + after));
        expected.splice(after + 1, 0, time);
      }
      expect(withLate[166]?.slice(7, 15)).toBe(night === BERLIN ? "02:30:00" : "01:30:00");
      expect(withLate[227]?.slice(7, 15)).toBe(night === BERLIN ? "02:30:00" : "01:30:00");

      expect(frameTimes(newFramer(night.zone), withLate)).toEqual(expected);
    });
  }

  it("carries the previous line into a continuing file", () => {
    const instants = nightInstants(BERLIN);
    const lines = instants.map((epochMs, index) => classicLine(BERLIN, epochMs, index));
    const framer = newFramer(BERLIN.zone);
    const older = frameTimes(framer, lines.slice(0, 170));
    framer.startFile("mail.log", Date.UTC(2026, 10, 2), true);
    const newer = frameTimes(framer, lines.slice(170));
    expect([...older, ...newer]).toEqual(instants);
  });

  it("shares the previous line between classic and dated stamps", () => {
    const framer = newFramer(BERLIN.zone);
    const times = frameTimes(framer, [
      "Oct 25 02:59:00 mail postfix/qmgr[7]: 4A1: removed",
      "2026-10-25 02:00:00 1t1-000AB-CD => u@example.com R=dnslookup",
      "Oct 25 02:01:00 mail postfix/qmgr[7]: 4A2: removed",
    ]);
    expect(times).toEqual([
      Date.UTC(2026, 9, 25, 0, 59, 0),
      Date.UTC(2026, 9, 25, 1, 0, 0),
      Date.UTC(2026, 9, 25, 1, 1, 0),
    ]);
  });

  it("takes stamps with an offset as written", () => {
    const framer = newFramer(BERLIN.zone);
    const times = frameTimes(framer, [
      "2026-10-25T02:59:00+02:00 mail postfix/qmgr[7]: 4A1: removed",
      "2026-10-25T02:00:00+01:00 mail postfix/qmgr[7]: 4A2: removed",
      "2026-10-25T02:00:00+02:00 mail postfix/qmgr[7]: 4A3: removed",
      "2026-10-25 02:30:00 +0200 1t1-000AB-CD => u@example.com R=dnslookup",
    ]);
    expect(times).toEqual([
      Date.UTC(2026, 9, 25, 0, 59, 0),
      Date.UTC(2026, 9, 25, 1, 0, 0),
      Date.UTC(2026, 9, 25, 0, 0, 0),
      Date.UTC(2026, 9, 25, 0, 30, 0),
    ]);
  });
});
