/**
 * Correlation state for queued messages, keyed by queue or message id. Entries are evicted by
 * log time, so ids whose last line never arrives (a log cut short, a message removed from the
 * queue by hand) cannot grow the table without bound. The Sendmail parser uses it too.
 */

/** How long an id may go without a line before its state is dropped: 7 days, in ms. */
export const IDLE_LIMIT_MS = 7 * 24 * 60 * 60 * 1000;

/** Interval between searches for idle entries, in log time: one hour, in ms. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Returns the table key of `id` logged by `host`. Ids are unique on one server only, and one
 * syslog file may collect several servers; native logs have no host and use the id alone.
 */
export function tableKey(host: string, id: string): string {
  return host === "" ? id : host + " " + id;
}

/** An entry of the table: the parser's state for one id and when a line last named it. */
export interface TableEntry {
  lastSeen: number;
}

/**
 * A map from id to parser state that drops entries idle for more than `IDLE_LIMIT_MS` of log
 * time. Log time is the latest record time seen, so a few seconds of disorder between lines
 * do not matter, and nothing is dropped until a newer line arrives.
 */
export class MessageTable<T extends TableEntry> {
  private readonly entries = new Map<string, T>();
  private latestTime = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;

  constructor(private readonly onEvict: (entry: T) => void = () => undefined) {}

  get size(): number {
    return this.entries.size;
  }

  /** Returns the entry for `id` and marks it as seen at `time`. */
  touch(id: string, time: number): T | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined && time > entry.lastSeen) entry.lastSeen = time;
    return entry;
  }

  /** Stores `entry` under `id`. */
  set(id: string, entry: T): void {
    this.entries.set(id, entry);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  /**
   * Advances log time to `time` and, at most once an hour of it, evicts idle entries. Returns
   * true when it looked for them, so that callers can clean their own state at the same pace.
   */
  advance(time: number): boolean {
    if (time <= this.latestTime) return false;
    this.latestTime = time;
    if (time < this.nextSweep) return false;

    this.nextSweep = time + SWEEP_INTERVAL_MS;
    const oldest = time - IDLE_LIMIT_MS;
    for (const [id, entry] of this.entries) {
      if (entry.lastSeen < oldest) {
        this.entries.delete(id);
        this.onEvict(entry);
      }
    }
    return true;
  }

  /** Removes every entry, passing each to `visit` first. */
  drain(visit: (entry: T) => void): void {
    for (const entry of this.entries.values()) visit(entry);
    this.entries.clear();
  }
}
