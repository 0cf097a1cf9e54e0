/**
 * Records of one input that repeat records of an input of another file set, whatever the shape
 * and name of either input: `mail.log` with `journalctl -u postfix -o json` of the same period,
 * `mail.log` with `docker logs` of the mail container, or `mail.info` with `mail.warn`. Two
 * records are the same when they have the same host, second, program, pid and message text.
 * The time is compared in whole seconds, because one input may carry fractional seconds that
 * the other lacks. Postfix and Sendmail lines of a queued message carry its queue id and Exim
 * lines its message id, so a second machine with the same host name, whose ids and pids
 * differ, keeps its records. Records without a host, such as those of Exim's own main log, are
 * not compared, because the main logs of two machines have no host name to tell them apart.
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
  // The two hashes of the record being looked up, reused so that no record allocates.
  private readonly hashes = new Int32Array(2);

  /** Starts the input `name`. `newFileSet` is false for a rotated file after the first. */
  startInput(name: string, newFileSet: boolean): void {
    if (newFileSet || this.fileSet < 0) this.fileSet += 1;
    this.inputNames.push(name);
    this.fileSets.push(this.fileSet);
  }

  /**
   * Returns the name of the input of an earlier file set that contains the same record as
   * `record`, or null after storing the fingerprint of `record` for the inputs that follow.
   * Returns null for a record without a host, and stores nothing.
   */
  earlierCopy(record: LogRecord): string | null {
    if (record.host === "") return null;
    const hashes = this.hashes;
    hashRecord(record, hashes);
    const first = hashes[0] as number;
    const second = hashes[1] as number;
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

// FNV-1a offsets and multipliers of the two hashes. The second pair is not FNV's, so that
// the two hashes are independent and give a 53-bit fingerprint together.
const FIRST_SEED = 0x811c9dc5 | 0;
const FIRST_PRIME = 0x01000193;
const SECOND_SEED = 0x9747b28c | 0;
const SECOND_PRIME = 0x5bd1e995;

// Sets `hashes` to the two FNV-1a style hashes of the fields that make two records the same.
function hashRecord(record: LogRecord, hashes: Int32Array): void {
  const second = Math.floor(record.time / 1000);
  hashes[0] = FIRST_SEED;
  hashes[1] = SECOND_SEED;
  addNumber(hashes, (second % TWO_TO_32) | 0);
  addNumber(hashes, Math.floor(second / TWO_TO_32));
  addNumber(hashes, record.pid ?? -1);
  addText(hashes, record.host);
  addText(hashes, record.program);
  addText(hashes, record.message);
}

function addNumber(hashes: Int32Array, value: number): void {
  hashes[0] = Math.imul((hashes[0] as number) ^ value, FIRST_PRIME);
  hashes[1] = Math.imul((hashes[1] as number) ^ value, SECOND_PRIME);
}

// Adds the characters of `text` and a NUL after them, so that `ab` + `c` and `a` + `bc` hash
// differently. Both hashes are taken in one pass over the text.
function addText(hashes: Int32Array, text: string): void {
  let first = hashes[0] as number;
  let second = hashes[1] as number;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, FIRST_PRIME);
    second = Math.imul(second ^ code, SECOND_PRIME);
  }
  hashes[0] = Math.imul(first, FIRST_PRIME);
  hashes[1] = Math.imul(second, SECOND_PRIME);
}
