import { describe, expect, it } from "vitest";
import { resolveTimeZone } from "../../src/time/zone.js";

// Clocks go back from 03:00 CEST to 02:00 CET on 2026-10-25 (01:00 UTC) in Berlin. In New
// York they go back from 02:00 EDT to 01:00 EST on 2026-11-01 (06:00 UTC). Lord Howe Island
// goes from 02:00 (+11:00) to 01:30 (+10:30) on 2026-04-05 (15:00 UTC on the 4th).
const berlin = resolveTimeZone("Europe/Berlin");
const newYork = resolveTimeZone("America/New_York");
const lordHowe = resolveTimeZone("Australia/Lord_Howe");

describe("toLaterEpoch", () => {
  it("reads Berlin's repeated hour in winter time", () => {
    expect(berlin.toLaterEpoch(2026, 9, 25, 2, 0, 0, 0)).toBe(Date.UTC(2026, 9, 25, 1, 0, 0));
    expect(berlin.toLaterEpoch(2026, 9, 25, 2, 30, 15, 250)).toBe(
      Date.UTC(2026, 9, 25, 1, 30, 15, 250),
    );
    expect(berlin.toLaterEpoch(2026, 9, 25, 2, 59, 59, 0)).toBe(Date.UTC(2026, 9, 25, 1, 59, 59));
  });

  it("is one shift after toEpoch", () => {
    const earlier = berlin.toEpoch(2026, 9, 25, 2, 30, 0, 0);
    const later = berlin.toLaterEpoch(2026, 9, 25, 2, 30, 0, 0);
    expect(earlier).toBe(Date.UTC(2026, 9, 25, 0, 30, 0));
    expect(later - earlier).toBe(3_600_000);
  });

  it("reads New York's repeated hour in winter time", () => {
    expect(newYork.toLaterEpoch(2026, 10, 1, 1, 0, 0, 0)).toBe(Date.UTC(2026, 10, 1, 6, 0, 0));
    expect(newYork.toLaterEpoch(2026, 10, 1, 1, 45, 0, 0)).toBe(Date.UTC(2026, 10, 1, 6, 45, 0));
    expect(newYork.toEpoch(2026, 10, 1, 1, 45, 0, 0)).toBe(Date.UTC(2026, 10, 1, 5, 45, 0));
  });

  it("handles a half-hour shift", () => {
    expect(lordHowe.toLaterEpoch(2026, 3, 5, 1, 45, 0, 0)).toBe(Date.UTC(2026, 3, 4, 15, 15, 0));
    expect(lordHowe.toEpoch(2026, 3, 5, 1, 45, 0, 0)).toBe(Date.UTC(2026, 3, 4, 14, 45, 0));
    expect(lordHowe.toLaterEpoch(2026, 3, 5, 1, 15, 0, 0)).toBeNaN();
  });

  it("returns NaN next to the repeated hour", () => {
    expect(berlin.toLaterEpoch(2026, 9, 25, 1, 59, 59, 0)).toBeNaN();
    expect(berlin.toLaterEpoch(2026, 9, 25, 3, 0, 0, 0)).toBeNaN();
    expect(newYork.toLaterEpoch(2026, 10, 1, 0, 59, 59, 0)).toBeNaN();
    expect(newYork.toLaterEpoch(2026, 10, 1, 2, 0, 0, 0)).toBeNaN();
  });

  it("returns NaN on other days", () => {
    expect(berlin.toLaterEpoch(2026, 9, 24, 2, 30, 0, 0)).toBeNaN();
    expect(berlin.toLaterEpoch(2026, 0, 15, 2, 30, 0, 0)).toBeNaN();
  });

  it("returns NaN in the hour skipped in spring", () => {
    // Berlin goes from 02:00 CET to 03:00 CEST on 2026-03-29.
    expect(berlin.toLaterEpoch(2026, 2, 29, 2, 30, 0, 0)).toBeNaN();
  });

  it("returns NaN for fixed offsets and UTC", () => {
    for (const name of ["UTC", "+02:00", "-0500", "Etc/UTC"]) {
      expect(resolveTimeZone(name).toLaterEpoch(2026, 9, 25, 2, 30, 0, 0)).toBeNaN();
    }
  });

  it("returns the same from its cache", () => {
    const zone = resolveTimeZone("Europe/Berlin");
    const first = zone.toLaterEpoch(2026, 9, 25, 2, 30, 0, 0);
    expect(zone.toLaterEpoch(2026, 9, 25, 2, 30, 0, 0)).toBe(first);
    expect(zone.toLaterEpoch(2026, 9, 25, 2, 30, 59, 0)).toBe(first + 59_000);
    expect(zone.toLaterEpoch(2026, 9, 25, 3, 30, 0, 0)).toBeNaN();
    expect(zone.toLaterEpoch(2026, 9, 25, 3, 30, 0, 0)).toBeNaN();
  });
});
