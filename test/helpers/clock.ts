import type { Clock } from "../../src/store/clock.js";

interface Sleeper {
  readonly wakeAt: number;
  /** Resolves the sleep and removes its abort listener from the signal. */
  readonly wake: () => void;
}

/**
 * A clock that moves only when the test calls `set`. A `sleep` resolves when `set` passes its
 * wake time or its signal aborts, so nothing waits on real time.
 */
export class FakeClock implements Clock {
  private sleepers: Sleeper[] = [];

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      // A sleep that ends on time removes its listener, because the monitor passes the same
      // signal to every sleep and each listener left behind would stay until the signal aborts.
      const abort = (): void => {
        this.sleepers = this.sleepers.filter((other) => other !== sleeper);
        resolve();
      };
      const sleeper: Sleeper = {
        wakeAt: this.time + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener("abort", abort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }

  /** The earliest wake time of a sleeper, or null when none is waiting. */
  nextWake(): number | null {
    if (this.sleepers.length === 0) return null;
    return Math.min(...this.sleepers.map((sleeper) => sleeper.wakeAt));
  }

  /** Sets the time and wakes every sleeper due by then; returns how many woke. */
  set(time: number): number {
    this.time = time;
    const due = this.sleepers.filter((sleeper) => sleeper.wakeAt <= time);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.wakeAt > time);
    for (const sleeper of due) sleeper.wake();
    return due.length;
  }
}
