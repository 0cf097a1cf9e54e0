import { MAX_LATE_LINE_MS } from "../framing/wall-clock.js";
import { inputNameInText } from "./input-names.js";
import { decodeLatin1 } from "./latin1.js";

/**
 * Number of earlier lines of a file that a line is compared with once the file's time has gone
 * back. A block that a file contains twice is found when its second copy starts within this many
 * lines of the first copy's lines. Until the time goes back, the lines are only kept, and never
 * compared.
 */
export const REPLAY_WINDOW = 8192;

/**
 * Size of the byte ring that keeps the text of the window's lines once the reader has moved on
 * to its next buffer. 8,192 lines of 256 bytes fit. Of longer lines, the ones whose bytes were
 * overwritten are left out of the comparison.
 */
export const KEPT_BYTES = 2 * 1024 * 1024;

/** Occurrences of one line key among the last `REPLAY_WINDOW` lines. */
interface KeyCount {
  /** Occurrences in the window. */
  count: number;
  /** Of them, the occurrences after the step back numbered `step`. */
  sinceStep: number;
  step: number;
}

/**
 * Finder of exact repeats of earlier lines of a file, read after the file's time went back.
 * Some logs contain blocks of lines more than once, because a block was appended again by hand or
 * a log shipper sent it twice. Each copy would count every delivery again. A line repeats an
 * earlier one when its time and its text (host, program, pid and message with the stamp) are
 * the same. The reader passes every line that it counts as a record, also those counted without
 * a record (see `RecordParser.quietPrefixes`), but not the copies of syslog repeat markers
 * (`last message repeated N times`), which repeat a line on purpose.
 *
 * A log whose time never goes back costs one comparison and three typed-array stores per line,
 * and one copy of the window's bytes into a ring of `KEPT_BYTES` per buffer of the reader. After a step back of more
 * than `MAX_LATE_LINE_MS`, each line is compared with the last `REPLAY_WINDOW` lines by a map
 * of their keys. The comparing stops once `REPLAY_WINDOW` lines have passed without another
 * step and the time is past the latest time read before the step. A line counts as a repeat only when one of its
 * copies in the window came before the last step. So a real line that a server writes twice in
 * one second after its clock was set back still counts twice.
 *
 * NOTE: a `last message repeated N times` line inside a repeated block is not compared, so
 * the copies that it stands for count once per copy of the block.
 */
export class ReplayedLines {
  /** Lines found to repeat an earlier line of their file, since this finder was made. */
  repeats = 0;

  // The window as a ring of lines: the time of each and where its bytes are, as positions in
  // the sequence of all buffers read. `next` is the slot of the next line, and `filled` is the
  // number of slots in use.
  private readonly times = new Float64Array(REPLAY_WINDOW);
  private readonly starts = new Float64Array(REPLAY_WINDOW);
  private readonly ends = new Float64Array(REPLAY_WINDOW);
  private next = 0;
  private filled = 0;
  // The buffer of the latest line, the position of its first byte, and the end of the last
  // line read from it.
  private current: Buffer | null = null;
  private currentBase = 0;
  private currentUsedEnd = 0;
  // The bytes of lines in earlier buffers, at their position modulo `KEPT_BYTES`, up to
  // `keptEnd`. It is allocated once and written once per buffer, so that reading a log
  // without steps makes no garbage and keeps only the reader's latest buffer alive.
  private readonly kept = Buffer.allocUnsafeSlow(KEPT_BYTES);
  private keptEnd = 0;
  // The latest time read since the file started or its time last went back.
  private latestTime = -Infinity;
  // The latest time read before the last step back: a line dated later is new.
  private replayUntil = -Infinity;
  // The keys of the lines in the ring, slot by slot, and their counts. Both are null until the
  // time goes back.
  private keys: Array<string | null> | null = null;
  private counts: Map<string, KeyCount> | null = null;
  private step = 0;
  private linesSinceStep = 0;

  /** Forgets the lines of the file before, which a new file cannot repeat. */
  startFile(): void {
    this.next = 0;
    this.filled = 0;
    this.current = null;
    this.latestTime = -Infinity;
    this.replayUntil = -Infinity;
    this.keys = null;
    this.counts = null;
  }

  /**
   * Returns true when the line `buffer[start, end)`, dated `time`, repeats an earlier line of
   * its file, and counts it. The bytes of `buffer` must not change until a line of another
   * buffer is passed.
   */
  isRepeat(time: number, buffer: Buffer, start: number, end: number): boolean {
    const steppedBack = time < this.latestTime - MAX_LATE_LINE_MS;
    if (this.counts === null && !steppedBack) {
      this.keep(time, buffer, start, end);
      if (time > this.latestTime) this.latestTime = time;
      return false;
    }
    return this.compare(time, buffer, start, end, steppedBack);
  }

  private compare(
    time: number,
    buffer: Buffer,
    start: number,
    end: number,
    steppedBack: boolean,
  ): boolean {
    const counts = this.counts ?? this.startComparing();
    if (steppedBack) {
      this.step += 1;
      this.linesSinceStep = 0;
      if (this.latestTime > this.replayUntil) this.replayUntil = this.latestTime;
      // The lines after a clock change follow the new clock, so one change is one step.
      this.latestTime = time;
    }
    const key = keyOf(time, buffer, start, end);
    const known = counts.get(key);
    const isRepeat = known !== undefined && occurrencesBefore(known, this.step) > 0;
    const oldKey = this.filled === REPLAY_WINDOW ? this.keys?.[this.next] : null;
    if (oldKey !== null && oldKey !== undefined) countKey(counts, oldKey, this.step, -1);
    if (this.keys !== null) this.keys[this.next] = key;
    countKey(counts, key, this.step, 1);
    this.keep(time, buffer, start, end);

    if (time > this.latestTime) this.latestTime = time;
    this.linesSinceStep += 1;
    if (this.linesSinceStep >= REPLAY_WINDOW && time > this.replayUntil) this.stopComparing();
    if (isRepeat) this.repeats += 1;
    return isRepeat;
  }

  // Puts the line in the ring, in place of the oldest.
  private keep(time: number, buffer: Buffer, start: number, end: number): void {
    if (buffer !== this.current) this.switchBuffer(buffer);
    const slot = this.next;
    const base = this.currentBase;
    this.times[slot] = time;
    this.starts[slot] = base + start;
    this.ends[slot] = base + end;
    if (end > this.currentUsedEnd) this.currentUsedEnd = end;
    this.next = slot + 1 === REPLAY_WINDOW ? 0 : slot + 1;
    if (this.filled < REPLAY_WINDOW) this.filled += 1;
  }

  // Copies the bytes of the window's lines in the current buffer to `kept`, once per buffer,
  // and makes `buffer` the current one.
  private switchBuffer(buffer: Buffer): void {
    const current = this.current;
    if (current !== null) {
      const oldest = this.filled === 0 ? this.currentBase : (this.starts[this.oldestSlot()] ?? 0);
      const from = Math.max(oldest - this.currentBase, 0, this.currentUsedEnd - KEPT_BYTES);
      this.copyToKept(current, from, this.currentUsedEnd);
      this.currentBase += current.length;
    }
    this.current = buffer;
    this.currentUsedEnd = 0;
  }

  private copyToKept(buffer: Buffer, from: number, to: number): void {
    let position = this.currentBase + from;
    let index = from;
    while (index < to) {
      const offset = position % KEPT_BYTES;
      const length = Math.min(to - index, KEPT_BYTES - offset);
      buffer.copy(this.kept, offset, index, index + length);
      index += length;
      position += length;
    }
    this.keptEnd = position;
  }

  private oldestSlot(): number {
    return this.filled < REPLAY_WINDOW ? 0 : this.next;
  }

  // The text of the line in `slot`, or null when its bytes were overwritten in `kept`.
  private textOf(slot: number): string | null {
    const start = this.starts[slot] ?? 0;
    const end = this.ends[slot] ?? 0;
    const current = this.current;
    if (current !== null && start >= this.currentBase) {
      return decodeLatin1(current, start - this.currentBase, end - this.currentBase);
    }
    if (start < this.keptEnd - KEPT_BYTES || end > this.keptEnd) return null;
    const from = start % KEPT_BYTES;
    const to = from + (end - start);
    if (to <= KEPT_BYTES) return decodeLatin1(this.kept, from, to);
    return decodeLatin1(this.kept, from, KEPT_BYTES) + decodeLatin1(this.kept, 0, to - KEPT_BYTES);
  }

  // Builds the keys of the lines kept so far, at the first step back since the last stop.
  private startComparing(): Map<string, KeyCount> {
    const keys = new Array<string | null>(REPLAY_WINDOW).fill(null);
    const counts = new Map<string, KeyCount>();
    for (let age = this.filled; age > 0; age--) {
      const slot = (this.next - age + REPLAY_WINDOW) % REPLAY_WINDOW;
      const text = this.textOf(slot);
      if (text === null) continue;
      const key = `${String(this.times[slot])} ${text}`;
      keys[slot] = key;
      countKey(counts, key, this.step, 1);
    }
    this.keys = keys;
    this.counts = counts;
    return counts;
  }

  private stopComparing(): void {
    this.keys = null;
    this.counts = null;
  }
}

// The time and the text of a line. The text starts with its stamp, so two lines with the same
// text can differ in time only in the hour that repeats when clocks go back.
function keyOf(time: number, buffer: Buffer, start: number, end: number): string {
  return `${String(time)} ${decodeLatin1(buffer, start, end)}`;
}

// Occurrences of a key that came before step back number `step`.
function occurrencesBefore(known: KeyCount, step: number): number {
  return known.step === step ? known.count - known.sinceStep : known.count;
}

// Adds an occurrence of `key` (`change` 1), or removes its oldest (`change` -1). The oldest
// occurrences are the ones before the last step, so a removal takes one from `sinceStep` only
// when no other is left.
function countKey(counts: Map<string, KeyCount>, key: string, step: number, change: 1 | -1): void {
  const known = counts.get(key);
  if (known === undefined) {
    if (change === 1) counts.set(key, { count: 1, sinceStep: 1, step });
    return;
  }
  if (known.step !== step) {
    known.step = step;
    known.sinceStep = 0;
  }
  known.count += change;
  if (change === 1) known.sinceStep += 1;
  if (known.sinceStep > known.count) known.sinceStep = known.count;
  if (known.count === 0) counts.delete(key);
}

/** Returns the note for an input in which `count` lines repeated earlier lines and were dropped. */
export function replayedLinesNote(name: string, count: number): string {
  const lines = count === 1 ? "1 line" : `${count.toLocaleString("en-US")} lines`;
  return (
    `${inputNameInText(name)} contains some lines more than once: after its time went back, ` +
    `${lines} repeated an earlier line exactly (same time, host, program, pid and text) and ` +
    `${count === 1 ? "was" : "were"} dropped, so that each delivery and message counts once.`
  );
}
