import { describe, expect, test } from "vitest";
import { DistinctCounter } from "../../src/analysis/distinct.js";

describe("DistinctCounter", () => {
  test("union of two exact counters", () => {
    const first = new DistinctCounter(100);
    const second = new DistinctCounter(100);
    for (let i = 0; i < 50; i++) first.add(`user${i}@example.com`);
    for (let i = 30; i < 70; i++) second.add(`user${i}@example.com`);
    first.addAll(second);
    expect(first.size).toBe(70);
    expect(first.isExact).toBe(true);
    expect(second.size).toBe(40);
  });

  test("union with an estimating counter", () => {
    const exact = new DistinctCounter(1000);
    const estimating = new DistinctCounter(1000);
    for (let i = 0; i < 500; i++) exact.add(`a${i}@example.com`);
    for (let i = 0; i < 20_000; i++) estimating.add(`b${i}@example.net`);
    exact.addAll(estimating);
    expect(exact.isExact).toBe(false);
    expect(Math.abs(exact.size - 20_500) / 20_500).toBeLessThan(0.05);
    estimating.addAll(new DistinctCounter());
    expect(Math.abs(estimating.size - 20_000) / 20_000).toBeLessThan(0.05);
  });

  test("estimates again after values added since the last size", () => {
    const counter = new DistinctCounter(100);
    const other = new DistinctCounter(100);
    for (let i = 0; i < 10_000; i++) counter.add(`first${i}@example.com`);
    expect(Math.abs(counter.size - 10_000) / 10_000).toBeLessThan(0.05);
    for (let i = 0; i < 30_000; i++) counter.add(`second${i}@example.com`);
    expect(Math.abs(counter.size - 40_000) / 40_000).toBeLessThan(0.05);
    for (let i = 0; i < 40_000; i++) other.add(`third${i}@example.org`);
    counter.addAll(other);
    expect(Math.abs(counter.size - 80_000) / 80_000).toBeLessThan(0.05);
  });

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

  test("counts raw hashes, zero and high bits included", () => {
    const counter = new DistinctCounter(10_000);
    const hashes = [0, 1, 0x80000000, 0xffffffff, 16, 32, 48];
    for (let round = 0; round < 3; round++) for (const hash of hashes) counter.addHash(hash);
    for (let i = 0; i < 3000; i++) counter.addHash((i * 2654435761) >>> 0);
    expect(counter.size).toBe(hashes.length + 2999);
    expect(counter.isExact).toBe(true);
  });

  test("keeps what it counted exactly when it starts to estimate", () => {
    const counter = new DistinctCounter(300);
    for (let i = 0; i < 301; i++) counter.add(`user${i}@example.com`);
    expect(counter.isExact).toBe(false);
    expect(Math.abs(counter.size - 301) / 301).toBeLessThan(0.05);
  });
});

describe("DistinctCounter estimate bounds", () => {
  // The top 12 bits of a hash pick its HyperLogLog register, and the next bits give its rank.
  const register = (index: number, rest: number): number => (index << 20) | rest | 0;

  test("estimate never exceeds values added", () => {
    const counter = new DistinctCounter(512);
    // One value in each of 600 registers, so linear counting estimates about 649.
    for (let index = 0; index < 600; index++) counter.addHash(register(index, 0));
    expect(counter.isExact).toBe(false);
    expect(counter.size).toBe(600);
  });

  test("estimate never falls below exact count", () => {
    const counter = new DistinctCounter(512);
    // 600 distinct values in 3 registers: the raw estimate is about 3.
    for (let i = 0; i < 600; i++) counter.addHash(register(i % 3, 0x80000 | (i + 1)));
    expect(counter.isExact).toBe(false);
    expect(counter.size).toBe(513);
  });

  test("union keeps both bounds", () => {
    const first = new DistinctCounter(512);
    const second = new DistinctCounter(512);
    for (let index = 0; index < 600; index++) first.addHash(register(index, 0));
    for (let index = 600; index < 1200; index++) second.addHash(register(index, 0));
    const union = new DistinctCounter(512);
    union.addAll(first);
    union.addAll(second);
    expect(union.isExact).toBe(false);
    expect(union.size).toBe(1200);

    const low = new DistinctCounter(512);
    for (let i = 0; i < 600; i++) low.addHash(register(i % 3, 0x80000 | (i + 1)));
    const small = new DistinctCounter(512);
    for (let i = 0; i < 10; i++) small.addHash(register(5, 0x80000 | (i + 1)));
    small.addAll(low);
    expect(small.size).toBe(513);
  });
});

describe("DistinctCounter few values", () => {
  test("counts across the switch to a table", () => {
    const counter = new DistinctCounter();
    for (let round = 0; round < 2; round++) {
      for (let value = 0; value < 40; value++) counter.add(`r${value}@example.com`);
    }
    expect(counter.size).toBe(40);
    expect(counter.isExact).toBe(true);
  });

  test("counts the zero hash once", () => {
    const counter = new DistinctCounter();
    counter.addHash(0);
    counter.addHash(0);
    for (let hash = 1; hash <= 9; hash++) counter.addHash(hash);
    const union = new DistinctCounter();
    union.addAll(counter);
    expect(counter.size).toBe(10);
    expect(union.size).toBe(10);
  });
});
