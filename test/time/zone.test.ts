import { describe, expect, it } from "vitest";
import { formatInstant, resolveTimeZone } from "../../src/time/zone.js";

describe("resolveTimeZone", () => {
  it("reads UTC spellings", () => {
    for (const name of ["UTC", "Z", "utc"]) {
      const zone = resolveTimeZone(name);
      expect(zone.toEpoch(2024, 2, 4, 9, 15, 2, 0)).toBe(Date.UTC(2024, 2, 4, 9, 15, 2));
      expect(zone.offsetMinutesAt(0)).toBe(0);
    }
  });

  it("reads fixed offsets with and without a colon", () => {
    const east = resolveTimeZone("+07:00");
    expect(east.toEpoch(2024, 2, 4, 9, 0, 0, 0)).toBe(Date.UTC(2024, 2, 4, 2, 0, 0));
    const west = resolveTimeZone("-0530");
    expect(west.toEpoch(2024, 2, 4, 9, 0, 0, 0)).toBe(Date.UTC(2024, 2, 4, 14, 30, 0));
    expect(west.offsetMinutesAt(0)).toBe(-330);
  });

  it("rejects offsets beyond 14 hours", () => {
    expect(() => resolveTimeZone("+15:00")).toThrow(RangeError);
  });

  it("rejects unknown zone names", () => {
    expect(() => resolveTimeZone("Mars/Olympus_Mons")).toThrow(/unknown time zone/);
  });

  it("uses the machine zone without a name", () => {
    const zone = resolveTimeZone();
    expect(zone.name).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe("IANA zone across DST", () => {
  const berlin = resolveTimeZone("Europe/Berlin");

  it("uses winter and summer offsets", () => {
    expect(berlin.toEpoch(2024, 0, 15, 12, 0, 0, 0)).toBe(Date.UTC(2024, 0, 15, 11, 0, 0));
    expect(berlin.toEpoch(2024, 6, 15, 12, 0, 0, 0)).toBe(Date.UTC(2024, 6, 15, 10, 0, 0));
  });

  it("converts the hours around the spring change", () => {
    // Clocks jump from 02:00 CET to 03:00 CEST on 2024-03-31 (01:00 UTC).
    expect(berlin.toEpoch(2024, 2, 31, 1, 59, 59, 0)).toBe(Date.UTC(2024, 2, 31, 0, 59, 59));
    expect(berlin.toEpoch(2024, 2, 31, 3, 0, 0, 0)).toBe(Date.UTC(2024, 2, 31, 1, 0, 0));
  });

  it("reads a skipped time with the offset before the change", () => {
    expect(berlin.toEpoch(2024, 2, 31, 2, 30, 0, 0)).toBe(Date.UTC(2024, 2, 31, 1, 30, 0));
  });

  it("takes the earlier instant of a repeated time", () => {
    // Clocks go back from 03:00 CEST to 02:00 CET on 2024-10-27 (01:00 UTC).
    expect(berlin.toEpoch(2024, 9, 27, 2, 30, 0, 0)).toBe(Date.UTC(2024, 9, 27, 0, 30, 0));
    expect(berlin.toEpoch(2024, 9, 27, 3, 30, 0, 0)).toBe(Date.UTC(2024, 9, 27, 2, 30, 0));
  });

  it("handles a southern-hemisphere zone", () => {
    const sydney = resolveTimeZone("Australia/Sydney");
    expect(sydney.toEpoch(2024, 0, 15, 12, 0, 0, 0)).toBe(Date.UTC(2024, 0, 15, 1, 0, 0));
    expect(sydney.toEpoch(2024, 6, 15, 12, 0, 0, 0)).toBe(Date.UTC(2024, 6, 15, 2, 0, 0));
  });

  it("reports the offset at an instant", () => {
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 0, 1))).toBe(60);
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 6, 1))).toBe(120);
  });
});

describe("formatInstant", () => {
  it("formats UTC with Z", () => {
    expect(formatInstant(Date.UTC(2024, 2, 4, 9, 15, 2), resolveTimeZone("UTC"))).toBe(
      "2024-03-04T09:15:02Z",
    );
  });

  it("formats a zone with its offset", () => {
    const instant = Date.UTC(2024, 6, 1, 10, 0, 0);
    expect(formatInstant(instant, resolveTimeZone("Europe/Berlin"))).toBe(
      "2024-07-01T12:00:00+02:00",
    );
    expect(formatInstant(instant, resolveTimeZone("-05:30"))).toBe("2024-07-01T04:30:00-05:30");
  });
});
