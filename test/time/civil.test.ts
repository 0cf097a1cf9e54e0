import { describe, expect, it } from "vitest";
import { daysFromCivil, isLeapYear, leapYearBefore, utcMs } from "../../src/time/civil.js";

describe("utcMs", () => {
  it("matches Date.UTC across leap years and centuries", () => {
    const years = [1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 2400];
    for (const year of years) {
      for (let month = 0; month < 12; month++) {
        for (const day of [1, 15, 28, 29, 30, 31]) {
          const expected = Date.UTC(year, month, day, 13, 45, 59, 123);
          expect(utcMs(year, month, day, 13, 45, 59, 123), `${year}-${month + 1}-${day}`).toBe(
            expected,
          );
        }
      }
    }
  });

  it("rolls a day past the month end into the next month", () => {
    expect(utcMs(2023, 1, 31, 0, 0, 0, 0)).toBe(Date.UTC(2023, 2, 3));
  });

  it("counts days from the epoch", () => {
    expect(daysFromCivil(1970, 0, 1)).toBe(0);
    expect(daysFromCivil(1969, 11, 31)).toBe(-1);
    expect(daysFromCivil(2000, 2, 1)).toBe(11_017);
  });
});

describe("isLeapYear", () => {
  it("follows the Gregorian century rule", () => {
    for (const [year, leap] of [
      [2024, true],
      [2025, false],
      [1900, false],
      [2000, true],
      [2100, false],
    ] as const) {
      expect(isLeapYear(year), String(year)).toBe(leap);
    }
  });
});

describe("leapYearBefore", () => {
  it("skips a century without Feb 29", () => {
    expect(leapYearBefore(2025)).toBe(2024);
    expect(leapYearBefore(2024)).toBe(2020);
    expect(leapYearBefore(2101)).toBe(2096);
  });
});
