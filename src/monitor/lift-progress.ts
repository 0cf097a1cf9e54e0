import { HOUR_MS } from "../analysis/time.js";
import {
  BLOCK_LIFTED_DELIVERIES,
  isBlockLifted,
  QUIET_LIFT_DELIVERIES,
  QUIET_LIFT_MS,
} from "../diagnose/verdict.js";
import type { DeliveryEvent } from "../logs/events.js";
import type { HistoryStore } from "../store/history.js";
import type { LiftProgress } from "../store/lift-progress.js";
import type { Logger } from "./logger.js";

/** The deliveries and failed attempts of buckets after a time (see `AcceptanceTimes.afterAny`). */
export interface AcceptancesAfter {
  /** Accepted deliveries, up to `BLOCK_LIFTED_DELIVERIES`. */
  readonly deliveries: number;
  /** Time of the latest accepted delivery, or null when there is none. */
  readonly lastDeliveryAt: number | null;
  /** True when an attempt was not accepted. */
  readonly failedAfter: boolean;
}

/**
 * The latest deliveries that each provider's own MX hosts accepted in a log window, by bucket
 * (a provider, or an address family and a provider), and the latest attempt of each bucket that
 * was not accepted. Only the latest `BLOCK_LIFTED_DELIVERIES` times of a bucket are kept,
 * because the lift rule needs no more: a count after a given time is exact below that number
 * and means "at least" at it.
 */
export class AcceptanceTimes {
  private readonly latest = new Map<string, number[]>();
  private readonly latestFailure = new Map<string, number>();

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
   * Adds an attempt at `time` (ms since the epoch) to `bucket` that was not accepted: a failed
   * connection, a deferral or a rejection. Only the latest is kept, because the lift rule checks
   * only whether one came after the last block reply.
   */
  addFailure(bucket: string, time: number): void {
    const known = this.latestFailure.get(bucket);
    if (known === undefined || time > known) this.latestFailure.set(bucket, time);
  }

  /**
   * Returns the deliveries of `bucket` accepted after `since`, up to `BLOCK_LIFTED_DELIVERIES`,
   * the time of the latest of them, and whether an attempt after `since` was not accepted.
   */
  after(bucket: string, since: number): AcceptancesAfter {
    return this.afterAny([bucket], since);
  }

  /**
   * Returns the deliveries of all `buckets` together accepted after `since`, up to
   * `BLOCK_LIFTED_DELIVERIES`, the time of the latest of them, and whether an attempt of any of
   * them after `since` was not accepted. Each bucket keeps its latest times, so the count is
   * exact below that number here too.
   */
  afterAny(buckets: readonly string[], since: number): AcceptancesAfter {
    const later = buckets.flatMap((bucket) =>
      (this.latest.get(bucket) ?? []).filter((time) => time > since),
    );
    const lastDeliveryAt = later.length === 0 ? null : Math.max(...later);
    const failedAfter = buckets.some(
      (bucket) => (this.latestFailure.get(bucket) ?? -Infinity) > since,
    );
    return {
      deliveries: Math.min(BLOCK_LIFTED_DELIVERIES, later.length),
      lastDeliveryAt,
      failedAfter,
    };
  }
}

/**
 * Returns a block state's lift progress after a log window. A block reply in the window starts
 * it again from that reply. Otherwise the window's acceptances and failed attempts add to the
 * `stored` progress, or, when none is stored, to a progress that starts at `blockCheckedAt`:
 * the time the open block was last confirmed, such as by a probe. The acceptances of all the
 * given buckets count. Returns null when there is nothing to count from.
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
      : { lastBlockAt: blockCheckedAt, deliveries: 0, lastDeliveryAt: null, failedAfter: false });
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
    failedAfter: start.failedAfter || added.failedAfter,
  };
}

/**
 * True when the provider lifted the block by the rule of `delist diagnose` (`isBlockLifted`),
 * with `logEnd` the time of the latest log line read so far (ms since the epoch), or null when
 * none is known.
 */
export function isLifted(progress: LiftProgress, logEnd: number | null): boolean {
  return isBlockLifted(progress, logEnd);
}

/**
 * True for a delivery attempt to another server that the receiver did not accept: a failed
 * connection, a deferral or a rejection. Results that the MTA decided without an attempt, and
 * its queue expiries, are none.
 */
export function isFailedAttempt(event: DeliveryEvent): boolean {
  if (!event.remote || event.withoutAttempt !== undefined || event.queueExpiry === true) {
    return false;
  }
  return event.status === "deferred" || event.status === "bounced";
}

/**
 * Logs one warning for each open block incident whose lift progress `store` found saved before
 * schema version 11 when it upgraded the database. That progress reads as having a failed
 * attempt, so the block cannot lift by the quiet rule, only by `BLOCK_LIFTED_DELIVERIES`
 * deliveries or after a new block reply restarts the count. The upgrade runs once, so each
 * incident is named once.
 *
 * NOTE: when another command, such as `delist history`, opened the database first, it ran the
 * upgrade, and the monitor logs no warning.
 */
export function warnLiftProgressWithoutFailures(store: HistoryStore, logger: Logger): void {
  for (const key of store.liftProgressWithoutFailures) {
    const incident = store.incidents.latest(key);
    if (incident === null || incident.closedAt !== null) continue;
    const [, provider = "", ...ipParts] = key.split(":");
    const ip = ipParts.join(":");
    logger.warn(
      { incident: incident.id, key, provider, ip },
      `incident #${incident.id} (${provider} ${ip}) lifts only after ` +
        `${BLOCK_LIFTED_DELIVERIES} accepted deliveries in a row or after its next block reply. ` +
        "Its lift progress was saved before history schema version 11, which did not record " +
        `failed attempts, so the rule of ${QUIET_LIFT_DELIVERIES} deliveries with no failed ` +
        `attempt and ${QUIET_LIFT_MS / HOUR_MS} hours without a block reply cannot apply`,
    );
  }
}
