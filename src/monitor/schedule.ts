import { Cron } from "croner";

/**
 * A cron schedule read with croner. It only computes run times: the monitor's loop sleeps on
 * its own clock, so tests can move time by hand and croner starts no timers.
 */
export class Schedule {
  private readonly cron: Cron;

  constructor(
    /** Five-field cron pattern: minute hour day-of-month month day-of-week. */
    readonly pattern: string,
    timeZone: string,
  ) {
    this.cron = new Cron(pattern, { paused: true, timezone: timeZone });
  }

  /** Returns the first run time strictly after `after` (ms since the epoch). */
  nextAfter(after: number): number {
    const next = this.cron.nextRun(new Date(after));
    if (next === null) {
      throw new RangeError(
        `the cron pattern "${this.pattern}" has no run after ${new Date(after).toISOString()}`,
      );
    }
    return next.getTime();
  }
}
