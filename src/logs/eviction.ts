/**
 * Batch eviction of the least recently active entries, shared by the message tables of the
 * MTA parsers. When a table passes its cap, it evicts a fifth of the cap at once: the
 * entries whose latest line is oldest in log time. Finding the cutoff takes one selection
 * over the activity times, O(n) expected for n entries, which spreads to a few steps per new
 * entry.
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
 * (Hoare's selection). Each pivot sits at a pseudo-random index, because a fixed index is a
 * poor pivot on some orders. The Postfix store lists times host by host, so a log of two hosts
 * gives two ascending runs, and their middle element is often near the largest value. Each
 * pass then removes only a few elements, so the selection takes quadratic time. Once the
 * passes have scanned `MAX_SCAN_FACTOR` times the input, the remaining range is sorted, so
 * the worst case is O(n log n).
 */
export function selectSmallest(values: Float64Array, rank: number): number {
  let low = 0;
  let high = values.length - 1;
  let randomState = PIVOT_SEED;
  let scanBudget = MAX_SCAN_FACTOR * values.length;
  while (low < high) {
    scanBudget -= high - low + 1;
    if (scanBudget < 0) {
      values.subarray(low, high + 1).sort();
      break;
    }

    randomState = nextRandom(randomState);
    const pivot = values[low + (randomState % (high - low + 1))] as number;
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

/**
 * Maximum number of elements, as a multiple of the input length, that the passes of
 * `selectSmallest` scan before it sorts the rest. In trials on 25,000 values (random, sorted,
 * and the two-host runs of a skewed log), the passes scanned 2 to 4 times the input on
 * average, and 5 of 20,000 random inputs reached this limit.
 */
const MAX_SCAN_FACTOR = 8;

/** Seed of the pivot sequence, fixed so that a run reorders the same way each time. */
const PIVOT_SEED = 0x9e3779b9;

/** Returns the next state of a 32-bit xorshift generator. A nonzero state never yields 0. */
function nextRandom(state: number): number {
  let next = state ^ (state << 13);
  next ^= next >>> 17;
  next ^= next << 5;
  return next >>> 0;
}
