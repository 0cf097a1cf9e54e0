import { detach } from "./time.js";

/** A key of {@link TopCounts} with its count and the maximum by which that count may be too high. */
export interface TopCount {
  readonly key: string;
  /** Occurrences counted, an upper bound of the true number. */
  readonly count: number;
  /** Occurrences that other keys had before this key replaced them; 0 when `count` is exact. */
  readonly overcount: number;
}

/**
 * Counts the most frequent strings of a stream in bounded memory with the Space-Saving
 * algorithm. It stores at most `capacity` keys. A new key that finds the
 * table full replaces the key with the smallest count and starts from that count plus one.
 * Every key that occurs more than total / capacity times is in the table. A min-heap on the
 * counts finds the smallest in O(log capacity), so a spray of a million names stays fast.
 */
export class TopCounts {
  private readonly keys: string[] = [];
  private readonly counts: number[] = [];
  private readonly overcounts: number[] = [];
  /** Heap index of each key. */
  private readonly slots = new Map<string, number>();
  private replaced = false;

  constructor(private readonly capacity = 1000) {}

  /** Counts one occurrence of `key`. */
  add(key: string): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.counts[slot] = (this.counts[slot] ?? 0) + 1;
      this.siftDown(slot);
      return;
    }

    if (this.keys.length < this.capacity) {
      const stored = detach(key);
      this.keys.push(stored);
      this.counts.push(1);
      this.overcounts.push(0);
      this.slots.set(stored, this.keys.length - 1);
      this.siftUp(this.keys.length - 1);
      return;
    }

    // The root has the smallest count. Its key gives way, and the new key inherits that
    // count as its overcount.
    const smallest = this.counts[0] ?? 0;
    this.slots.delete(this.keys[0] ?? "");
    const stored = detach(key);
    this.keys[0] = stored;
    this.counts[0] = smallest + 1;
    this.overcounts[0] = smallest;
    this.slots.set(stored, 0);
    this.replaced = true;
    this.siftDown(0);
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
   * Returns up to `limit` keys, highest guaranteed count (`count - overcount`) first, then
   * highest count, then by key, so that ties come out the same on every run.
   */
  top(limit: number): TopCount[] {
    const entries = this.keys.map((key, index) => ({
      key,
      count: this.counts[index] ?? 0,
      overcount: this.overcounts[index] ?? 0,
    }));
    entries.sort(
      (a, b) =>
        b.count - b.overcount - (a.count - a.overcount) ||
        b.count - a.count ||
        compareKeys(a.key, b.key),
    );
    return entries.slice(0, limit);
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

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.keys.length && this.countAt(left) < this.countAt(smallest)) smallest = left;
      if (right < this.keys.length && this.countAt(right) < this.countAt(smallest)) {
        smallest = right;
      }
      if (smallest === index) return;
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
    this.slots.set(otherKey, a);
    this.slots.set(key, b);
  }
}

function compareKeys(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
