import { DAY_MS, HOUR_MS, median } from "../analysis/time.js";

/** A count in one hour bucket; hours with no traffic are absent. */
export interface HourPoint {
  readonly hour: number;
  readonly value: number;
}

/** A run of hours far above the usual level. */
export interface Burst {
  readonly peak: HourPoint;
  /**
   * Median of the non-empty hours before the burst (all other hours when too few), or the
   * level given to `findBurstAbove`, rounded to a whole number of recipients.
   */
  readonly baseline: number;
  readonly startHour: number;
  /** Start of the last hour of the burst. */
  readonly endHour: number;
  readonly hours: readonly HourPoint[];
}

/** A peak counts as a burst when it is this many times the baseline… */
export const BURST_FACTOR = 6;
/** …and at least this much above it, so a quiet server going from 2 to 12 is not a spike. */
export const BURST_MIN_EXCESS = 40;
/** Hours near the peak belong to the burst while they stay above this multiple of the baseline. */
const BURST_EDGE_FACTOR = 3;
/** Fewer non-empty hours than this before the peak make the history too short to compare. */
const MIN_HISTORY_HOURS = 6;
/**
 * A burst must also send this many times what the same hours sent on an earlier day, so that
 * a busy morning after a quiet night is not a burst.
 */
export const EARLIER_DAY_FACTOR = 2;
/** Earlier days compared with a burst: one week covers the weekly rhythm of office mail. */
const EARLIER_DAYS = 7;

/** Returns hour points sorted by time. */
export function toPoints(counts: Iterable<readonly [number, number]>): HourPoint[] {
  return [...counts].map(([hour, value]) => ({ hour, value })).sort((a, b) => a.hour - b.hour);
}

/**
 * Finds the highest hour and compares it with the median of the non-empty hours before it.
 * The hours before the peak are the baseline because the incident itself must not raise it.
 * Returns null when the peak is not `BURST_FACTOR` times the baseline and `BURST_MIN_EXCESS`
 * above it. A series of one hour is compared with 0, so callers that need a usual level must
 * check the history themselves (see `busiestEarlierDay`).
 */
export function findBurst(points: readonly HourPoint[]): Burst | null {
  return burstAt(points, indexOfPeak(points));
}

/**
 * Measures the hour at `peakIndex` as `findBurst` measures the highest hour, and returns the
 * burst around it or null. When that hour is not the highest, a neighbouring hour of the burst
 * can be higher than its `peak`.
 */
export function burstAt(points: readonly HourPoint[], peakIndex: number): Burst | null {
  const peak = points[peakIndex];
  if (peak === undefined) return null;

  const provisional = baselineBefore(points, peakIndex);
  if (!isBurst(peak.value, provisional)) return null;
  const edges = burstEdges(points, peakIndex, provisional);

  // The first hours of a burst would raise the level it is measured against, so the
  // baseline is taken again from the hours before the burst began.
  const baseline = Math.round(
    edges.start === peakIndex ? provisional : baselineBefore(points, edges.start),
  );
  if (!isBurst(peak.value, baseline)) return null;
  return burstOf(points, peak, edges, baseline);
}

/**
 * Finds the highest hour and compares it with `level`, a usual hourly value from outside the
 * series, for a series with too little history to give its own baseline. Hours join the burst
 * as in `findBurst`. Returns null when the peak is not `BURST_FACTOR` times the level and
 * `BURST_MIN_EXCESS` above it.
 */
export function findBurstAbove(points: readonly HourPoint[], level: number): Burst | null {
  const peakIndex = indexOfPeak(points);
  const peak = points[peakIndex];
  if (peak === undefined || !isBurst(peak.value, level)) return null;
  return burstOf(points, peak, burstEdges(points, peakIndex, level), Math.round(level));
}

/**
 * True when the series has enough non-empty hours before `hour` (`MIN_HISTORY_HOURS`) for
 * `findBurst` to measure a burst starting there against the series' own history.
 */
export function hasHistoryBefore(points: readonly HourPoint[], hour: number): boolean {
  let count = 0;
  for (const point of points) {
    if (point.hour >= hour) break;
    if (point.value > 0) count += 1;
  }
  return count >= MIN_HISTORY_HOURS;
}

/** Returns the index of the first highest point, or -1 for an empty series. */
function indexOfPeak(points: readonly HourPoint[]): number {
  if (points.length === 0) return -1;
  let peakIndex = 0;
  points.forEach((point, index) => {
    if (point.value > (points[peakIndex]?.value ?? 0)) peakIndex = index;
  });
  return peakIndex;
}

/** Widens a burst from its peak to the neighbouring hours that stay above the edge level. */
function burstEdges(
  points: readonly HourPoint[],
  peakIndex: number,
  baseline: number,
): { start: number; end: number } {
  const edge = Math.max(baseline * BURST_EDGE_FACTOR, baseline + BURST_MIN_EXCESS / 2);
  let start = peakIndex;
  while (start > 0 && isBurstHour(points, start - 1, start, edge)) start -= 1;
  let end = peakIndex;
  while (end < points.length - 1 && isBurstHour(points, end + 1, end, edge)) end += 1;
  return { start, end };
}

function burstOf(
  points: readonly HourPoint[],
  peak: HourPoint,
  edges: { start: number; end: number },
  baseline: number,
): Burst {
  return {
    peak,
    baseline,
    startHour: points[edges.start]?.hour ?? peak.hour,
    endHour: points[edges.end]?.hour ?? peak.hour,
    hours: points.slice(edges.start, edges.end + 1),
  };
}

/** True when `peak` is `BURST_FACTOR` times `baseline` and `BURST_MIN_EXCESS` above it. */
export function isBurst(peak: number, baseline: number): boolean {
  return peak >= baseline * BURST_FACTOR && peak - baseline >= BURST_MIN_EXCESS;
}

/**
 * Returns the median of the non-empty hours before `index`, or of all other hours when
 * history is short, or 0 when there is no other hour. An account seen only in the hour of its
 * abuse is compared with 0 on purpose, because it sent no mail earlier in the log.
 */
export function baselineBefore(points: readonly HourPoint[], index: number): number {
  const before = points.slice(0, index).map((point) => point.value);
  if (before.length >= MIN_HISTORY_HOURS) return median(before);
  const others = points.filter((_, i) => i !== index).map((point) => point.value);
  return median(others);
}

/** The hours of a burst shifted to an earlier day, and what they sent. */
export interface EarlierDay {
  /** Start of the first of those hours. */
  readonly startHour: number;
  /** Sum of the values in those hours. Hours absent from the series count as 0. */
  readonly total: number;
}

/**
 * Returns the busiest window of the burst's hours on one of the `EARLIER_DAYS` days before
 * it, or null when the log covers none of those windows completely. `coveredFrom` is the
 * time of the log's first event, so a window that starts earlier is left out rather than
 * counted as quiet.
 */
export function busiestEarlierDay(
  points: readonly HourPoint[],
  burst: Burst,
  coveredFrom: number,
): EarlierDay | null {
  const values = new Map(points.map((point) => [point.hour, point.value]));
  return busiestOf(earlierDays(values, burst, coveredFrom));
}

/** Returns the first of the busiest `days`, or null when there are none. */
export function busiestOf(days: readonly EarlierDay[]): EarlierDay | null {
  let busiest: EarlierDay | null = null;
  for (const day of days) {
    if (busiest === null || day.total > busiest.total) busiest = day;
  }
  return busiest;
}

/** Values by the start of their hour (epoch ms). An hour without a value counts as 0. */
export type HourValues = Pick<ReadonlyMap<number, number>, "get">;

/**
 * Returns the window of the burst's hours on each of the `EARLIER_DAYS` days before it that
 * the log covers completely, the nearest day first. `values` maps the start of each non-empty
 * hour to its value, and `coveredFrom` is the time of the log's first event.
 */
export function earlierDays(
  values: HourValues,
  burst: Pick<Burst, "startHour" | "endHour">,
  coveredFrom: number,
): EarlierDay[] {
  const days: EarlierDay[] = [];
  for (let count = 1; count <= EARLIER_DAYS; count++) {
    const shift = count * DAY_MS;
    const startHour = burst.startHour - shift;
    if (startHour < coveredFrom) break;
    // A burst longer than a day would be compared with its own first hours.
    if (burst.endHour - shift >= burst.startHour) continue;
    let total = 0;
    for (let hour = startHour; hour <= burst.endHour - shift; hour += HOUR_MS) {
      total += values.get(hour) ?? 0;
    }
    days.push({ startHour, total });
  }
  return days;
}

/**
 * True when the burst's hours sent `EARLIER_DAY_FACTOR` times the same hours of the earlier
 * day, and `BURST_MIN_EXCESS` more.
 */
export function exceedsEarlierDay(burst: Burst, earlier: EarlierDay): boolean {
  const total = burstTotal(burst);
  return total >= earlier.total * EARLIER_DAY_FACTOR && total - earlier.total >= BURST_MIN_EXCESS;
}

/** Sum of the values in the burst's hours. */
export function burstTotal(burst: Burst): number {
  return burst.hours.reduce((sum, point) => sum + point.value, 0);
}

// An hour joins the burst when it is above the edge level and at most one empty hour away.
function isBurstHour(
  points: readonly HourPoint[],
  index: number,
  neighbour: number,
  edge: number,
): boolean {
  const point = points[index];
  const next = points[neighbour];
  if (point === undefined || next === undefined) return false;
  return point.value >= edge && Math.abs(point.hour - next.hour) <= 2 * HOUR_MS;
}
