import { describe, expect, it } from "vitest";
import {
  bracketedStampTime,
  digitsAt,
  isClockAt,
  isIsoDateAt,
  monthAt,
  StampTail,
  tai64nAt,
} from "../../../src/logs/framing/stamps.js";

describe("monthAt", () => {
  it("reads every English abbreviation", () => {
    const names = [
      "Jan",
      "Feb",
      "Mar",
      "Apr",
      "May",
      "Jun",
      "Jul",
      "Aug",
      "Sep",
      "Oct",
      "Nov",
      "Dec",
    ];
    names.forEach((name, month) => expect(monthAt(`x ${name}  4`, 2), name).toBe(month));
  });

  it("rejects other words", () => {
    for (const word of ["Mär", "MAR", "mar", "Jux", "Ja", "", "[Ja"]) {
      expect(monthAt(word, 0), word).toBe(-1);
    }
  });
});

describe("digitsAt", () => {
  it("reads digits and rejects non-digits", () => {
    expect(digitsAt("ab2024", 2, 4)).toBe(2024);
    expect(digitsAt("09", 0, 2)).toBe(9);
    expect(digitsAt("1a", 0, 2)).toBe(-1);
    expect(digitsAt("1", 0, 2)).toBe(-1);
  });
});

describe("isClockAt and isIsoDateAt", () => {
  it("accept valid values", () => {
    expect(isClockAt("23:59:60", 0)).toBe(true);
    expect(isIsoDateAt("2024-12-31", 0)).toBe(true);
  });

  it("reject out-of-range values", () => {
    for (const clock of ["24:00:00", "12:60:00", "12:00:61", "12-00-00", "1:00:00"]) {
      expect(isClockAt(clock, 0), clock).toBe(false);
    }
    for (const date of ["2024-13-01", "2024-00-10", "2024-01-32", "2024/01/01", "24-01-01"]) {
      expect(isIsoDateAt(date, 0), date).toBe(false);
    }
  });
});

describe("StampTail", () => {
  it("reads fractions of any length", () => {
    expect(new StampTail().read(".481230", 0).millisecond).toBe(481);
    expect(new StampTail().read(".4", 0).millisecond).toBe(400);
    expect(new StampTail().read(",123456789 ", 0)).toMatchObject({ millisecond: 123, end: 10 });
  });

  it("reads Z and both offset spellings", () => {
    expect(new StampTail().read("Z host", 0)).toMatchObject({ hasOffset: true, offsetMinutes: 0 });
    expect(new StampTail().read("+01:00 x", 0)).toMatchObject({ offsetMinutes: 60, end: 6 });
    expect(new StampTail().read("-0330 x", 0)).toMatchObject({ offsetMinutes: -210, end: 5 });
  });

  it("reports a naive time", () => {
    const tail = new StampTail().read(".5 host", 0);
    expect(tail).toMatchObject({ hasOffset: false, millisecond: 500, end: 2 });
  });

  it("resets the fields on each read", () => {
    const tail = new StampTail();
    tail.read(".9+02:00", 0);
    tail.read(" x", 0);
    expect(tail).toMatchObject({ hasOffset: false, offsetMinutes: 0, millisecond: 0, end: 0 });
  });
});

describe("tai64nAt", () => {
  it("reads a label as Unix time plus ten seconds", () => {
    const seconds = Date.UTC(2024, 2, 4, 9, 15, 2) / 1000 + 10;
    const label = `@40000000${seconds.toString(16)}1dcd6500`;
    expect(tai64nAt(label, 0)).toBe(Date.UTC(2024, 2, 4, 9, 15, 2, 500));
  });

  it("rejects other text", () => {
    expect(tai64nAt("@4000000z65e5a1b200000000", 0)).toBe(-1);
    expect(tai64nAt("@5000000065e5a1b200000000", 0)).toBe(-1);
    expect(tai64nAt("4000000065e5a1b200000000", 0)).toBe(-1);
  });
});

describe("bracketedStampTime", () => {
  it("reads Roundcube stamps with their offset", () => {
    expect(bracketedStampTime("[20-Oct-2020 14:56:10 +0100]: <a1> User")).toBe(
      Date.UTC(2020, 9, 20, 13, 56, 10),
    );
  });

  it("rejects stamps without an offset", () => {
    expect(bracketedStampTime("[01-Nov-2021 03:55:42 America/Boise] text")).toBe(-1);
    expect(bracketedStampTime("[20-Oct-2020 14:56:10]")).toBe(-1);
  });
});
