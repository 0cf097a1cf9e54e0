import { detach } from "./time.js";

/** A key of {@link TopCounts} with its count and the maximum by which that count may be too high. */
export interface TopCount {
  readonly key: string;
  /** Occurrences counted, an upper bound of the true number. */
  readonly count: number;
  /** Occurrences that other keys had before this key replaced them; 0 when `count` is exact. */
  readonly overcount: number;
}

/** A key of {@link SpaceSaving} with its counts and the value that the table keeps for it. */
export interface SpaceSavingEntry<V> extends TopCount {
  readonly value: V;
}

/**
 * Counts the most frequent strings of a stream in bounded memory with the Space-Saving
 * algorithm (Metwally, Agrawal and El Abbadi, 2005), and keeps one value per key. It stores at
 * most `capacity` keys. A new key that finds the table full replaces the key with the smallest
 * count, starts from that count plus one, and gets a new value from `newValue`, so the value
 * only covers the occurrences since the key last entered the table. Every key that occurs more
 * than total / capacity times is in the table. A min-heap on the counts finds the smallest in
 * O(log capacity), so a spray of a million names stays fast.
 */
export class SpaceSaving<V> {
  private readonly keys: string[] = [];
  private readonly counts: number[] = [];
  private readonly overcounts: number[] = [];
  private readonly values: V[] = [];
  /** Heap index of each key. */
  private readonly slots = new Map<string, number>();
  private replaced = false;

  constructor(
    private readonly capacity: number,
    private readonly newValue: (key: string) => V,
  ) {}

  /** Counts one occurrence of `key` and returns its value. */
  add(key: string): V {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.counts[slot] = (this.counts[slot] ?? 0) + 1;
      return this.valueAt(this.siftDown(slot));
    }

    const stored = detach(key);
    const value = this.newValue(stored);
    if (this.keys.length < this.capacity) {
      this.keys.push(stored);
      this.counts.push(1);
      this.overcounts.push(0);
      this.values.push(value);
      this.slots.set(stored, this.keys.length - 1);
      this.siftUp(this.keys.length - 1);
      return value;
    }

    // The root has the smallest count. Its key gives way, and the new key inherits that
    // count as its overcount.
    const smallest = this.counts[0] ?? 0;
    this.slots.delete(this.keys[0] ?? "");
    this.keys[0] = stored;
    this.counts[0] = smallest + 1;
    this.overcounts[0] = smallest;
    this.values[0] = value;
    this.slots.set(stored, 0);
    this.replaced = true;
    this.siftDown(0);
    return value;
  }

  /** True while no key was replaced, so every count is exact and no key is missing. */
  get isExact(): boolean {
    return !this.replaced;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.keys.length;
  }

  /**
   * Returns up to `limit` entries, highest guaranteed count (`count - overcount`) first, then
   * highest count, then by key, so that ties come out the same on every run.
   */
  top(limit: number): Array<SpaceSavingEntry<V>> {
    const entries = this.keys.map((key, index) => ({
      key,
      count: this.counts[index] ?? 0,
      overcount: this.overcounts[index] ?? 0,
      value: this.valueAt(index),
    }));
    entries.sort(
      (a, b) =>
        b.count - b.overcount - (a.count - a.overcount) ||
        b.count - a.count ||
        compareKeys(a.key, b.key),
    );
    return entries.slice(0, limit);
  }

  private valueAt(index: number): V {
    return this.values[index] as V;
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.countAt(parent) <= this.countAt(index)) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Moves the entry at `start` down to its place in the heap and returns that place. */
  private siftDown(start: number): number {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.keys.length && this.countAt(left) < this.countAt(smallest)) smallest = left;
      if (right < this.keys.length && this.countAt(right) < this.countAt(smallest)) {
        smallest = right;
      }
      if (smallest === index) return index;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  private countAt(index: number): number {
    return this.counts[index] ?? 0;
  }

  private swap(a: number, b: number): void {
    const key = this.keys[a] ?? "";
    const otherKey = this.keys[b] ?? "";
    this.keys[a] = otherKey;
    this.keys[b] = key;
    [this.counts[a], this.counts[b]] = [this.countAt(b), this.countAt(a)];
    [this.overcounts[a], this.overcounts[b]] = [this.overcounts[b] ?? 0, this.overcounts[a] ?? 0];
    [this.values[a], this.values[b]] = [this.valueAt(b), this.valueAt(a)];
    this.slots.set(otherKey, a);
    this.slots.set(key, b);
  }
}

/** Counts the most frequent strings of a stream in bounded memory (see {@link SpaceSaving}). */
export class TopCounts {
  private readonly table: SpaceSaving<null>;

  constructor(capacity = 1000) {
    this.table = new SpaceSaving(capacity, () => null);
  }

  /** Counts one occurrence of `key`. */
  add(key: string): void {
    this.table.add(key);
  }

  /** True while no key was replaced, so every count is exact and no key is missing. */
  get isExact(): boolean {
    return this.table.isExact;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.table.size;
  }

  /** Returns up to `limit` keys, ordered as {@link SpaceSaving.top} orders them. */
  top(limit: number): TopCount[] {
    return this.table.top(limit).map(({ key, count, overcount }) => ({ key, count, overcount }));
  }
}

function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
