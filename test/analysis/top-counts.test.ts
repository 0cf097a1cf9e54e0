import { describe, expect, test } from "vitest";
import { TopCounts } from "../../src/analysis/top-counts.js";

describe("TopCounts", () => {
  test("counts exactly below capacity", () => {
    const counts = new TopCounts(10);
    for (let i = 0; i < 30; i++) counts.add(`user${i % 3}`);
    counts.add("user0");

    expect(counts.isExact).toBe(true);
    expect(counts.top(2)).toEqual([
      { key: "user0", count: 11, overcount: 0 },
      { key: "user1", count: 10, overcount: 0 },
    ]);
  });

  test("keeps a frequent name seen late", () => {
    const counts = new TopCounts(100);
    for (let i = 0; i < 1000; i++) counts.add(`spray${i}`);
    for (let round = 0; round < 5; round++) counts.add("admin");
    for (let i = 1000; i < 1500; i++) counts.add(`spray${i}`);

    const admin = counts.top(1)[0];
    expect(counts.isExact).toBe(false);
    expect(counts.size).toBe(100);
    expect(admin?.key).toBe("admin");
    expect(admin?.count).toBeGreaterThanOrEqual(5);
    expect((admin?.count ?? 0) - (admin?.overcount ?? 0)).toBe(5);
  });

  test("replaces the smallest count", () => {
    const counts = new TopCounts(2);
    counts.add("a");
    counts.add("a");
    counts.add("b");
    counts.add("c");

    expect(counts.top(5)).toEqual([
      { key: "a", count: 2, overcount: 0 },
      { key: "c", count: 2, overcount: 1 },
    ]);
  });

  test("brackets true counts on a spray", () => {
    const counts = new TopCounts(50);
    const truth = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const key = i % 4 === 0 ? `hot${i % 3}` : `cold${i}`;
      counts.add(key);
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }

    const top = counts.top(3);
    expect(top.map((entry) => entry.key).sort()).toEqual(["hot0", "hot1", "hot2"]);
    for (const entry of top) {
      const real = truth.get(entry.key) ?? 0;
      expect(entry.count).toBeGreaterThanOrEqual(real);
      expect(entry.count - entry.overcount).toBeLessThanOrEqual(real);
    }
  });
});
