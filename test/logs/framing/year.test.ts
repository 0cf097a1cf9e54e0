import { describe, expect, it } from "vitest";
import { YearTracker } from "../../../src/logs/framing/year.js";

const MARCH_2024 = Date.UTC(2024, 2, 10);

describe("YearTracker", () => {
  it("takes the reference year for a month up to the reference month", () => {
    expect(new YearTracker(null, MARCH_2024).yearFor(2)).toBe(2024);
    expect(new YearTracker(null, MARCH_2024).yearFor(0)).toBe(2024);
  });

  it("puts a first month after the reference month in the year before", () => {
    expect(new YearTracker(null, MARCH_2024).yearFor(10)).toBe(2023);
  });

  it("puts a first line days after the reference in the year before", () => {
    expect(new YearTracker(null, MARCH_2024).yearFor(2, 14, 9 * 3600)).toBe(2023);
  });

  it("allows a first line hours after the reference", () => {
    expect(new YearTracker(null, MARCH_2024).yearFor(2, 10, 9 * 3600)).toBe(2024);
  });

  it("rolls over from December to January", () => {
    const years = new YearTracker(null, MARCH_2024);
    expect(years.yearFor(11)).toBe(2023);
    expect(years.yearFor(0)).toBe(2024);
    expect(years.yearFor(1)).toBe(2024);
  });

  it("keeps a late December line in the old year", () => {
    const years = new YearTracker(null, MARCH_2024);
    years.yearFor(11);
    years.yearFor(0);
    expect(years.yearFor(11)).toBe(2023);
    expect(years.yearFor(0)).toBe(2024);
  });

  it("keeps small steps back in the same year", () => {
    const years = new YearTracker(null, MARCH_2024);
    years.yearFor(5);
    expect(years.yearFor(4)).toBe(2023);
  });

  it("keeps rotated files joined newest first", () => {
    const years = new YearTracker(2020, MARCH_2024);
    years.yearFor(5, 20);
    expect(years.yearFor(4, 10)).toBe(2020);
    expect(years.yearFor(3, 1)).toBe(2020);
  });

  it("moves on when a month goes back by six", () => {
    const years = new YearTracker(2020, MARCH_2024);
    expect(years.yearFor(7, 31)).toBe(2020);
    expect(years.yearFor(1, 25)).toBe(2021);
    expect(years.yearFor(1, 26)).toBe(2021);
  });

  it("keeps a step back of five months", () => {
    const years = new YearTracker(2020, MARCH_2024);
    years.yearFor(6, 31);
    expect(years.yearFor(1, 25)).toBe(2020);
  });

  it("keeps a late line in the year after a move on", () => {
    const years = new YearTracker(2020, MARCH_2024);
    years.yearFor(7, 31);
    years.yearFor(1, 25);
    expect(years.yearFor(10, 18)).toBe(2020);
    expect(years.yearFor(1, 26)).toBe(2021);
  });

  it("uses a fixed year for the first line", () => {
    const years = new YearTracker(2019, MARCH_2024);
    expect(years.yearFor(11)).toBe(2019);
    expect(years.yearFor(0)).toBe(2020);
  });

  it("continues from a dated line", () => {
    const years = new YearTracker(null, MARCH_2024);
    years.observe(2021, 11);
    expect(years.yearFor(11)).toBe(2021);
    expect(years.yearFor(0)).toBe(2022);
  });
});
