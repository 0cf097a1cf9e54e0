/**
 * Messages whose `Completed` line came shortly before. Exim writes that line after the
 * message's last delivery line, but a log merged from several sources can put delivery lines
 * of the same second, or of the next one, after it. Such a line
 * takes the ended message's state from here, so that it counts for the same message and
 * sender instead of opening a message without an arrival.
 */

/**
 * How long an ended message stays here, in ms of log time.
 * NOTE: the minute is a guess. A delivery line later than that after `Completed` still opens
 * a message without an arrival.
 */
export const COMPLETED_WINDOW_MS = 60_000;

/**
 * Maximum number of ended messages kept. Past it, the one that ended first goes. An Exim
 * message state costs about 740 bytes of heap (see `MAX_OPEN_MESSAGES`), so a full table
 * keeps an estimated 3 MB alive.
 */
export const MAX_COMPLETED_MESSAGES = 4096;

interface CompletedEntry<T> {
  readonly state: T;
  /** Log time of the line that ended the message. */
  readonly time: number;
}

/**
 * A table of recently ended messages by table key (see `tableKey`), oldest first. Entries
 * leave it when a newer one is added after their window, or past the cap, so a log without
 * further `Completed` lines keeps at most the last entries until `clear`.
 */
export class CompletedMessages<T> {
  private readonly entries = new Map<string, CompletedEntry<T>>();

  /** Number of ended messages kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Keeps `state` of the message `key` that ended at `time`. */
  add(key: string, state: T, time: number): void {
    this.entries.delete(key);
    this.dropBefore(time - COMPLETED_WINDOW_MS);
    if (this.entries.size >= MAX_COMPLETED_MESSAGES) this.dropOldest();
    this.entries.set(key, { state, time });
  }

  /** Returns the state of message `key` when it ended at most `COMPLETED_WINDOW_MS` before `time`. */
  find(key: string, time: number): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.time < time - COMPLETED_WINDOW_MS) return undefined;
    return entry.state;
  }

  clear(): void {
    this.entries.clear();
  }

  // Entries are in the order they ended, so the old ones are at the front. A line out of
  // order in time may leave an older entry behind a newer one until the cap removes it.
  private dropBefore(oldest: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.time >= oldest) return;
      this.entries.delete(key);
    }
  }

  private dropOldest(): void {
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      return;
    }
  }
}
