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

  it("keeps a clock step back into the month before", () => {
    const years = new YearTracker(null, MARCH_2024);
    years.yearFor(5, 1, 30);
    expect(years.yearFor(4, 31, 86_390)).toBe(2023);
    expect(years.yearFor(5, 1, 40)).toBe(2023);
  });

  it("keeps a step back of 26 hours in the same year", () => {
    const years = new YearTracker(2024, MARCH_2024);
    years.yearFor(5, 1, 2 * 3600);
    expect(years.yearFor(4, 31, 0)).toBe(2024);
  });

  it("moves on after a step back of over 26 hours", () => {
    const years = new YearTracker(2024, MARCH_2024);
    years.yearFor(5, 1, 2 * 3600 + 1);
    expect(years.yearFor(4, 31, 0)).toBe(2025);
  });

  it("moves on when a month goes back by several", () => {
    const years = new YearTracker(2020, MARCH_2024);
    expect(years.yearFor(7, 31, 12 * 3600)).toBe(2020);
    expect(years.yearFor(1, 25, 13 * 3600)).toBe(2021);
    expect(years.yearFor(1, 26, 13 * 3600)).toBe(2021);
  });

  it("moves on when a month goes back by one", () => {
    const years = new YearTracker(2020, MARCH_2024);
    years.yearFor(5, 20);
    expect(years.yearFor(4, 10)).toBe(2021);
  });

  it("keeps a step back within a month in the year", () => {
    const years = new YearTracker(2020, MARCH_2024);
    years.yearFor(5, 20);
    expect(years.yearFor(5, 2)).toBe(2020);
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

  it("measures a step back from a dated line's time", () => {
    const years = new YearTracker(null, MARCH_2024);
    years.observe(2021, 4, 1, 60);
    expect(years.yearFor(3, 30, 86_000)).toBe(2021);
    years.observe(2021, 4, 20, 60);
    expect(years.yearFor(3, 30, 86_000)).toBe(2022);
  });
});
