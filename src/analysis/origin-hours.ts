import { DistinctCounter } from "./distinct.js";
import { hourOf } from "./time.js";

/** The distinct envelope senders of one hour, which a caller adds to a union counter. */
export interface HourSenders {
  /** Counts every sender of the hour in `union`. */
  addTo(union: DistinctCounter): void;
}

/** Submissions of one origin in one hour, as `OriginHours` returns them. */
export interface OriginHour {
  readonly messages: number;
  readonly recipients: number;
  /** Distinct envelope senders of the hour's messages, the null sender `<>` included. */
  readonly senders: HourSenders;
  /** When the hour's earliest message came (epoch ms). */
  readonly firstTime: number;
}

// The fields of one row of `OriginHours.rows`.
const HOUR = 0;
const MESSAGES = 1;
const RECIPIENTS = 2;
const FIRST_TIME = 3;
// The `hashString` hash of the hour's only sender, or one of the two markers below. A hash is
// a signed 32-bit integer, so neither marker can be a hash.
const SENDER = 4;
const ROW_LENGTH = 5;
const NO_SENDER = 2 ** 32;
const SEVERAL_SENDERS = 2 ** 32 + 1;

/**
 * Rows kept in an array of exactly their length. Past this, the array grows as V8 lets it, so
 * that a busy origin does not copy its rows for each new hour.
 */
const EXACT_ROWS = 8;
/** Rows searched one by one. Past this, a `Map` from hour to row finds them. */
const SCANNED_ROWS = 32;

/**
 * The hourly counters of one account, local program or relay client, as rows of numbers in one
 * array, by the hour of their first message. A heap snapshot of Node 20 showed about 130 bytes
 * per hour for an object with a sender counter, a boxed time and a `Map` entry, and 40 bytes
 * per row here. Most origins of a log with tens of thousands of accounts send in a few hours.
 * Rows keep the order in which their hours came, as a `Map` would.
 */
export class OriginHours implements ReadonlyMap<number, OriginHour> {
  private rows: number[] = [];
  // The row of the latest hour looked up, which most later messages share, or -1.
  private lastRow = -1;
  private rowsByHour: Map<number, number> | null = null;
  // The counters of the rows with more than one distinct sender, by row.
  private senderCounters: Map<number, DistinctCounter> | null = null;

  get size(): number {
    return this.rows.length / ROW_LENGTH;
  }

  /**
   * Returns the index of the row of the hour of `time`, which the other methods take. A new
   * hour gets a row with zero counts and `time` as its first time.
   */
  rowOf(time: number): number {
    const hour = hourOf(time);
    const rows = this.rows;
    if (this.lastRow >= 0 && rows[this.lastRow + HOUR] === hour) return this.lastRow;
    let row = this.find(hour);
    if (row < 0) row = this.append(hour, time);
    this.lastRow = row;
    return row;
  }

  /** Counts a message of the hour at `row`, from the sender with hash `senderHash`, if any. */
  addMessage(row: number, senderHash: number | null): void {
    const rows = this.rows;
    rows[row + MESSAGES] = (rows[row + MESSAGES] ?? 0) + 1;
    if (senderHash !== null) this.addSender(row, senderHash);
  }

  /** Counts a recipient of the hour at `row`. */
  addRecipient(row: number): void {
    this.rows[row + RECIPIENTS] = (this.rows[row + RECIPIENTS] ?? 0) + 1;
  }

  /** Lowers the first time of the hour at `row` to `time` when `time` is earlier. */
  lowerFirstTime(row: number, time: number): void {
    if (time < (this.rows[row + FIRST_TIME] ?? time)) this.rows[row + FIRST_TIME] = time;
  }

  get(hour: number): OriginHour | undefined {
    const row = this.find(hour);
    return row < 0 ? undefined : this.hourAt(row);
  }

  has(hour: number): boolean {
    return this.find(hour) >= 0;
  }

  forEach(
    visit: (value: OriginHour, key: number, map: ReadonlyMap<number, OriginHour>) => void,
  ): void {
    for (const [hour, counts] of this.entries()) visit(counts, hour, this);
  }

  *entries(): MapIterator<[number, OriginHour]> {
    for (let row = 0; row < this.rows.length; row += ROW_LENGTH) {
      yield [this.rows[row + HOUR] ?? 0, this.hourAt(row)];
    }
  }

  *keys(): MapIterator<number> {
    for (let row = 0; row < this.rows.length; row += ROW_LENGTH) yield this.rows[row + HOUR] ?? 0;
  }

  *values(): MapIterator<OriginHour> {
    for (let row = 0; row < this.rows.length; row += ROW_LENGTH) yield this.hourAt(row);
  }

  [Symbol.iterator](): MapIterator<[number, OriginHour]> {
    return this.entries();
  }

  private addSender(row: number, hash: number): void {
    const rows = this.rows;
    const only = rows[row + SENDER];
    if (only === NO_SENDER) {
      rows[row + SENDER] = hash;
    } else if (only === SEVERAL_SENDERS) {
      this.senderCounters?.get(row)?.addHash(hash);
    } else if (only !== hash) {
      const counter = new DistinctCounter();
      counter.addHash(only ?? hash);
      counter.addHash(hash);
      this.senderCounters ??= new Map();
      this.senderCounters.set(row, counter);
      rows[row + SENDER] = SEVERAL_SENDERS;
    }
  }

  /** Returns field `field` (`MESSAGES`, `RECIPIENTS` or `FIRST_TIME`) of the row at `row`. */
  fieldAt(row: number, field: number): number {
    return this.rows[row + field] ?? 0;
  }

  /** Counts the senders of the hour at `row` in `union`. */
  addSendersTo(row: number, union: DistinctCounter): void {
    const only = this.rows[row + SENDER];
    if (only === SEVERAL_SENDERS) {
      const counter = this.senderCounters?.get(row);
      if (counter !== undefined) union.addAll(counter);
    } else if (only !== NO_SENDER && only !== undefined) {
      union.addHash(only);
    }
  }

  private hourAt(row: number): OriginHour {
    return new OriginHourView(this, row);
  }

  // Returns the row of `hour`, or -1.
  private find(hour: number): number {
    if (this.rowsByHour !== null) return this.rowsByHour.get(hour) ?? -1;
    const rows = this.rows;
    for (let row = rows.length - ROW_LENGTH; row >= 0; row -= ROW_LENGTH) {
      if (rows[row + HOUR] === hour) return row;
    }
    return -1;
  }

  private append(hour: number, time: number): number {
    const row = this.rows.length;
    const count = row / ROW_LENGTH;
    // `concat` makes an array of exactly the new length, where `push` would leave room for a
    // few more rows that most origins never use.
    if (count < EXACT_ROWS) {
      this.rows = this.rows.concat(hour, 0, 0, time, NO_SENDER);
    } else {
      this.rows.push(hour, 0, 0, time, NO_SENDER);
    }
    if (this.rowsByHour !== null) {
      this.rowsByHour.set(hour, row);
    } else if (count + 1 > SCANNED_ROWS) {
      this.rowsByHour = new Map();
      for (let at = 0; at <= row; at += ROW_LENGTH)
        this.rowsByHour.set(this.rows[at + HOUR] ?? 0, at);
    }
    return row;
  }
}

/**
 * One row of `OriginHours` as an `OriginHour`, which reads the row's current counts. The report
 * phase reads the hours of every origin, so a view is one small object per hour.
 */
class OriginHourView implements OriginHour, HourSenders {
  constructor(
    private readonly hours: OriginHours,
    private readonly row: number,
  ) {}

  get messages(): number {
    return this.hours.fieldAt(this.row, MESSAGES);
  }

  get recipients(): number {
    return this.hours.fieldAt(this.row, RECIPIENTS);
  }

  get firstTime(): number {
    return this.hours.fieldAt(this.row, FIRST_TIME);
  }

  get senders(): HourSenders {
    return this;
  }

  addTo(union: DistinctCounter): void {
    this.hours.addSendersTo(this.row, union);
  }
}
