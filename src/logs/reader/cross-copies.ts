/**
 * Records of one input that repeat records of an input of another file set, whatever the shape
 * and name of either input: `mail.log` with `journalctl -u postfix -o json` of the same period,
 * `mail.log` with `docker logs` of the mail container, or `mail.info` with `mail.warn`. Two
 * records are the same when they have the same host, second, program, pid and message text.
 * The program of an MTA's line is compared as the MTA, so `postfix[2003]`, a tag that rsyslog
 * cut at the `/`, matches `postfix/smtp[2003]`.
 * The time is compared in whole seconds, because one input may carry fractional seconds that
 * the other lacks. Postfix and Sendmail lines of a queued message carry its queue id and Exim
 * lines its message id, so a second machine with the same host name, whose ids and pids
 * differ, keeps its records. For the same reason, a record that starts with such an id and has
 * no host matches the same record of any host. So `docker logs` of a Postfix that logs no host
 * name, or Exim's own main log, matches its copy in a journal export, in either order. Other
 * records without a host are not compared, because the logs of two machines have no host name
 * to tell them apart.
 *
 * NOTE: a line without an id, such as `connect from`, that a second machine with the same host
 * name writes with the same pid and text in the same second is left out as a copy.
 */
import type { MtaName } from "../events.js";
import type { LogRecord } from "../record.js";
import { ContentHasher, fingerprintOf } from "./fingerprint-hash.js";
import {
  HourShiftCounts,
  MAX_SHIFT_SAMPLES,
  ZONE_SHIFT_MINUTES,
  type HourShiftedCopy,
} from "./hour-shifts.js";
import { startsWithMessageId } from "./message-ids.js";

/**
 * Maximum slots of the fingerprint table. Each slot takes 11 bytes (a 53-bit fingerprint, the
 * index of the input that gave it and a host tag), so the full table takes 44 MiB. It stores up to
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

// The host tag of a record keyed with its host, or of a record without a host. It matches any
// host tag. Records that start with a message id are keyed without their host. A named one
// gets a tag from 1 to 255, a hash of its host name, so that two hosts stay apart unless
// their tags collide.
const ANY_HOST = 0;
const HOST_TAGS = 255;

const MINUTE_MS = 60_000;

// How far `findNear` looks from a record's second for its copy.
const NEAR_MS = 1000;

// How far before the next file's first record an older file of the last rotated set stores
// its records. An hour covers a daylight saving clock step and lines written out of order.
// NOTE: a later file that repeats a line dated more than this before its own first record
// still counts that line twice.
const TAIL_SLACK_MS = 60 * 60_000;

// An older file's records dated this far or more before the next file's first record are
// stored too, because the dry run can give that record a later year than the read gives it
// (see `nextFileStarts`). An overlap of half a year is not expected.
const HALF_YEAR_MS = 182 * 24 * 60 * 60_000;

/**
 * Store of fingerprints of the records read so far, and finder of the records that repeat a
 * record of an earlier file set. A file that continues a rotated set is compared with the
 * earlier files of its set only for its records dated at or before their last record. There a
 * `copytruncate` race, or a partial copy restored into the set, can repeat their last lines.
 * The last file of the last set is only compared, not stored, because no input after it can
 * repeat it. The older files of the last set store only the records dated near or after the
 * first record of the later files of the set.
 *
 * NOTE: once `MAX_FINGERPRINTS` records are stored, the records of later files are not stored,
 * so the overlap of two files late in a long rotated set is read twice.
 */
export class RecordFingerprints {
  private keys = new Float64Array(INITIAL_SLOTS);
  // The index of the input that gave each key, in `inputNames`.
  private owners = new Uint16Array(INITIAL_SLOTS);
  private hostTags = new Uint8Array(INITIAL_SLOTS);
  private stored = 0;
  private readonly inputNames: string[] = [];
  // The file set of each input, counted from 0.
  private readonly fileSets: number[] = [];
  private fileSet = -1;
  // Whether the records of the current input are stored, and whether an earlier file set
  // stored a record that they can repeat.
  private storesRecords = false;
  private comparesRecords = false;
  // An older file of the last rotated set stores only its records dated from `tailStart`, or
  // before `staleBefore` (see `HALF_YEAR_MS`). Both are -Infinity for the other inputs.
  private tailStart = -Infinity;
  private staleBefore = -Infinity;
  // Whether the record that `isActiveAt` took last is stored when no earlier input has it.
  private storesRecord = false;
  // The time of the last record of the earlier files of the current rotated set, in ms, and
  // of the current input so far. The current input's records up to `setReach` are compared.
  private setReach = -Infinity;
  private inputLast = -Infinity;
  private readonly hasher = new ContentHasher();
  private lastHost = "";
  private lastHostTag = ANY_HOST;
  private hourShifts = new HourShiftCounts();

  /** Number of fingerprints stored. */
  get size(): number {
    return this.stored;
  }

  /** `fileSetCount` is the number of file sets of the run, stdin counted as one. */
  constructor(private readonly fileSetCount: number) {}

  /**
   * Starts the input `name`. `newFileSet` is false for a rotated file after the first, and
   * `lastOfSet` is false for a rotated file that another file of its set follows.
   * `nextFileStart` is the earliest first record time of the later files of the set, in ms
   * (see `nextFileStarts`). In the last file set, a file stores only its records from an hour
   * before that time, because only the later files of its set can repeat them.
   * The default, -Infinity, stores every record.
   */
  startInput(name: string, newFileSet: boolean, lastOfSet = true, nextFileStart = -Infinity): void {
    if (newFileSet || this.fileSet < 0) {
      this.fileSet += 1;
      this.comparesRecords = this.stored > 0;
      this.setReach = -Infinity;
    } else {
      this.setReach = Math.max(this.setReach, this.inputLast);
    }
    this.inputLast = -Infinity;
    this.inputNames.push(name);
    this.fileSets.push(this.fileSet);
    const lastFileSet = this.fileSet === this.fileSetCount - 1;
    this.storesRecords = !lastFileSet || !lastOfSet;
    this.tailStart = lastFileSet ? nextFileStart - TAIL_SLACK_MS : -Infinity;
    this.staleBefore = lastFileSet ? nextFileStart - HALF_YEAR_MS : -Infinity;
    this.hourShifts = new HourShiftCounts();
  }

  /**
   * Returns the earlier input whose id lines the current input repeats at an offset of whole,
   * half or quarter hours, as a copy in another time zone would, or null (see `HourShiftCounts`).
   */
  hourShiftedCopy(): HourShiftedCopy | null {
    const name = this.inputNames.at(-1);
    return name === undefined ? null : this.hourShifts.shiftedCopy(name);
  }

  /**
   * Whether `earlierCopy` and `earlierCopyOf` can find a copy of a record dated `time` or store
   * its fingerprint in the current input. When false, they return null at once, so a caller can
   * skip the hashing. Each call also takes `time` as a record time of the current input, which
   * sets how far the next file of a rotated set is compared.
   */
  isActiveAt(time: number): boolean {
    if (time > this.inputLast) this.inputLast = time;
    this.storesRecord =
      this.storesRecords &&
      this.stored < MAX_FINGERPRINTS &&
      (time >= this.tailStart || time < this.staleBefore);
    return this.comparesRecords || this.storesRecord || time <= this.setReach + NEAR_MS;
  }

  /**
   * Returns the name of the input of an earlier file set that contains the same record as
   * `record`, a line of `mta` (null for a helper program). Otherwise it stores the fingerprint
   * of `record` for the file sets that follow and returns null. A record without a host that
   * starts with a queue id or Exim message id matches the record of any host. Any other record
   * without a host gives null and is not stored.
   */
  earlierCopy(record: LogRecord, mta: MtaName | null): string | null {
    if (!this.isActiveAt(record.time)) return null;
    const { pid, message } = record;
    const host = record.host;
    const program = mta ?? record.program;
    if (mta === null || !startsWithMessageId(mta, message)) {
      if (host === "") return null;
      return this.earlierCopyOf(this.hasher.keyOf(host, program, pid, message), record.time);
    }
    // Exim's own main log has no pid unless `log_selector = +pid` is set, and its syslog copy
    // has one, so Exim lines are compared by their message id without the pid.
    const keyPid = mta === "exim" ? null : pid;
    const contentKey = this.hasher.keyOf("", program, keyPid, message);
    return this.findNear(contentKey, record.time, this.hostTagOf(host), mta);
  }

  /**
   * Returns the content key of a record whose message is the latin1 text of
   * `buffer[start, end)`: the key that `earlierCopyOf` takes, equal to the one of a record
   * with the same host, program, pid and message. `host` must not be empty, and `program` is
   * the MTA for a line of an MTA, as `earlierCopy` keys it.
   */
  contentKeyOfBytes(
    host: string,
    program: string,
    pid: number | null,
    buffer: Buffer,
    start: number,
    end: number,
  ): number {
    return this.hasher.keyOfBytes(host, program, pid, buffer, start, end);
  }

  /**
   * As `earlierCopy`, for the record with the content key `contentKey` (see
   * `contentKeyOfBytes`), dated `time`.
   */
  earlierCopyOf(contentKey: number, time: number): string | null {
    if (!this.isActiveAt(time)) return null;
    return this.find(fingerprintOf(contentKey, time), ANY_HOST);
  }

  // Returns the name of the earlier input that stored `fingerprint` with a host tag that
  // matches `hostTag`, or null after storing them when the current input stores records.
  private find(fingerprint: number, hostTag: number): string | null {
    const slot = this.slotOf(fingerprint, hostTag);
    if (this.keys[slot] !== 0) return this.copyOf(this.owners[slot] as number);
    if (this.storesRecord) this.store(slot, fingerprint, hostTag);
    return null;
  }

  // As `find`, for a record that starts with a message id, whose copy may be dated in the
  // second before or after its own. journald dates a line when it receives it, and under load
  // that can be a second after the syslog stamp of the same line. Only the record's own
  // second is stored.
  private findNear(contentKey: number, time: number, hostTag: number, mta: MtaName): string | null {
    const fingerprint = fingerprintOf(contentKey, time);
    const slot = this.slotOf(fingerprint, hostTag);
    if (this.keys[slot] !== 0) return this.copyOf(this.owners[slot] as number);
    const earlier = this.storedCopy(fingerprintOf(contentKey, time - NEAR_MS), hostTag);
    if (earlier !== null) return earlier;
    const later = this.storedCopy(fingerprintOf(contentKey, time + NEAR_MS), hostTag);
    if (later !== null) return later;
    if (this.comparesRecords) this.sampleHourShift(contentKey, time, hostTag, mta);
    if (this.storesRecord) this.store(slot, fingerprint, hostTag);
    return null;
  }

  // Looks up an id line that matched no stored line at the offsets of `ZONE_SHIFT_MINUTES`,
  // and counts the first offset that finds it. Only the first `MAX_SHIFT_SAMPLES` lines of an
  // input are tried. `mta` is the MTA that wrote the line.
  private sampleHourShift(contentKey: number, time: number, hostTag: number, mta: MtaName): void {
    const counts = this.hourShifts;
    if (counts.samples >= MAX_SHIFT_SAMPLES) return;
    counts.samples += 1;
    for (const minutes of ZONE_SHIFT_MINUTES) {
      // The copy is `minutes` later than the stored line, which is looked up at its own time.
      const shiftedTime = time - minutes * MINUTE_MS;
      const earlier = this.storedCopy(fingerprintOf(contentKey, shiftedTime), hostTag);
      if (earlier !== null) {
        counts.addHit(minutes, earlier, mta);
        return;
      }
    }
  }

  // Returns the name of the earlier input that stored `fingerprint` with a matching host tag,
  // or null, and stores nothing.
  private storedCopy(fingerprint: number, hostTag: number): string | null {
    const slot = this.slotOf(fingerprint, hostTag);
    return this.keys[slot] === 0 ? null : this.copyOf(this.owners[slot] as number);
  }

  // Returns the slot that contains `fingerprint` with a host tag that matches `hostTag`, or the
  // empty slot where it would be stored.
  private slotOf(fingerprint: number, hostTag: number): number {
    const mask = this.keys.length - 1;
    let slot = (fingerprint % TWO_TO_32) & mask;
    for (;;) {
      const stored = this.keys[slot];
      if (stored === 0) return slot;
      if (stored === fingerprint) {
        const storedTag = this.hostTags[slot] as number;
        if (storedTag === hostTag || storedTag === ANY_HOST || hostTag === ANY_HOST) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  // Returns the host tag of a record keyed without its host (see `ANY_HOST`).
  private hostTagOf(host: string): number {
    if (host === this.lastHost) return this.lastHostTag;
    let hash = 0x811c9dc5;
    for (let index = 0; index < host.length; index++) {
      hash = Math.imul(hash ^ host.charCodeAt(index), 0x01000193);
    }
    this.lastHost = host;
    this.lastHostTag = host === "" ? ANY_HOST : ((hash >>> 0) % HOST_TAGS) + 1;
    return this.lastHostTag;
  }

  // Returns the name of input `owner` when it belongs to an earlier file set or is an earlier
  // file of the current rotated set, else null. A record that repeats a line of its own input
  // is counted by the reader and the parsers as they do without this check.
  private copyOf(owner: number): string | null {
    const current = this.inputNames.length - 1;
    const ownerSet = this.fileSets[owner] as number;
    const currentSet = this.fileSets[current] as number;
    if (ownerSet > currentSet || (ownerSet === currentSet && owner >= current)) return null;
    return this.inputNames[owner] ?? null;
  }

  private store(slot: number, fingerprint: number, hostTag: number): void {
    const owner = this.inputNames.length - 1;
    if (owner < 0 || owner >= MAX_INPUTS || this.stored >= MAX_FINGERPRINTS) return;
    if (this.stored + 1 > this.keys.length / 2 && this.keys.length < MAX_SLOTS) {
      this.grow();
      this.insert(fingerprint, owner, hostTag);
    } else {
      this.keys[slot] = fingerprint;
      this.owners[slot] = owner;
      this.hostTags[slot] = hostTag;
    }
    this.stored += 1;
  }

  // Doubles the table and moves every stored key to its slot in the new one.
  private grow(): void {
    const keys = this.keys;
    const owners = this.owners;
    const hostTags = this.hostTags;
    this.keys = new Float64Array(keys.length * 2);
    this.owners = new Uint16Array(keys.length * 2);
    this.hostTags = new Uint8Array(keys.length * 2);
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot] as number;
      if (key !== 0) this.insert(key, owners[slot] as number, hostTags[slot] as number);
    }
  }

  // The low bits of a fingerprint pick the first slot tried.
  private insert(fingerprint: number, owner: number, hostTag: number): void {
    const mask = this.keys.length - 1;
    let slot = (fingerprint % TWO_TO_32) & mask;
    while (this.keys[slot] !== 0) slot = (slot + 1) & mask;
    this.keys[slot] = fingerprint;
    this.owners[slot] = owner;
    this.hostTags[slot] = hostTag;
  }
}
