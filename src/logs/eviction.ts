/**
 * Batch eviction of the least recently active entries, shared by the message tables of the
 * MTA parsers. When a table passes its cap, it evicts a fifth of the cap at once: the
 * entries whose latest line is oldest in log time. Finding the cutoff takes one selection
 * over the activity times, O(n) for n entries, which spreads to a few steps per new entry.
 */

/** Share of the cap that one eviction removes. */
const BATCH_SHARE = 0.2;

/** Returns how many entries one eviction removes from a table capped at `cap`. */
export function evictionBatch(cap: number): number {
  return Math.max(1, Math.ceil(cap * BATCH_SHARE));
}

/**
 * Which entries one eviction removes: every entry last active before the cutoff time, and
 * entries active exactly at the cutoff until the batch is full.
 */
export class EvictionPlan {
  private readonly cutoff: number;
  private ties: number;

  /**
   * @param times the activity times of all entries (log time in ms); reordered in place.
   * @param batch how many entries to evict.
   */
  constructor(times: Float64Array, batch: number) {
    const count = Math.min(batch, times.length);
    this.cutoff = count === 0 ? -Infinity : selectSmallest(times, count - 1);
    let older = 0;
    for (const time of times) if (time < this.cutoff) older += 1;
    this.ties = count - older;
  }

  /** True when an entry last active at `time` is evicted; an entry at the cutoff uses a tie. */
  evicts(time: number): boolean {
    if (time < this.cutoff) return true;
    if (time > this.cutoff || this.ties <= 0) return false;
    this.ties -= 1;
    return true;
  }
}

/**
 * Returns the value of rank `rank` (0 for the smallest) in `values`, reordering them
 * (Hoare's selection with the middle element as pivot).
 */
export function selectSmallest(values: Float64Array, rank: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1] as number;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (rank <= j) high = j;
    else if (rank >= i) low = i;
    else return values[rank] as number;
  }
  return values[rank] as number;
}
