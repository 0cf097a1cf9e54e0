import { DAY_MS, dayOf } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { dailyRecipients } from "./volume-spike.js";

/**
 * Minimum day-over-day growth of each step of a short ramp. `dailyRamp` needs 3 steps of 1.5
 * times over whole days, which a new IP that receivers block on its second or third day never
 * shows, because the log ends with the block.
 */
const STEEP_STEP_FACTOR = 3;

/**
 * Minimum growth from the first day to the busiest day. A single step must reach it on its
 * own, so that a server restarted on a quiet day before a busier weekday is no ramp.
 * NOTE: 5 times is an estimate of what a weekday rhythm stays below. A small office server
 * restarted on a Sunday can still exceed it.
 */
const MIN_TOTAL_GROWTH = 5;

/** Minimum recipients of the busiest day, so that a few test messages make no ramp. */
const MIN_PEAK_RECIPIENTS = 100;

/**
 * Returns the daily outbound recipients from the day of `startTime` (the MTA's first start) to
 * the log's last day, or null when they make no steep ramp. In a steep ramp each day sent at
 * least 3 times the day before. The busiest day also sent 5 times the first and 100 or more.
 *
 * The last day may be partial, because its count can only be too low. The first day is scaled
 * to a whole day from `startTime` on, so that a start late in the day is not read as growth.
 * The series is in UTC days, as `dailyRamp` counts them.
 */
export function steepRampSinceStart(
  context: DiagnoseContext,
  startTime: number,
): Array<{ day: string; recipients: number }> | null {
  const last = context.facts.lastTime;
  if (last === null) return null;
  const firstDay = dayOf(startTime);
  const byDay = new Map(dailyRecipients(context).map((entry) => [entry.day, entry.recipients]));
  const days: Array<{ day: number; recipients: number }> = [];
  for (let day = firstDay; day <= dayOf(last); day += DAY_MS) {
    days.push({ day, recipients: byDay.get(day) ?? 0 });
  }
  if (days.length < 2 || !isSteep(days, startTime)) return null;
  return days.map((entry) => ({
    day: context.time(entry.day).slice(0, 10),
    recipients: entry.recipients,
  }));
}

function isSteep(
  days: ReadonlyArray<{ day: number; recipients: number }>,
  startTime: number,
): boolean {
  const [first] = days;
  if (first === undefined) return false;
  const covered = first.day + DAY_MS - startTime;
  let previous = (first.recipients * DAY_MS) / Math.max(covered, 1);
  const firstLevel = previous;
  let peak = 0;
  for (const entry of days.slice(1)) {
    if (previous <= 0 || entry.recipients < previous * STEEP_STEP_FACTOR) return false;
    previous = entry.recipients;
    peak = Math.max(peak, entry.recipients);
  }
  return peak >= MIN_PEAK_RECIPIENTS && peak >= firstLevel * MIN_TOTAL_GROWTH;
}
