import { describe, expect, it } from "vitest";
import { RepeatFilter } from "../../src/monitor/repeats.js";

describe("RepeatFilter", () => {
  it("holds back a repeat within the interval", () => {
    const filter = new RepeatFilter(1_000);
    expect(filter.record("job:logs", "disk full", 0)).toBe(0);
    expect(filter.record("job:logs", "disk full", 400)).toBeNull();
    expect(filter.record("job:logs", "disk full", 999)).toBeNull();
    expect(filter.record("job:logs", "disk full", 1_000)).toBe(2);
    expect(filter.record("job:logs", "disk full", 1_500)).toBeNull();
  });

  it("passes a new message at once", () => {
    const filter = new RepeatFilter(1_000);
    filter.record("job:logs", "disk full", 0);
    filter.record("job:logs", "disk full", 10);
    expect(filter.record("job:logs", "database locked", 20)).toBe(0);
  });

  it("keeps keys apart", () => {
    const filter = new RepeatFilter(1_000);
    filter.record("job:logs", "disk full", 0);
    expect(filter.record("job:dns", "disk full", 10)).toBe(0);
  });

  it("reports the end of a condition", () => {
    const filter = new RepeatFilter(1_000);
    expect(filter.clear("job:logs")).toBe(false);
    filter.record("job:logs", "disk full", 0);
    expect(filter.clear("job:logs")).toBe(true);
    expect(filter.record("job:logs", "disk full", 10)).toBe(0);
  });
});
