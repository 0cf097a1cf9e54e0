import { describe, expect, test } from "vitest";
import { DistinctCounter } from "../../src/analysis/distinct.js";

describe("DistinctCounter", () => {
  test("counts exactly while small", () => {
    const counter = new DistinctCounter(100);
    for (let i = 0; i < 250; i++) counter.add(`user${i % 80}@example.com`);
    expect(counter.size).toBe(80);
    expect(counter.isExact).toBe(true);
  });

  test("estimates within five percent when large", () => {
    const counter = new DistinctCounter(1000);
    for (let i = 0; i < 200_000; i++) counter.add(`recipient${i}@example.net`);
    expect(counter.isExact).toBe(false);
    expect(Math.abs(counter.size - 200_000) / 200_000).toBeLessThan(0.05);
  });

  test("repeats do not raise the estimate", () => {
    const counter = new DistinctCounter(10);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5000; i++) counter.add(`same${i}@example.org`);
    }
    expect(Math.abs(counter.size - 5000) / 5000).toBeLessThan(0.05);
  });
});
