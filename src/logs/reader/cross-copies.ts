/**
 * Records of one input that repeat records of an input of another file set, whatever the shape
 * and name of either input: `mail.log` with `journalctl -u postfix -o json` of the same period,
 * `mail.log` with `docker logs` of the mail container, or `mail.info` with `mail.warn`. Two
 * records are the same when they have the same host, second, program, pid and message text.
 * The time is compared in whole seconds, because one input may carry fractional seconds that
 * the other lacks. Postfix and Sendmail lines of a queued message carry its queue id and Exim
 * lines its message id, so a second machine with the same host name, whose ids and pids
 * differ, keeps its records.
 *
 * NOTE: a line without an id, such as `connect from`, that a second machine with the same host
 * name writes with the same pid and text in the same second is left out as a copy.
 */
import type { LogRecord } from "../record.js";

/**
 * Maximum slots of the fingerprint table. Each slot takes 10 bytes (a 53-bit fingerprint and
 * the index of the input that gave it), so the full table takes 40 MiB. It stores up to
 * `MAX_FINGERPRINTS` records, about three million. The records after that are not stored,
 * so their copies in later inputs are read twice.
 */
const MAX_SLOTS = 1 << 22;

/** Maximum fingerprints stored, three quarters of `MAX_SLOTS`, so that probes stay short. */
export const MAX_FINGERPRINTS = (MAX_SLOTS / 4) * 3;

const INITIAL_SLOTS = 1 << 12;

// Input indexes are stored in a Uint16Array, so the records of later inputs are not stored.
const MAX_INPUTS = 0xffff;

const TWO_TO_32 = 2 ** 32;

/**
 * Store of fingerprints of the records read so far, and finder of the records that repeat a
 * record of an earlier file set. The files of one rotated set cover different periods, so
 * they are not compared with each other.
 */
export class RecordFingerprints {
  /** Records not stored because the table or the number of inputs reached its maximum. */
  unstored = 0;

  private keys = new Float64Array(INITIAL_SLOTS);
  // The index of the input that gave each key, in `inputNames`.
  private owners = new Uint16Array(INITIAL_SLOTS);
  private stored = 0;
  private readonly inputNames: string[] = [];
  // The file set of each input, counted from 0.
  private readonly fileSets: number[] = [];
  private fileSet = -1;

  /** Starts the input `name`. `newFileSet` is false for a rotated file after the first. */
  startInput(name: string, newFileSet: boolean): void {
    if (newFileSet || this.fileSet < 0) this.fileSet += 1;
    this.inputNames.push(name);
    this.fileSets.push(this.fileSet);
  }

  /**
   * Returns the name of the input of an earlier file set that contains the same record as
   * `record`, or null after storing the fingerprint of `record` for the inputs that follow.
   */
  earlierCopy(record: LogRecord): string | null {
    const first = hashRecord(record, 0x811c9dc5, 0x01000193);
    const second = hashRecord(record, 0x9747b28c, 0x5bd1e995);
    const key = (first >>> 0) + (second & 0x1fffff) * TWO_TO_32 || 1;
    const mask = this.keys.length - 1;
    let slot = first & mask;
    for (;;) {
      const stored = this.keys[slot];
      if (stored === 0) break;
      if (stored === key) return this.copyOf(this.owners[slot] as number);
      slot = (slot + 1) & mask;
    }
    this.store(slot, key, first);
    return null;
  }

  // Returns the name of input `owner` when it belongs to an earlier file set, else null. A
  // record of the same file set repeats a line of that set, which the reader and the parsers
  // count as they do without this check.
  private copyOf(owner: number): string | null {
    const current = this.inputNames.length - 1;
    if ((this.fileSets[owner] as number) >= (this.fileSets[current] as number)) return null;
    return this.inputNames[owner] ?? null;
  }

  private store(slot: number, key: number, hash: number): void {
    const owner = this.inputNames.length - 1;
    if (owner < 0 || owner >= MAX_INPUTS || this.stored >= MAX_FINGERPRINTS) {
      this.unstored += 1;
      return;
    }
    if (this.stored + 1 > this.keys.length / 2 && this.keys.length < MAX_SLOTS) {
      this.grow();
      this.insert(key, owner, hash);
    } else {
      this.keys[slot] = key;
      this.owners[slot] = owner;
    }
    this.stored += 1;
  }

  // Doubles the table and moves every stored key to its slot in the new one.
  private grow(): void {
    const keys = this.keys;
    const owners = this.owners;
    this.keys = new Float64Array(keys.length * 2);
    this.owners = new Uint16Array(keys.length * 2);
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot] as number;
      if (key !== 0) this.insert(key, owners[slot] as number, key % TWO_TO_32);
    }
  }

  // The low 32 bits of a key are the first hash, whose low bits pick the first slot tried.
  private insert(key: number, owner: number, hash: number): void {
    const mask = this.keys.length - 1;
    let slot = hash & mask;
    while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
    this.keys[slot] = key;
    this.owners[slot] = owner;
  }
}

// FNV-1a style hash of the fields that make two records the same, with `seed` as the offset
// and `prime` as the multiplier, so that two calls give two independent 32-bit hashes.
function hashRecord(record: LogRecord, seed: number, prime: number): number {
  const second = Math.floor(record.time / 1000);
  let hash = seed;
  hash = Math.imul(hash ^ ((second % TWO_TO_32) | 0), prime);
  hash = Math.imul(hash ^ Math.floor(second / TWO_TO_32), prime);
  hash = Math.imul(hash ^ (record.pid ?? -1), prime);
  hash = hashText(hash, record.host, prime);
  hash = hashText(hash, record.program, prime);
  return hashText(hash, record.message, prime);
}

// A field ends with a NUL, so that `ab` + `c` and `a` + `bc` hash differently.
function hashText(start: number, text: string, prime: number): number {
  let hash = start;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), prime);
  }
  return Math.imul(hash, prime);
}
