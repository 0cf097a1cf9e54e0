import { DAY_MS, HOUR_MS, median } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import {
  BURST_MIN_EXCESS,
  burstAt,
  busiestEarlierDay,
  busiestOf,
  earlierDays,
  exceedsEarlierDay,
  findBurst,
  isBurst,
  toPoints,
  type Burst,
  type EarlierDay,
  type HourPoint,
} from "../series.js";

/** An outbound burst that is also far above the same hours of an earlier day. */
export interface OutboundBurst extends Burst {
  /** The same hours on the busiest earlier day, up to `comparedEndHour`. */
  readonly earlierDay: EarlierDay;
  /**
   * Start of the last hour compared with `earlierDay`: `endHour`, or the last of the first 24
   * hours for a burst longer than a day (see `comparedPart`).
   */
  readonly comparedEndHour: number;
  /**
   * The source of `baseline`: the median of the server's hours before the burst
   * (`hours-before`), or the median of the server's recipients in the same hour of the earlier
   * days (`same-hours-earlier-days`) for a sender's burst behind a busier hour (see
   * `senderBursts`).
   */
  readonly baselineSource: "hours-before" | "same-hours-earlier-days";
}

/**
 * Maximum bursts that `outboundBursts` returns. A few separate bursts are common (two
 * accounts abused on one day, or a campaign sent in waves), and more than this would bury the
 * report. The largest are kept.
 */
export const MAX_BURSTS = 5;

/**
 * Finds the hourly bursts of outbound recipients, up to `MAX_BURSTS`, in time order. Each
 * burst must also send `EARLIER_DAY_FACTOR` times what the same hours sent on an earlier day,
 * because mail follows office hours. A burst that starts less than a day after the log does
 * cannot show that, so it is left out: its usual level for that time of day is unknown. A
 * burst longer than a day is compared by its first day (see `comparedPart`).
 *
 * The search runs in two steps. `peakBursts` measures the server's highest hours against its
 * hours before them. `senderBursts` then finds the bursts of single envelope senders that a
 * busier hour of ordinary mail hides, such as a burst at night after a busy day.
 */
export function outboundBursts(context: DiagnoseContext): OutboundBurst[] {
  const firstTime = context.facts.firstTime;
  if (firstTime === null) return [];
  const points = hourlyRecipients(context);
  const bursts = peakBursts(points, firstTime);
  for (const burst of senderBursts(context, points, firstTime, bursts)) {
    if (bursts.length >= MAX_BURSTS) break;
    bursts.push(burst);
  }
  return bursts.sort((a, b) => a.startHour - b.startHour);
}

/**
 * Finds the bursts of the server's highest hours, the largest first. The search takes the
 * highest hour as `findBurst` does, then removes that burst's hours and searches the rest
 * again, so a second sender's burst on another hour is not hidden by the first. It stops when
 * the highest hours are no burst, because going on would report a day's busiest hour during a
 * steady warm-up as a burst, in place of the ramp.
 */
function peakBursts(points: readonly HourPoint[], firstTime: number): OutboundBurst[] {
  const bursts: OutboundBurst[] = [];
  let rest = points;
  // Each pass removes at least one hour, and the candidates that fail the earlier-day test
  // count too, so that a log of many ordinary peaks stops after a few passes.
  for (let pass = 0; pass < 2 * MAX_BURSTS && bursts.length < MAX_BURSTS; pass++) {
    const burst = findBurst(rest);
    if (burst === null) break;
    const compared = comparedPart(points, burst, firstTime);
    const earlierDay = busiestEarlierDay(points, compared, firstTime);
    const exceeds = earlierDay !== null && exceedsEarlierDay(compared, earlierDay);
    if (exceeds) {
      bursts.push({
        ...burst,
        earlierDay,
        comparedEndHour: compared.endHour,
        baselineSource: "hours-before",
      });
    } else if (pass === 0) {
      break;
    }
    const burstHours = new Set(burst.hours.map((point) => point.hour));
    rest = rest.filter((point) => !burstHours.has(point.hour));
  }
  return bursts;
}

/**
 * Finds the bursts of single envelope senders in hours that no burst in `found` covers, the
 * largest first. An hour is a candidate when the server's recipients in it are a burst against
 * the server's usual level at that time of day. That level is the median of the same hour on
 * the earlier days (up to `EARLIER_DAYS`), and the hour must be `BURST_FACTOR` times it and
 * `BURST_MIN_EXCESS` above it. One sender must also have sent a burst in that hour, measured
 * by `burstAt` against that sender's own hours. The server's recipients in that sender's burst
 * hours must then pass the earlier-day test of `peakBursts`. So a busy day hour no longer hides
 * a night burst, while an ordinary daily peak stays no burst, because the days before sent
 * about as much at that time.
 */
function senderBursts(
  context: DiagnoseContext,
  points: readonly HourPoint[],
  firstTime: number,
  found: readonly OutboundBurst[],
): OutboundBurst[] {
  const series: ServerSeries = {
    points,
    values: new Map(points.map((point) => [point.hour, point.value])),
    indexes: new Map(points.map((point, index) => [point.hour, index])),
    firstTime,
  };
  const candidates = points
    .map((point) => ({ point, usual: usualLevelAt(series, point.hour) }))
    .filter(({ point, usual }) => usual !== null && isBurst(point.value, usual))
    .sort((a, b) => b.point.value - a.point.value);

  const coveredHours = new Set(found.flatMap((burst) => burst.hours.map((point) => point.hour)));
  const senders = new Map<string, HourPoint[]>();
  const bursts: OutboundBurst[] = [];
  for (const { point, usual } of candidates) {
    if (usual === null || coveredHours.has(point.hour)) continue;
    const burst = senderBurstAt(context, series, senders, point.hour, usual);
    // Two senders can burst in overlapping hours, so the larger burst is reported for both.
    if (burst === null || burst.hours.some((hour) => coveredHours.has(hour.hour))) continue;
    bursts.push(burst);
    for (const hour of burst.hours) coveredHours.add(hour.hour);
  }
  return bursts;
}

/** The server's recipients per hour, indexed by the start of each hour. */
interface ServerSeries {
  readonly points: readonly HourPoint[];
  readonly values: ReadonlyMap<number, number>;
  readonly indexes: ReadonlyMap<number, number>;
  /** The time of the log's first event (epoch ms). */
  readonly firstTime: number;
}

/**
 * Returns the median of the server's recipients in the same hour on each earlier day that the
 * log covers, up to `EARLIER_DAYS`, or null when it covers none. Absent hours count as 0.
 */
function usualLevelAt(series: ServerSeries, hour: number): number | null {
  const days = earlierDays(series.values, { startHour: hour, endHour: hour }, series.firstTime);
  return days.length === 0 ? null : median(days.map((day) => day.total));
}

/**
 * Returns the server's hours of the first sender's burst in `hour` that passes the
 * earlier-day test, the sender with the most recipients in that hour first, or null when
 * none does. `usual` is the server's usual level at that time of day (see `usualLevelAt`).
 * `senders` keeps each sender's hourly series once built.
 */
function senderBurstAt(
  context: DiagnoseContext,
  series: ServerSeries,
  senders: Map<string, HourPoint[]>,
  hour: number,
  usual: number,
): OutboundBurst | null {
  const counts = [...(context.facts.volume.hours.get(hour)?.senders ?? [])]
    .filter(([, sender]) => sender.recipients >= BURST_MIN_EXCESS)
    .sort((a, b) => b[1].recipients - a[1].recipients);
  for (const [sender] of counts) {
    if (sender === null) continue;
    let own = senders.get(sender);
    if (own === undefined) {
      own = senderHours(context, sender);
      senders.set(sender, own);
    }
    const ownBurst = burstAt(
      own,
      own.findIndex((point) => point.hour === hour),
    );
    if (ownBurst === null) continue;
    const burst = serverHours(series, ownBurst.startHour, ownBurst.endHour);
    const compared = comparedPart(series.points, burst, series.firstTime);
    const earlierDay = busiestOf(earlierDays(series.values, compared, series.firstTime));
    if (earlierDay === null || !exceedsEarlierDay(compared, earlierDay)) continue;
    return {
      ...burst,
      baseline: Math.round(usual),
      earlierDay,
      comparedEndHour: compared.endHour,
      baselineSource: "same-hours-earlier-days",
    };
  }
  return null;
}

/**
 * Returns the server's hours from `startHour` to `endHour` as a burst with the highest of them
 * as its peak. Both hours must be in the series. The baseline is left at 0 for the caller.
 */
function serverHours(series: ServerSeries, startHour: number, endHour: number): Burst {
  const first = series.indexes.get(startHour) ?? 0;
  const last = series.indexes.get(endHour) ?? first;
  const hours = series.points.slice(first, last + 1);
  const peak = hours.reduce((best, point) => (point.value > best.value ? point : best));
  return { peak, baseline: 0, startHour, endHour, hours };
}

/**
 * Returns the recipients per hour of one envelope sender.
 *
 * NOTE: `HourVolume.senders` keeps the first 64 senders of each hour, so a burst whose sender
 * first sent after 64 others in its hour is not found by `senderBursts`.
 */
function senderHours(context: DiagnoseContext, sender: string): HourPoint[] {
  const entries: Array<[number, number]> = [];
  for (const [hour, volume] of context.facts.volume.hours) {
    const counts = volume.senders.get(sender);
    if (counts !== undefined) entries.push([hour, counts.recipients]);
  }
  return toPoints(entries);
}

/**
 * Returns the part of `burst` to compare with an earlier day: the whole burst, or its first
 * 24 hours when it lasts longer and the log does not cover the same hours two or more days
 * before. A sender that starts a burst and keeps sending until the log ends is then compared
 * with the day before its start, in place of being left out.
 */
function comparedPart(points: readonly HourPoint[], burst: Burst, coveredFrom: number): Burst {
  const lastHourOfFirstDay = burst.startHour + DAY_MS - HOUR_MS;
  if (burst.endHour <= lastHourOfFirstDay) return burst;
  if (busiestEarlierDay(points, burst, coveredFrom) !== null) return burst;
  const hours = burst.hours.filter((point) => point.hour <= lastHourOfFirstDay);
  const peak = hours.reduce((best, point) => (point.value > best.value ? point : best));
  return { ...burst, peak, endHour: hours[hours.length - 1]?.hour ?? burst.startHour, hours };
}

/**
 * Returns the hours far above the usual level when the log starts too late to compare them
 * with the same hours of an earlier day, so that whether they are a burst is unknown.
 */
export function uncomparedBurst(context: DiagnoseContext): Burst | null {
  const candidate = burstCandidate(context);
  return candidate !== null && candidate.earlierDay === null ? candidate.burst : null;
}

// The hours far above the usual level, with the busiest earlier day the log covers (null
// when it covers none).
function burstCandidate(
  context: DiagnoseContext,
): { readonly burst: Burst; readonly earlierDay: EarlierDay | null } | null {
  const firstTime = context.facts.firstTime;
  if (firstTime === null) return null;
  const points = hourlyRecipients(context);
  const burst = findBurst(points);
  if (burst === null) return null;
  return { burst, earlierDay: busiestEarlierDay(points, burst, firstTime) };
}

function hourlyRecipients(context: DiagnoseContext): HourPoint[] {
  return toPoints([...context.facts.volume.hours].map(([hour, v]) => [hour, v.recipients]));
}

/**
 * Returns the time of the earliest block reply of any provider (epoch ms), or null when no
 * provider rejected or deferred mail for a sender-side reason.
 */
export function firstBlockTime(context: DiagnoseContext): number | null {
  let first: number | null = null;
  for (const facts of context.facts.providers.values()) {
    const time = facts.firstBlock?.time;
    if (time !== undefined && (first === null || time < first)) first = time;
  }
  return first;
}
