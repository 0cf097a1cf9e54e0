import { EvictionPlan, evictionBatch } from "../eviction.js";

/**
 * Correlation state for queued messages, keyed by queue or message id. Entries are evicted by
 * log time, so ids whose last line never arrives (a log cut short, a message removed from the
 * queue by hand) cannot grow the table without bound. Past a cap on their number, the least
 * recently active go. The Sendmail parser uses it too.
 */

/** How long an id may go without a line before its state is dropped: 7 days, in ms. */
export const IDLE_LIMIT_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Default maximum number of open messages. Measured with `bench/open-message-cost.mjs`
 * (100,000 messages, Node 20.20, 2-core AMD EPYC): an open Exim message costs about 740
 * bytes of heap and a Sendmail message about 850, so 25,000 take about 20 MB. The Postfix
 * parser keeps as many, and its `MAX_OPEN_MESSAGES` explains the budget of a run.
 */
export const MAX_OPEN_MESSAGES = 25_000;

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
 * do not matter, and nothing is dropped until a newer line arrives. Past `maxEntries`, the
 * least recently active tenth of the entries is evicted and counted in `evicted`.
 */
export class MessageTable<T extends TableEntry> {
  private readonly entries = new Map<string, T>();
  private latestTime = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;
  private evictedCount = 0;

  /**
   * @param onEvict called with each entry dropped for idleness or for the cap.
   * @param maxEntries number of entries past which the least recently active are evicted.
   */
  constructor(
    private readonly onEvict: (entry: T) => void = () => undefined,
    private readonly maxEntries: number = MAX_OPEN_MESSAGES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Number of entries evicted for the cap, before their last line. */
  get evicted(): number {
    return this.evictedCount;
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
   * Evicts the least recently active entries while the table is over its cap, advances log
   * time to `time` and, at most once an hour of it, evicts idle entries. Returns true when it
   * looked for idle entries, so that callers can clean their own state at the same pace.
   * Parsers call it before each line, so no handler holds an entry that this removes.
   */
  advance(time: number): boolean {
    if (this.entries.size > this.maxEntries) this.evictLeastActive();
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

  private evictLeastActive(): void {
    const times = new Float64Array(this.entries.size);
    let index = 0;
    for (const entry of this.entries.values()) times[index++] = entry.lastSeen;
    const plan = new EvictionPlan(
      times,
      this.entries.size - this.maxEntries + evictionBatch(this.maxEntries),
    );
    for (const [id, entry] of this.entries) {
      if (!plan.evicts(entry.lastSeen)) continue;
      this.entries.delete(id);
      this.evictedCount += 1;
      this.onEvict(entry);
    }
  }

  /** Removes every entry, passing each to `visit` first. */
  drain(visit: (entry: T) => void): void {
    for (const entry of this.entries.values()) visit(entry);
    this.entries.clear();
  }
}
