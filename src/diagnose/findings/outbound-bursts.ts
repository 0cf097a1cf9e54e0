import { DAY_MS, HOUR_MS } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import {
  busiestEarlierDay,
  exceedsEarlierDay,
  findBurst,
  toPoints,
  type Burst,
  type EarlierDay,
  type HourPoint,
} from "../series.js";

/** An outbound burst that is also far above the same hours of an earlier day. */
export interface OutboundBurst extends Burst {
  /** The same hours on the busiest earlier day, for a burst longer than a day its first 24. */
  readonly earlierDay: EarlierDay;
}

/**
 * Maximum bursts that `outboundBursts` returns. A few separate bursts are common (two
 * accounts abused on one day, or a campaign sent in waves), and more than this would bury the
 * report. The largest are kept.
 */
export const MAX_BURSTS = 5;

/**
 * Finds the hourly bursts of outbound recipients, the largest `MAX_BURSTS`, in time order.
 * The search takes the highest hour as `findBurst` does, then removes that burst's hours and
 * searches the rest again, so a second sender's burst on another hour is not hidden by the
 * first. Mail follows office hours, so each burst must also send `EARLIER_DAY_FACTOR` times
 * what the same hours sent on an earlier day. A burst that starts less than a day after the
 * log does cannot show that, so it is left out: its usual level for that time of day is
 * unknown. A burst longer than a day is compared by its first day (see `comparedPart`).
 */
export function outboundBursts(context: DiagnoseContext): OutboundBurst[] {
  const firstTime = context.facts.firstTime;
  if (firstTime === null) return [];
  const points = hourlyRecipients(context);
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
    if (exceeds) bursts.push({ ...burst, earlierDay });
    // NOTE: when the highest hours are no burst, the search stops there, so a smaller burst at
    // night is missed when a busier daytime hour of ordinary mail exists. Going on would
    // report a day's busiest hour during a steady warm-up as a burst, in place of the ramp.
    else if (pass === 0) break;
    const burstHours = new Set(burst.hours.map((point) => point.hour));
    rest = rest.filter((point) => !burstHours.has(point.hour));
  }
  return bursts.sort((a, b) => a.startHour - b.startHour);
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
