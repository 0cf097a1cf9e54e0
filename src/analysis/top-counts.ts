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
 * algorithm, and keeps one value per key. It stores at
 * most `capacity` keys. A new key that finds the table full replaces the key with the smallest
 * count, starts from that count plus one, and gets a new value from `newValue`, which may reset
 * and return the replaced key's value. So a value only covers the occurrences since its key
 * last entered the table. Every key that occurs more
 * than total / capacity times is in the table. A min-heap on the counts finds the smallest in
 * O(log capacity), so a spray of a million names stays fast.
 */
export class SpaceSaving<V> {
  /** The entries as a min-heap on `count`. */
  private readonly heap: Array<HeapEntry<V>> = [];
  private readonly entries = new Map<string, HeapEntry<V>>();
  private replaced = false;

  constructor(
    private readonly capacity: number,
    private readonly newValue: (key: string, replaced: V | null) => V,
  ) {}

  /** Counts one occurrence of `key` and returns its value. */
  add(key: string): V {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.count += 1;
      this.siftDown(entry);
      return entry.value;
    }

    const stored = detach(key);
    if (this.heap.length < this.capacity) {
      const value = this.newValue(stored, null);
      const created = { key: stored, count: 1, overcount: 0, value, index: this.heap.length };
      this.heap.push(created);
      this.entries.set(stored, created);
      this.siftUp(created);
      return value;
    }

    // The root has the smallest count. Its key gives way, and the new key inherits that count
    // as its overcount. The entry, and the value when `newValue` reuses it, serve the new key,
    // so that a spray of new keys allocates only the copies of the keys.
    const root = this.heap[0] as HeapEntry<V>;
    this.entries.delete(root.key);
    const value = this.newValue(stored, root.value);
    root.key = stored;
    root.overcount = root.count;
    root.count += 1;
    root.value = value;
    this.entries.set(stored, root);
    this.replaced = true;
    this.siftDown(root);
    return value;
  }

  /** True while no key was replaced, so every count is exact and no key is missing. */
  get isExact(): boolean {
    return !this.replaced;
  }

  /** Number of keys stored. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Returns up to `limit` entries, highest guaranteed count (`count - overcount`) first, then
   * highest count, then by key, so that ties come out the same on every run.
   */
  top(limit: number): Array<SpaceSavingEntry<V>> {
    const entries = this.heap.map(({ key, count, overcount, value }) => ({
      key,
      count,
      overcount,
      value,
    }));
    entries.sort(
      (a, b) =>
        b.count - b.overcount - (a.count - a.overcount) ||
        b.count - a.count ||
        compareKeys(a.key, b.key),
    );
    return entries.slice(0, limit);
  }

  // Both sifts move the entries they pass over and write `entry` once at its place, which
  // costs one array write and one index update per level.
  private siftUp(entry: HeapEntry<V>): void {
    const heap = this.heap;
    let index = entry.index;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as HeapEntry<V>;
      if (parent.count <= entry.count) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  private siftDown(entry: HeapEntry<V>): void {
    const heap = this.heap;
    const length = heap.length;
    let index = entry.index;
    for (;;) {
      let childIndex = 2 * index + 1;
      if (childIndex >= length) break;
      let child = heap[childIndex] as HeapEntry<V>;
      const right = heap[childIndex + 1];
      if (right !== undefined && right.count < child.count) {
        childIndex += 1;
        child = right;
      }
      if (child.count >= entry.count) break;
      heap[index] = child;
      child.index = index;
      index = childIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }
}

/** A key of {@link SpaceSaving} with its counts, its value and its place in the heap. */
interface HeapEntry<V> {
  key: string;
  count: number;
  overcount: number;
  value: V;
  index: number;
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
