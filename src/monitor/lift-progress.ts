import { BLOCK_LIFTED_DELIVERIES, ONGOING_WINDOW_MS } from "../diagnose/verdict.js";
import type { LiftProgress } from "../store/lift-progress.js";

/**
 * The latest deliveries that each provider's own MX hosts accepted in a log window, by bucket
 * (a provider, or an address family and a provider). Only the latest
 * `BLOCK_LIFTED_DELIVERIES` times of a bucket are kept, because the lift rule needs no more: a
 * count after a given time is exact below that number and means "at least" at it.
 */
export class AcceptanceTimes {
  private readonly latest = new Map<string, number[]>();

  /** Adds an accepted delivery at `time` (ms since the epoch) to `bucket`. */
  add(bucket: string, time: number): void {
    let times = this.latest.get(bucket);
    if (times === undefined) {
      times = [];
      this.latest.set(bucket, times);
    }
    // `times` is sorted in ascending order. Log lines mostly come in time order, so the insert
    // position is found from the end.
    if (times.length === BLOCK_LIFTED_DELIVERIES) {
      if (time <= (times[0] ?? -Infinity)) return;
      times.shift();
    }
    let index = times.length;
    while (index > 0 && (times[index - 1] ?? -Infinity) > time) index -= 1;
    times.splice(index, 0, time);
  }

  /**
   * Returns the deliveries of `bucket` accepted after `since`, up to `BLOCK_LIFTED_DELIVERIES`,
   * and the time of the latest of them, or null when there is none.
   */
  after(bucket: string, since: number): { deliveries: number; lastDeliveryAt: number | null } {
    return this.afterAny([bucket], since);
  }

  /**
   * Returns the deliveries of all `buckets` together accepted after `since`, up to
   * `BLOCK_LIFTED_DELIVERIES`, and the time of the latest of them, or null when there is none.
   * Each bucket keeps its latest times, so the count is exact below that number here too.
   */
  afterAny(
    buckets: readonly string[],
    since: number,
  ): { deliveries: number; lastDeliveryAt: number | null } {
    const later = buckets.flatMap((bucket) =>
      (this.latest.get(bucket) ?? []).filter((time) => time > since),
    );
    const lastDeliveryAt = later.length === 0 ? null : Math.max(...later);
    return { deliveries: Math.min(BLOCK_LIFTED_DELIVERIES, later.length), lastDeliveryAt };
  }
}

/**
 * Returns a block state's lift progress after a log window. A block reply in the window starts
 * it again from that reply. Otherwise the window's acceptances add to the `stored` progress, or,
 * when none is stored, to a progress that starts at `blockCheckedAt`: the time the open block
 * was last confirmed, such as by a probe. The acceptances of all the given buckets count.
 * Returns null when there is nothing to count from.
 *
 * Only times from the log are compared, so a backlog read in one window and the same log read
 * minute by minute give the same progress.
 */
export function advanceLiftProgress(
  stored: LiftProgress | null,
  blockCheckedAt: number | null,
  windowLastBlockAt: number | null,
  acceptances: AcceptanceTimes,
  bucket: string | readonly string[],
): LiftProgress | null {
  const buckets = typeof bucket === "string" ? [bucket] : bucket;
  if (windowLastBlockAt !== null && (stored === null || windowLastBlockAt >= stored.lastBlockAt)) {
    return { lastBlockAt: windowLastBlockAt, ...acceptances.afterAny(buckets, windowLastBlockAt) };
  }
  const start: LiftProgress | null =
    stored ??
    (blockCheckedAt === null
      ? null
      : { lastBlockAt: blockCheckedAt, deliveries: 0, lastDeliveryAt: null });
  if (start === null) return null;
  const added = acceptances.afterAny(buckets, start.lastBlockAt);
  const lastDeliveryAt =
    added.lastDeliveryAt === null
      ? start.lastDeliveryAt
      : Math.max(added.lastDeliveryAt, start.lastDeliveryAt ?? -Infinity);
  return {
    lastBlockAt: start.lastBlockAt,
    deliveries: Math.min(BLOCK_LIFTED_DELIVERIES, start.deliveries + added.deliveries),
    lastDeliveryAt,
  };
}

/**
 * True when the provider lifted the block by the rule of `delist diagnose`: its own MX hosts
 * accepted at least `BLOCK_LIFTED_DELIVERIES` deliveries after the last block reply, the latest
 * of them at least `ONGOING_WINDOW_MS` after it.
 */
export function isLifted(progress: LiftProgress): boolean {
  return (
    progress.deliveries >= BLOCK_LIFTED_DELIVERIES &&
    progress.lastDeliveryAt !== null &&
    progress.lastDeliveryAt - progress.lastBlockAt >= ONGOING_WINDOW_MS
  );
}
