import { describe, expect, it } from "vitest";
import { EvictionPlan, evictionBatch, selectSmallest } from "../../src/logs/eviction.js";

/** Deterministic pseudo-random times with many ties, as log seconds have. */
function times(count: number, seed: number): Float64Array {
  const values = new Float64Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    values[i] = state % 97;
  }
  return values;
}

describe("selectSmallest", () => {
  it.each([1, 2, 7, 100, 1000])("matches a sort for %i values", (count) => {
    const values = times(count, count);
    const sorted = [...values].sort((a, b) => a - b);
    for (const rank of [0, Math.floor(count / 3), count - 1]) {
      expect(selectSmallest(values.slice(), rank)).toBe(sorted[rank]);
    }
  });

  it.each(["sorted", "two runs", "equal"])("matches a sort on %s values", (order) => {
    const count = 5001;
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      if (order === "sorted") values[i] = i;
      // The times of two syslog hosts, host by host, the second host 660 seconds behind.
      else if (order === "two runs") values[i] = i < 2600 ? 2 * i : 2 * (i - 2600) - 1320;
      else values[i] = 7;
    }
    const sorted = [...values].sort((a, b) => a - b);
    for (const rank of [0, 1000, 2500, count - 1]) {
      expect(selectSmallest(values.slice(), rank)).toBe(sorted[rank]);
    }
  });
});

describe("EvictionPlan", () => {
  it("evicts exactly the batch, oldest first", () => {
    const values = times(500, 3);
    const plan = new EvictionPlan(values.slice(), 50);
    const chosen = [...values].map((time) => plan.evicts(time));
    const evicted = [...values].filter((_, index) => chosen[index]);
    const kept = [...values].filter((_, index) => !chosen[index]);

    expect(evicted).toHaveLength(50);
    expect(Math.max(...evicted)).toBeLessThanOrEqual(Math.min(...kept));
  });

  it("evicts ties only until the batch is full", () => {
    const plan = new EvictionPlan(new Float64Array([5, 5, 5, 5]), 2);
    expect([5, 5, 5, 5].map((time) => plan.evicts(time))).toEqual([true, true, false, false]);
  });

  it("evicts nothing from an empty table", () => {
    const plan = new EvictionPlan(new Float64Array(0), 3);
    expect(plan.evicts(0)).toBe(false);
  });

  it("sizes a batch as a fifth of the cap", () => {
    expect(evictionBatch(50_000)).toBe(10_000);
    expect(evictionBatch(1)).toBe(1);
  });
});
