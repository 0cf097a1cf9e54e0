import { DistinctCounter, hashString } from "./distinct.js";

/** Bits of the Bloom filter: 2^23 bits, 1 MiB, allocated at the first drop. */
const FILTER_BITS = 1 << 23;
const FILTER_MASK = FILTER_BITS - 1;
/** Bits set and tested per key. */
const PROBES = 4;

/**
 * Remembers the keys that an analyser dropped to bound memory, in fixed memory. It keeps the
 * number of distinct keys (a `DistinctCounter`, exact up to 512 keys, then an estimate) and a
 * Bloom filter that tests whether a key may have been dropped before. The filter has no false
 * negatives, so a key that comes back is always recognised. A key never dropped passes for a
 * dropped one with a probability of about (1 - e^(-4n / 2^23))^4 after n distinct drops: about
 * 0.0005 % at 100,000 and 2 % at 1,000,000.
 */
export class DroppedKeys {
  private readonly distinct = new DistinctCounter();
  private bits: Uint8Array | null = null;

  /** Records that `key` was dropped. */
  add(key: string): void {
    const bits = this.bits ?? new Uint8Array(FILTER_BITS / 8);
    this.bits = bits;
    const hash = hashString(key);
    this.distinct.addHash(hash);
    const step = probeStep(hash);
    for (let probe = 0; probe < PROBES; probe++) {
      const bit = (hash + Math.imul(probe, step)) & FILTER_MASK;
      bits[bit >>> 3] = (bits[bit >>> 3] ?? 0) | (1 << (bit & 7));
    }
  }

  /** True when `key` was dropped before, or, rarely, when another key set the same bits. */
  mayContain(key: string): boolean {
    const bits = this.bits;
    if (bits === null) return false;
    const hash = hashString(key);
    const step = probeStep(hash);
    for (let probe = 0; probe < PROBES; probe++) {
      const bit = (hash + Math.imul(probe, step)) & FILTER_MASK;
      if (((bits[bit >>> 3] ?? 0) & (1 << (bit & 7))) === 0) return false;
    }
    return true;
  }

  /** Distinct keys dropped: exact while `isExact`, else an estimate with about 1.6 % error. */
  get count(): number {
    return this.distinct.size;
  }

  get isExact(): boolean {
    return this.distinct.isExact;
  }
}

// The distance between probes (double hashing), odd so that it is never 0. It mixes the high
// bits of `hash` into the low ones that the filter index uses.
function probeStep(hash: number): number {
  return (Math.imul(hash ^ (hash >>> 16), 0x2c1b3c6d) >>> 7) | 1;
}
