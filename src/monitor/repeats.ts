/** How often a failure that repeats on every run (a full disk, a missing log) is logged again. */
export const REPEAT_LOG_INTERVAL_MS = 60 * 60_000;

interface Repeat {
  readonly message: string;
  readonly loggedAt: number;
  readonly heldBack: number;
}

/**
 * Rate-limits log lines of failures that repeat on every run, so that a monitor left with a
 * full disk over a weekend does not write one error a minute. Each condition has a key, such
 * as `job:logs`. A new message for a key is always logged, and the same message again only
 * after `intervalMs`, with the count of repeats held back since.
 */
export class RepeatFilter {
  private readonly repeats = new Map<string, Repeat>();

  constructor(private readonly intervalMs: number = REPEAT_LOG_INTERVAL_MS) {}

  /**
   * Records `message` for `key` at `now`. Returns null when the line should be held back, else
   * the number of repeats held back since the last line logged for the key.
   */
  record(key: string, message: string, now: number): number | null {
    const last = this.repeats.get(key);
    if (last !== undefined && last.message === message && now - last.loggedAt < this.intervalMs) {
      this.repeats.set(key, { ...last, heldBack: last.heldBack + 1 });
      return null;
    }
    this.repeats.set(key, { message, loggedAt: now, heldBack: 0 });
    return last?.message === message ? last.heldBack : 0;
  }

  /** Forgets the condition of `key`; returns true when there was one, so it has ended. */
  clear(key: string): boolean {
    return this.repeats.delete(key);
  }
}
