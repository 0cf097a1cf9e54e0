import { DAY_MS, HOUR_MS, dayOf } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import type { HourPoint } from "../series.js";

/**
 * A day counts as a burst when it sends this many times the busiest whole day of the week
 * before. A day sums busy and quiet hours, so it varies much less than an hour does, and this
 * factor is half the hourly `BURST_FACTOR`.
 */
export const DAILY_BURST_FACTOR = 3;

/** …and at least this many recipients more, so a quiet server going from 40 to 150 is no burst. */
export const DAILY_MIN_EXCESS = 200;

/** Whole days before the burst that the log must cover to give the usual daily volume. */
const MIN_EARLIER_DAYS = 3;

/** Earlier days compared with a day: one week covers the weekly rhythm of office mail. */
const EARLIER_DAYS = 7;

/** Outbound recipients of one UTC day. */
export interface DayVolume {
  /** Start of the day, epoch ms. */
  readonly day: number;
  readonly recipients: number;
  /** False for the first or last day of the log when the log covers only part of it. */
  readonly whole: boolean;
}

/** A run of days whose outbound recipients are far above the busiest earlier day. */
export interface DailyBurst {
  readonly days: readonly DayVolume[];
  readonly peak: DayVolume;
  /** Recipients of the busiest whole day of the week before the burst. */
  readonly baseline: number;
  /** Whole days of the week before the burst that `baseline` was taken from. */
  readonly earlierDays: number;
  /** The day after the burst, or null when the burst lasts until the end of the log. */
  readonly after: DayVolume | null;
  /** The hours of the burst's days, for naming who sent them. */
  readonly hours: readonly HourPoint[];
}

/**
 * Returns the days on which outbound recipients went far above the busiest whole day of the
 * week before, or null when none did. A script that sends steadily day and night can stay
 * below the hourly burst test, which compares the peak hour with the usual office hour, and
 * still send several times the usual day.
 *
 * The burst is the busiest day and the days next to it that also pass the test against the
 * week before the first of them. A partial first day gives no usual level, and a partial last
 * day can still be a burst day, because it can only have sent more by the end of the day.
 */
export function findDailyBurst(context: DiagnoseContext): DailyBurst | null {
  const days = dayVolumes(context);
  const peakIndex = indexOfBusiestDay(days);
  if (peakIndex < 0) return null;

  let start = peakIndex;
  while (start > 0 && isBurstDay(days, start - 1, usualLevel(days, start - 1))) start -= 1;
  const usual = usualLevel(days, start);
  if (usual === null || !isBurstDay(days, peakIndex, usual)) return null;
  let end = peakIndex;
  while (end < days.length - 1 && isBurstDay(days, end + 1, usual)) end += 1;

  const burstDays = days.slice(start, end + 1);
  const first = burstDays[0];
  const last = burstDays[burstDays.length - 1];
  const peak = days[peakIndex];
  if (first === undefined || last === undefined || peak === undefined) return null;
  return {
    days: burstDays,
    peak,
    baseline: usual.recipients,
    earlierDays: usual.days,
    after: days[end + 1] ?? null,
    hours: hoursBetween(context, first.day, last.day + DAY_MS),
  };
}

/** The busiest day of a log with too few earlier days to give the usual daily volume. */
export interface UncomparedDailyBurst {
  readonly peak: DayVolume;
  /** Recipients of the busiest earlier day in the log, whole or partial. */
  readonly earlierMax: number;
  /** Whole days before the peak, fewer than `MIN_EARLIER_DAYS`. */
  readonly earlierWholeDays: number;
  /** Whole earlier days that `findDailyBurst` needs. */
  readonly neededDays: number;
}

/**
 * Returns the busiest day when it is far above every earlier day of the log (by the test of
 * `findDailyBurst`) but the log covers fewer than `MIN_EARLIER_DAYS` whole days before it, so
 * whether it is a burst is unknown. Returns null when the log has no day before the busiest
 * one, when that day is close to an earlier day, or when `findDailyBurst` can judge it.
 */
export function findUncomparedDailyBurst(context: DiagnoseContext): UncomparedDailyBurst | null {
  const days = dayVolumes(context);
  const peakIndex = indexOfBusiestDay(days);
  const peak = days[peakIndex];
  if (peak === undefined || peakIndex === 0 || usualLevel(days, peakIndex) !== null) return null;

  // A partial earlier day can only lower the earlier level, so it can report more days as
  // uncompared but never hides one.
  const earlier = days.slice(Math.max(0, peakIndex - EARLIER_DAYS), peakIndex);
  const earlierMax = Math.max(...earlier.map((day) => day.recipients));
  if (!isBurstDay(days, peakIndex, { recipients: earlierMax })) return null;
  return {
    peak,
    earlierMax,
    earlierWholeDays: earlier.filter((day) => day.whole).length,
    neededDays: MIN_EARLIER_DAYS,
  };
}

/**
 * Returns every UTC day from the first to the last of the log with its outbound recipients,
 * 0 for a day without any.
 */
function dayVolumes(context: DiagnoseContext): DayVolume[] {
  const first = context.facts.firstTime;
  const last = context.facts.lastTime;
  if (first === null || last === null) return [];
  const totals = new Map<number, number>();
  for (const [hour, volume] of context.facts.volume.hours) {
    const day = dayOf(hour);
    totals.set(day, (totals.get(day) ?? 0) + volume.recipients);
  }
  const days: DayVolume[] = [];
  for (let day = dayOf(first); day <= last; day += DAY_MS) {
    // A log that starts or ends within an hour of midnight covers that day.
    const whole = day + HOUR_MS > first && day + DAY_MS <= last + HOUR_MS;
    days.push({ day, recipients: totals.get(day) ?? 0, whole });
  }
  return days;
}

function indexOfBusiestDay(days: readonly DayVolume[]): number {
  let best = -1;
  days.forEach((entry, index) => {
    if (best < 0 || entry.recipients > (days[best]?.recipients ?? 0)) best = index;
  });
  return best;
}

/**
 * Returns the recipients of the busiest whole day among the `EARLIER_DAYS` days before
 * `index`, and how many whole days there were, or null for fewer than `MIN_EARLIER_DAYS`.
 */
function usualLevel(
  days: readonly DayVolume[],
  index: number,
): { recipients: number; days: number } | null {
  const earlier = days.slice(Math.max(0, index - EARLIER_DAYS), index).filter((day) => day.whole);
  if (earlier.length < MIN_EARLIER_DAYS) return null;
  return { recipients: Math.max(...earlier.map((day) => day.recipients)), days: earlier.length };
}

function isBurstDay(
  days: readonly DayVolume[],
  index: number,
  usual: { recipients: number } | null,
): boolean {
  const day = days[index];
  if (day === undefined || usual === null) return false;
  return isFarAboveDailyLevel(day.recipients, usual.recipients);
}

/**
 * Tells whether `recipients` a day is a burst against `usual` recipients a day: at least
 * `DAILY_BURST_FACTOR` times as many and `DAILY_MIN_EXCESS` more.
 */
export function isFarAboveDailyLevel(recipients: number, usual: number): boolean {
  return recipients >= usual * DAILY_BURST_FACTOR && recipients - usual >= DAILY_MIN_EXCESS;
}

/** Formats the UTC day that starts at `day` as its date, `2024-03-07`. */
export function utcDate(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

function hoursBetween(context: DiagnoseContext, from: number, to: number): HourPoint[] {
  return [...context.facts.volume.hours]
    .filter(([hour]) => hour >= from && hour < to)
    .sort((a, b) => a[0] - b[0])
    .map(([hour, volume]) => ({ hour, value: volume.recipients }));
}
