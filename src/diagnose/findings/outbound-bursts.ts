import { DAY_MS, HOUR_MS } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import {
  BURST_MIN_EXCESS,
  burstTotal,
  busiestEarlierDay,
  busiestOf,
  earlierDays,
  exceedsEarlierDay,
  findBurst,
  toPoints,
  type Burst,
  type EarlierDay,
  type HourPoint,
} from "../series.js";
import {
  firstSourceBurstHour,
  sameHourLevel,
  senderCountOf,
  sendingSources,
  sourceBurstAt,
  type SenderCount,
  type SendingSource,
  type SourceBurst,
} from "./source-bursts.js";

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
   * The source of `baseline`. `hours-before` is the median of the server's hours before the
   * burst. `same-hours-earlier-days` is the median of the server's recipients in the same hour
   * of the earlier days, for a burst found in the hours of one account, local program or
   * envelope sender (see `sourceBursts`).
   */
  readonly baselineSource: "hours-before" | "same-hours-earlier-days";
  /**
   * The account, local program, relay client or envelope sender whose own hours show the burst
   * (see `sourceBursts`), or for a burst of the server's highest hours the one that sent at
   * least half of it. Null when there is none.
   */
  readonly source: BurstSource | null;
}

/** The submitter of most of a burst. */
export interface BurstSource {
  readonly kind: SendingSource["kind"];
  /** The source as `SendingSource.name` names it. */
  readonly name: string;
  /** The source's recipients in the burst hours. */
  readonly recipients: number;
  /** The source's usual recipients per hour at the time of day of the peak. */
  readonly usual: number;
  /** The source's recipients in its busiest hour of the burst. */
  readonly peak: number;
  /** The source's first message in the burst's first hour (epoch ms), or null. */
  readonly firstTime: number | null;
  /** The distinct envelope senders of the source in the burst hours, or null for a sender. */
  readonly senders: SenderCount | null;
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
 * because mail follows office hours. For a burst of one source, the source's own hours are
 * compared. A burst that starts less than a day after the log does
 * cannot show that, so it is left out: its usual level for that time of day is unknown. A
 * burst longer than a day is compared by its first day (see `comparedPart`).
 *
 * The search runs in two steps. `peakBursts` measures the server's highest hours against its
 * hours before them. `sourceBursts` then finds the bursts of single accounts, local programs,
 * relay clients and envelope senders that a busier hour of ordinary mail or another sender's regular job
 * hides, such as a burst at night after a busy day. Both run once per diagnosis over hourly
 * counters, so the work does not grow with the deliveries in the log.
 */
export function outboundBursts(context: DiagnoseContext): OutboundBurst[] {
  const firstTime = context.facts.firstTime;
  if (firstTime === null) return [];
  const points = hourlyRecipients(context);
  const sources = sendingSources(context);
  const bursts = peakBursts(points, firstTime, sources);
  for (const burst of sourceBursts(sources, points, firstTime, bursts)) {
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
 * steady warm-up as a burst, in place of the ramp. A burst of one source starts at that
 * source's first hour far above its usual level at that time of day (see `trimToSource`).
 */
function peakBursts(
  points: readonly HourPoint[],
  firstTime: number,
  sources: readonly SendingSource[],
): OutboundBurst[] {
  const bursts: OutboundBurst[] = [];
  let rest = points;
  // Each pass removes at least one hour, and the candidates that fail the earlier-day test
  // count too, so that a log of many ordinary peaks stops after a few passes.
  for (let pass = 0; pass < 2 * MAX_BURSTS && bursts.length < MAX_BURSTS; pass++) {
    const found = findBurst(rest);
    if (found === null) break;
    const source = mainSource(sources, found);
    const burst = source === null ? found : trimToSource(found, source, firstTime);
    const compared = comparedPart(points, burst, firstTime);
    const earlierDay = busiestEarlierDay(points, compared, firstTime);
    const exceeds = earlierDay !== null && exceedsEarlierDay(compared, earlierDay);
    if (exceeds) {
      bursts.push({
        ...burst,
        earlierDay,
        comparedEndHour: compared.endHour,
        baselineSource: "hours-before",
        source: source === null ? null : sourceOf(source, burst, firstTime),
      });
    } else if (pass === 0) {
      break;
    }
    const burstHours = new Set(found.hours.map((point) => point.hour));
    rest = rest.filter((point) => !burstHours.has(point.hour));
  }
  return bursts;
}

/**
 * Returns the account, local program or relay client that sent at least half of the burst's
 * recipients, or else such an envelope sender, or null when no source did.
 */
function mainSource(sources: readonly SendingSource[], burst: Burst): SendingSource | null {
  const half = burstTotal(burst) / 2;
  for (const source of sources) {
    const values = source.values;
    let total = 0;
    for (const point of burst.hours) total += values.get(point.hour) ?? 0;
    if (total >= half && total > 0) return source;
  }
  return null;
}

/**
 * Drops the first hours of `burst` in which `source` sent no more than its usual level at that
 * time of day, up to the peak. A burst that the server's totals widened into an ordinary day
 * peak then starts where the source's own burst does.
 */
function trimToSource(burst: Burst, source: SendingSource, firstTime: number): Burst {
  const start = firstSourceBurstHour(source, burst.startHour, burst.peak.hour, firstTime);
  if (start <= burst.startHour) return burst;
  const hours = burst.hours.filter((point) => point.hour >= start);
  const first = hours[0];
  return first === undefined ? burst : { ...burst, startHour: first.hour, hours };
}

function sourceOf(source: SendingSource, burst: Burst, firstTime: number): BurstSource {
  let recipients = 0;
  let peak = 0;
  for (const point of burst.hours) {
    const value = source.values.get(point.hour) ?? 0;
    recipients += value;
    peak = Math.max(peak, value);
  }
  return {
    kind: source.kind,
    name: source.name,
    recipients,
    usual: Math.round(sameHourLevel(source.values, burst.peak.hour, firstTime) ?? 0),
    peak,
    firstTime: source.firstTimes.get(burst.startHour) ?? null,
    senders: senderCountOf(source, burst.startHour, burst.endHour),
  };
}

/**
 * Finds the bursts of single accounts, local programs, relay clients and envelope senders in
 * hours that no burst in `found` covers, the largest first. Each source is judged against its
 * own hours (see `sourceBurstAt`), and envelope senders come last, so that an account or relay
 * client that sends with forged or new envelope senders is named. The server's total is not tested first, so a
 * nightly job of one sender does not hide another sender's burst in the same hour. Its usual
 * level at that time of day (see `usualLevelAt`) is reported as the baseline.
 */
function sourceBursts(
  sources: readonly SendingSource[],
  points: readonly HourPoint[],
  firstTime: number,
  found: readonly OutboundBurst[],
): OutboundBurst[] {
  const series: ServerSeries = {
    points,
    values: new Map(points.map((point) => [point.hour, point.value])),
    firstTime,
  };
  const candidates: Array<{ source: SendingSource; index: number; value: number }> = [];
  for (const source of sources) {
    // Most sources have no hour at that level, and their points are never built.
    if (source.maxValue < BURST_MIN_EXCESS) continue;
    source.points.forEach((point, index) => {
      if (point.value >= BURST_MIN_EXCESS) candidates.push({ source, index, value: point.value });
    });
  }
  // The sort is stable, so accounts, local programs and relay clients stay before envelope
  // senders.
  candidates.sort((a, b) => b.value - a.value);

  const coveredHours = new Set(found.flatMap((burst) => burst.hours.map((point) => point.hour)));
  const bursts: OutboundBurst[] = [];
  for (const { source, index } of candidates) {
    if (bursts.length + found.length >= MAX_BURSTS) break;
    const hour = source.points[index]?.hour;
    if (hour === undefined || coveredHours.has(hour)) continue;
    const own = sourceBurstAt(source, index, series.values, firstTime);
    if (own === null) continue;
    const burst = serverBurstOf(series, own);
    // Two sources can burst in overlapping hours, so the first, larger burst is reported.
    if (burst === null || burst.hours.some((point) => coveredHours.has(point.hour))) continue;
    bursts.push(burst);
    for (const point of burst.hours) coveredHours.add(point.hour);
  }
  return bursts;
}

/** The server's recipients per hour, indexed by the start of each hour. */
interface ServerSeries {
  readonly points: readonly HourPoint[];
  readonly values: ReadonlyMap<number, number>;
  /** The time of the log's first event (epoch ms). */
  readonly firstTime: number;
}

/**
 * Returns the median of the server's recipients in the same hour on each earlier day that the
 * log covers, up to `EARLIER_DAYS`, or null when it covers none. Absent hours count as 0.
 */
function usualLevelAt(series: ServerSeries, hour: number): number | null {
  return sameHourLevel(series.values, hour, series.firstTime);
}

/**
 * Returns the server's hours of a source's burst, with the server's usual level at the peak's
 * time of day as the baseline, or null when the log covers no earlier day for them.
 */
function serverBurstOf(series: ServerSeries, own: SourceBurst): OutboundBurst | null {
  const burst = serverHours(series, own.startHour, own.endHour);
  const usual = usualLevelAt(series, own.peak.hour);
  if (burst === null || usual === null) return null;
  const compared = comparedPart(series.points, burst, series.firstTime);
  const earlierDay = busiestOf(earlierDays(series.values, compared, series.firstTime));
  if (earlierDay === null) return null;
  return {
    ...burst,
    baseline: Math.round(usual),
    earlierDay,
    comparedEndHour: compared.endHour,
    baselineSource: "same-hours-earlier-days",
    source: ownSource(own),
  };
}

function ownSource(own: SourceBurst): BurstSource {
  let peak = 0;
  for (let hour = own.startHour; hour <= own.endHour; hour += HOUR_MS) {
    peak = Math.max(peak, own.source.values.get(hour) ?? 0);
  }
  return {
    kind: own.source.kind,
    name: own.source.name,
    recipients: own.total,
    usual: own.usual,
    peak,
    firstTime: own.source.firstTimes.get(own.startHour) ?? null,
    senders: senderCountOf(own.source, own.startHour, own.endHour),
  };
}

/**
 * Returns the server's hours from `startHour` to `endHour` as a burst with the highest of them
 * as its peak, or null when the server sent nothing in them. The baseline is left at 0 for the
 * caller.
 */
function serverHours(series: ServerSeries, startHour: number, endHour: number): Burst | null {
  const hours = series.points.filter((point) => point.hour >= startHour && point.hour <= endHour);
  const first = hours[0];
  if (first === undefined) return null;
  const peak = hours.reduce((best, point) => (point.value > best.value ? point : best), first);
  return { peak, baseline: 0, startHour: first.hour, endHour, hours };
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
