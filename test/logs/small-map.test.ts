import { describe, expect, it } from "vitest";
import { SmallMap } from "../../src/logs/small-map.js";

describe("SmallMap", () => {
  it("starts empty", () => {
    const map = new SmallMap<string, number>();
    expect(map.size).toBe(0);
    expect(map.get("a")).toBeUndefined();
    expect(map.has("a")).toBe(false);
    expect([...map]).toEqual([]);
  });

  it("keeps one entry and replaces its value", () => {
    const map = new SmallMap<string, number>();
    map.set("a", 1).set("a", 2);
    expect(map.size).toBe(1);
    expect(map.get("a")).toBe(2);
    expect(map.has("b")).toBe(false);
    expect([...map.entries()]).toEqual([["a", 2]]);
  });

  it("keeps insertion order past one key", () => {
    const map = new SmallMap<string, number>();
    map.set("b", 1).set("a", 2).set("c", 3).set("b", 4);
    expect(map.size).toBe(3);
    expect([...map.keys()]).toEqual(["b", "a", "c"]);
    expect([...map.values()]).toEqual([4, 2, 3]);
    expect(Object.fromEntries(map)).toEqual({ b: 4, a: 2, c: 3 });
  });

  it("passes itself to forEach", () => {
    const map = new SmallMap<number, string>();
    map.set(7, "x");
    const seen: Array<[string, number, boolean]> = [];
    map.forEach((value, key, owner) => seen.push([value, key, owner === map]));
    expect(seen).toEqual([["x", 7, true]]);
  });
});

describe("SmallMap delete and firstValue", () => {
  it("deletes its only entry", () => {
    const map = new SmallMap<string, number>();
    map.set("a", 1);
    expect(map.delete("b")).toBe(false);
    expect(map.delete("a")).toBe(true);
    expect(map.size).toBe(0);
    expect(map.has("a")).toBe(false);
    expect(map.firstValue()).toBeUndefined();
  });

  it("deletes past one key", () => {
    const map = new SmallMap<string, number>();
    map.set("a", 1).set("b", 2);
    expect(map.delete("a")).toBe(true);
    expect(map.size).toBe(1);
    expect(map.firstValue()).toBe(2);
    expect([...map.keys()]).toEqual(["b"]);
  });

  it("returns the first value by insertion", () => {
    const map = new SmallMap<string, number>();
    expect(map.firstValue()).toBeUndefined();
    map.set("b", 5);
    expect(map.firstValue()).toBe(5);
    map.set("a", 6);
    expect(map.firstValue()).toBe(5);
  });
});
