/** Hour and day buckets for counting events over time. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Returns the start of the UTC hour that contains `time`. */
export function hourOf(time: number): number {
  return Math.floor(time / HOUR_MS) * HOUR_MS;
}

/** Returns the start of the UTC day that contains `time`. */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** A map of counts that `increment` updates, such as a `Map` or a `SmallMap`. */
export interface CountingMap<K> {
  get(key: K): number | undefined;
  set(key: K, value: number): unknown;
  readonly size: number;
}

/** Adds `amount` to the bucket `key` of a counting map. */
export function increment<K>(counts: CountingMap<K>, key: K, amount = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + amount);
}

/**
 * Adds to a counting map with time keys, one run of equal keys at a time. Log events come
 * nearly in time order, so most fall in the bucket of the event before. A Map look-up by a time
 * key, which is a heap number and not a small integer, would cost more for each of them. The
 * map lacks the latest run until `flush` is called. Keys enter the map in the order of their
 * first runs, as they would with `increment`.
 */
export class RunCounter {
  private key = NaN;
  private pending = 0;

  constructor(private readonly counts: Map<number, number>) {}

  add(key: number): void {
    if (key === this.key) {
      this.pending += 1;
      return;
    }
    this.flush();
    this.key = key;
    this.pending = 1;
  }

  /** Adds the current run to the map. */
  flush(): void {
    if (this.pending === 0) return;
    increment(this.counts, this.key, this.pending);
    this.pending = 0;
  }
}

/** Returns the median of the values, or 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  if (sorted.length % 2 === 1) return upper;
  return ((sorted[middle - 1] ?? 0) + upper) / 2;
}

// `detach` returns a copy of a string that does not keep its parent alive. The analysers
// import it from here, and the Postfix fields define it.
export { detach } from "../logs/postfix/fields.js";
