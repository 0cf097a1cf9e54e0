/**
 * Counts distinct strings in bounded memory: exactly up to `exactLimit` values, then as a
 * HyperLogLog estimate (Flajolet et al., 2007) with 2^12 registers, about 1.6 % standard
 * error. A compromised account can spray a million distinct recipients, and an exact set of
 * them would not fit the memory budget of a log run. No maintained npm package offers a small
 * HyperLogLog without native code, so this one is written here.
 *
 * Values are kept as 32-bit hashes, not strings: a hash costs 8 bytes instead of a string
 * that may pin its whole log line in memory, and one hash of a recipient serves every
 * counter that counts it. Two values with the same hash count once; below the default exact
 * limit of 512 that happens with a probability of about 0.003 %.
 *
 * An estimate is clamped to bounds that hold for certain: no fewer values than the exact set
 * contained when the counter switched to estimating, and no more than the values added.
 */
export class DistinctCounter {
  private exact: HashSet32 | null = new HashSet32();
  private registers: Uint8Array | null = null;
  // Values added, repeats included: an upper bound of the distinct count.
  private addedCount = 0;
  // A lower bound of the distinct count once estimating: the size of the largest exact set
  // that went into the registers.
  private lowerBound = 0;
  // The estimate of `registers` since they last changed, or -1. An estimate reads every
  // register, and the findings ask the size of each account's counter more than once.
  private estimated = -1;

  constructor(private readonly exactLimit = 512) {}

  /** Counts a string. */
  add(value: string): void {
    this.addHash(hashString(value));
  }

  /** Counts a value by its `hashString` hash, for callers that hash once for many counters. */
  addHash(hash: number): void {
    this.addedCount += 1;
    if (this.exact !== null) {
      this.exact.add(hash);
      if (this.exact.size > this.exactLimit) this.switchToEstimate();
      return;
    }
    if (this.registers !== null && addToRegisters(this.registers, hash)) this.estimated = -1;
  }

  /**
   * Exact count while small, estimate afterwards. The estimate lies between the distinct values
   * counted exactly before estimating and the number of values added.
   */
  get size(): number {
    if (this.exact !== null) return this.exact.size;
    if (this.estimated < 0) {
      const raw = estimate(this.registers ?? new Uint8Array(REGISTER_COUNT));
      this.estimated = Math.min(Math.max(raw, this.lowerBound), this.addedCount);
    }
    return this.estimated;
  }

  /** Counts every value that `other` counted, so that this counter counts the union of both. */
  addAll(other: DistinctCounter): void {
    if (other.exact !== null) {
      other.exact.forEach((hash) => this.addHash(hash));
      return;
    }
    if (other.registers === null) return;
    if (this.exact !== null) this.switchToEstimate();
    const registers = this.registers ?? new Uint8Array(REGISTER_COUNT);
    this.registers = registers;
    this.estimated = -1;
    this.addedCount += other.addedCount;
    this.lowerBound = Math.max(this.lowerBound, other.lowerBound);
    // A HyperLogLog of a union keeps the larger rank of each register.
    other.registers.forEach((rank, index) => {
      if (rank > (registers[index] ?? 0)) registers[index] = rank;
    });
  }

  /** True while `size` is exact (up to hash collisions). */
  get isExact(): boolean {
    return this.exact !== null;
  }

  private switchToEstimate(): void {
    const registers = new Uint8Array(REGISTER_COUNT);
    this.exact?.forEach((hash) => addToRegisters(registers, hash));
    this.lowerBound = Math.max(this.lowerBound, this.exact?.size ?? 0);
    this.registers = registers;
    this.exact = null;
    this.estimated = -1;
  }
}

/**
 * A set of 32-bit hashes in an open-addressing table. A JavaScript `Set` stores hashes above
 * 2^31 as boxed numbers, one allocation each, and adding to it was a tenth of a log run.
 */
class HashSet32 {
  // The first `FEW_VALUES` non-zero values, in an array of exactly their number, until the table
  // is made. Most counters of an account count a few recipients, and a heap snapshot of Node 20
  // showed about 260 bytes for a `Uint32Array` of 16 values with its buffer.
  private few: number[] | null = null;
  private table: Uint32Array | null = null;
  private hasZero = false;
  size = 0;

  add(hash: number): void {
    const value = hash >>> 0;
    if (value === 0) {
      if (!this.hasZero) this.size += 1;
      this.hasZero = true;
      return;
    }
    if (this.table === null && this.addFew(value)) return;
    const table = this.table ?? this.makeTable();
    if ((this.size + 1) * 2 > table.length) this.grow(table);
    if (insert(this.table ?? table, value)) this.size += 1;
  }

  forEach(visit: (hash: number) => void): void {
    if (this.hasZero) visit(0);
    if (this.few !== null) for (const value of this.few) visit(value);
    if (this.table !== null) for (const value of this.table) if (value !== 0) visit(value);
  }

  // Adds `value` to `few` and returns true, unless `few` is full.
  private addFew(value: number): boolean {
    const few = this.few;
    if (few === null) {
      this.few = [value];
    } else if (few.includes(value)) {
      return true;
    } else if (few.length < FEW_VALUES) {
      // `concat` makes an array of the new length, where `push` would leave room for 16 more.
      this.few = few.concat(value);
    } else {
      return false;
    }
    this.size += 1;
    return true;
  }

  // Moves the values of `few` into a new table.
  private makeTable(): Uint32Array {
    const table = new Uint32Array(4 * FEW_VALUES);
    for (const value of this.few ?? []) insert(table, value);
    this.few = null;
    this.table = table;
    return table;
  }

  private grow(old: Uint32Array): void {
    this.table = new Uint32Array(old.length * 2);
    for (const value of old) if (value !== 0) insert(this.table, value);
  }
}

/** Values a `HashSet32` keeps in an array before it makes its hash table. */
const FEW_VALUES = 8;

/** Inserts a non-zero value with linear probing; returns false when it was already there. */
function insert(table: Uint32Array, value: number): boolean {
  const mask = table.length - 1;
  let slot = value & mask;
  for (;;) {
    const current = table[slot];
    if (current === value) return false;
    if (current === 0) {
      table[slot] = value;
      return true;
    }
    slot = (slot + 1) & mask;
  }
}

const INDEX_BITS = 12;
const REGISTER_COUNT = 1 << INDEX_BITS;

// Returns true when the register of `hash` grew.
function addToRegisters(registers: Uint8Array, hash: number): boolean {
  const index = hash >>> (32 - INDEX_BITS);
  const rest = (hash << INDEX_BITS) | (1 << (INDEX_BITS - 1));
  const rank = Math.clz32(rest) + 1;
  if (rank <= (registers[index] ?? 0)) return false;
  registers[index] = rank;
  return true;
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (const register of registers) {
    sum += 2 ** -register;
    if (register === 0) zeros += 1;
  }
  const alpha = 0.7213 / (1 + 1.079 / REGISTER_COUNT);
  const raw = (alpha * REGISTER_COUNT * REGISTER_COUNT) / sum;
  // Linear counting is more accurate while many registers are still empty.
  if (raw <= 2.5 * REGISTER_COUNT && zeros > 0) {
    return Math.round(REGISTER_COUNT * Math.log(REGISTER_COUNT / zeros));
  }
  return Math.round(raw);
}

/**
 * Returns a 32-bit hash of a string: FNV-1a with a final avalanche step, so that the high
 * bits used as the HyperLogLog register index are well mixed. The hash is a signed 32-bit
 * integer because V8 keeps those unboxed in fields and Map keys. An unsigned hash above 2^31
 * would be a heap number, allocated for every delivery and hashed as a double by every Map.
 */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash | 0;
}
