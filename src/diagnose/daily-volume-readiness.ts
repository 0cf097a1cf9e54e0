import { HOUR_MS, DAY_MS, hourOf } from "../analysis/time.js";
import { WARM_UP_GROWTH_TEXT } from "./findings/warm-up-pace.js";
import type { DiagnoseContext } from "./context.js";
import {
  DAILY_BURST_FACTOR,
  findDailyBurst,
  findUncomparedDailyBurst,
  isFarAboveDailyLevel,
  utcDate,
  type DailyBurst,
  type UncomparedDailyBurst,
} from "./findings/daily-burst.js";
import { plural } from "./findings/build.js";
import { rotatedLogNames } from "./findings/mta-steps.js";
import { dailyRamp } from "./findings/volume-spike.js";
import type { Finding, ReadinessItem } from "./types.js";

const ITEM = { id: "volume-normal", title: "Volume back to normal" } as const;

/** Inputs of the daily `volume-normal` item beyond the log facts. */
export interface DailyVolumeOptions {
  readonly findings: readonly Finding[];
  /** The end of the log, epoch ms. */
  readonly logEnd: number;
  /** An abusive account or script that ended this long before `logEnd` counts as stopped. */
  readonly stoppedAfterMs: number;
}

/**
 * Builds the `volume-normal` item from the daily volume, or returns null when it shows no
 * burst and no ramp (see `rampItem`). A burst that only the daily volume shows (see
 * `findDailyBurst`) passes when a whole day after it went back below the burst level. It fails when the burst lasts until the end
 * of the log, and it is not checked when the log ends before the day after the burst is over.
 *
 * A log can be too short to give the usual daily volume while its busiest day is far above
 * the earlier days (see `findUncomparedDailyBurst`). The item then passes only when the
 * sending of the `web-script` and `compromised-account` findings stopped and the volume after
 * it went back to its level before it. Otherwise the item is not checked.
 */
export function dailyVolumeItem(
  context: DiagnoseContext,
  options: DailyVolumeOptions,
): ReadinessItem | null {
  const burst = findDailyBurst(context);
  if (burst !== null) return dailyBurstItem(burst);
  // The `volume-spike` finding reports a ramp when no daily burst shows, and so does the item.
  const ramp = dailyRamp(context);
  const rampResult = ramp === null ? null : rampItem(ramp);
  if (rampResult !== null) return rampResult;
  const uncompared = findUncomparedDailyBurst(context);
  if (uncompared === null) return null;
  return uncomparedItem(context, uncompared, options);
}

function dailyBurstItem(burst: DailyBurst): ReadinessItem {
  const first = burst.days[0] ?? burst.peak;
  const last = burst.days[burst.days.length - 1] ?? burst.peak;
  const span =
    first.day === last.day
      ? `on ${utcDate(first.day)}`
      : `from ${utcDate(first.day)} to ${utcDate(last.day)}`;
  const level = `up to ${burst.peak.recipients.toLocaleString("en-US")} recipients a day against ${burst.baseline.toLocaleString("en-US")} before`;

  if (burst.after === null) {
    return {
      ...ITEM,
      status: "fail",
      detail: `Outbound volume is still far above its usual daily level at the end of the log: ${level}, ${span} (UTC days).`,
    };
  }
  if (!burst.after.whole) {
    return {
      ...ITEM,
      status: "not-checked",
      detail: `Outbound volume was far above its usual daily level ${span} (UTC days, ${level}), and the log ends before the next day is over; give a newer log to see whether it went back to normal.`,
    };
  }
  return {
    ...ITEM,
    status: "pass",
    detail: `The daily burst ${span} (UTC days, ${level}) ended: ${utcDate(burst.after.day)} sent ${burst.after.recipients.toLocaleString("en-US")}.`,
  };
}

/** The sending of the abusive accounts and scripts that the findings name. */
interface AbuseSpan {
  /** Ids of the findings, such as `web-script`. */
  readonly ids: readonly string[];
  /** Epoch ms of the first and the last abusive message. */
  readonly start: number;
  readonly end: number;
}

/** Outbound recipients a day before and after the abuse, and the hours they were counted in. */
interface AbuseLevels {
  readonly beforePerDay: number;
  readonly afterRecipients: number;
  readonly afterHours: number;
  readonly afterPerDay: number;
}

function uncomparedItem(
  context: DiagnoseContext,
  burst: UncomparedDailyBurst,
  options: DailyVolumeOptions,
): ReadinessItem {
  const tooFew = `the log covers too few earlier days to compare with (${plural(burst.earlierWholeDays, "whole day")} before ${utcDate(burst.peak.day)}, ${burst.neededDays} needed)`;
  const abuse = abuseSpan(options.findings);
  const stopped = abuse !== null && abuse.end < options.logEnd - options.stoppedAfterMs;
  const levels = stopped ? abuseLevels(context, abuse, options.logEnd) : null;

  if (
    abuse !== null &&
    levels !== null &&
    !isFarAboveDailyLevel(levels.afterPerDay, levels.beforePerDay)
  ) {
    return {
      ...ITEM,
      status: "pass",
      detail: `Outbound volume went back to its level before the burst: after the ${abuse.ids.join(" and ")} sending ended at ${context.time(abuse.end)}, the server sent mail to ${plural(levels.afterRecipients, "recipient")} in ${plural(levels.afterHours, "hour")} (${perDay(levels.afterPerDay)} a day), against ${perDay(levels.beforePerDay)} a day before it began. No daily test was possible, because ${tooFew}.`,
    };
  }
  return {
    ...ITEM,
    status: "not-checked",
    detail: `Outbound volume reached ${plural(burst.peak.recipients, "recipient")} on ${utcDate(burst.peak.day)} (UTC) against at most ${burst.earlierMax.toLocaleString("en-US")} on an earlier day, but ${tooFew}; give the rotated logs of the days before (${rotatedLogNames(context.facts.server.mtas)}).`,
  };
}

/**
 * Returns the span from the first to the last abusive message of the `web-script` and
 * `compromised-account` findings, or null when there are none.
 */
function abuseSpan(findings: readonly Finding[]): AbuseSpan | null {
  const ids = new Set<string>();
  const starts: number[] = [];
  const ends: number[] = [];
  for (const finding of findings) {
    const evidence = finding.evidence as Record<string, unknown>;
    const times =
      finding.id === "web-script"
        ? [evidence["start"], evidence["end"]]
        : finding.id === "compromised-account"
          ? [evidence["abuseStart"], evidence["abuseEnd"]]
          : [];
    const [start, end] = times;
    if (typeof start !== "string" || typeof end !== "string") continue;
    ids.add(finding.id);
    starts.push(Date.parse(start));
    ends.push(Date.parse(end));
  }
  if (ids.size === 0) return null;
  return { ids: [...ids], start: Math.min(...starts), end: Math.max(...ends) };
}

/**
 * Measures outbound recipients a day in the hours of the log before the abuse began and in the
 * whole hours after it ended, or returns null when either side has no hour. The hours of the
 * first and last abusive message are left out, because they hold abusive mail.
 *
 * NOTE: both levels are averages over whatever hours of the day each side covers, so a few
 * night hours after the abuse read lower than a whole day would.
 */
function abuseLevels(
  context: DiagnoseContext,
  abuse: AbuseSpan,
  logEnd: number,
): AbuseLevels | null {
  const firstTime = context.facts.firstTime;
  if (firstTime === null) return null;
  const beforeEnd = hourOf(abuse.start);
  const afterStart = hourOf(abuse.end) + HOUR_MS;
  const beforeHours = Math.floor((beforeEnd - hourOf(firstTime)) / HOUR_MS);
  const afterHours = Math.floor((logEnd - afterStart) / HOUR_MS);
  if (beforeHours < 1 || afterHours < 1) return null;

  let before = 0;
  let after = 0;
  for (const [hour, volume] of context.facts.volume.hours) {
    if (hour < beforeEnd) before += volume.recipients;
    if (hour >= afterStart && hour < afterStart + afterHours * HOUR_MS) after += volume.recipients;
  }
  return {
    beforePerDay: (before * DAY_MS) / (beforeHours * HOUR_MS),
    afterRecipients: after,
    afterHours,
    afterPerDay: (after * DAY_MS) / (afterHours * HOUR_MS),
  };
}

function perDay(recipients: number): string {
  return Math.round(recipients).toLocaleString("en-US");
}

/** One whole UTC day of outbound recipients, as `dailyRamp` of the `volume-spike` finding lists it. */
export interface RampDay {
  readonly day: string;
  readonly recipients: number;
}

/**
 * A last day within this factor of the first, up or down, is "close" to it: less than one
 * day's growth of a ramp.
 */
const CLOSE_FACTOR = 1.5;

/**
 * Builds the `volume-normal` item from daily volume that grew fast day after day, the ramp that
 * the `volume-spike` and `new-ip` findings report. The item fails while the last whole day is
 * still far above the first (see `isFarAboveDailyLevel`), because receivers have no history of
 * the new level yet. It also fails while the last whole day is the peak of the ramp and
 * `DAILY_BURST_FACTOR` times the first or more, because the absolute excess of that test is too
 * large for a small server. Otherwise it passes. Returns null for an empty ramp.
 */
export function rampItem(ramp: readonly RampDay[]): ReadinessItem | null {
  const first = ramp[0];
  const last = ramp[ramp.length - 1];
  if (first === undefined || last === undefined) return null;
  const peak = Math.max(...ramp.map((entry) => entry.recipients));
  const growth = `Daily outbound volume grew from ${first.recipients.toLocaleString("en-US")} to ${peak.toLocaleString("en-US")} recipients in ${plural(ramp.length, "UTC day")} (volume-spike)`;
  const lastDay = `${last.day}, the last whole day, sent ${last.recipients.toLocaleString("en-US")}`;
  const stillPeak =
    last.recipients >= peak && last.recipients >= first.recipients * DAILY_BURST_FACTOR;

  if (stillPeak || isFarAboveDailyLevel(last.recipients, first.recipients)) {
    return {
      ...ITEM,
      status: "fail",
      detail: `${growth}, and ${lastDay}. Receivers have no history of this volume yet, so hold it steady and grow it ${WARM_UP_GROWTH_TEXT}, and only while no provider defers mail.`,
    };
  }
  return {
    ...ITEM,
    status: "pass",
    detail: `${growth}, but ${lastDay}, ${comparedWithFirst(last.recipients, first, peak)}.`,
  };
}

/**
 * Compares the last day's `recipients` with the `first` day of a ramp that peaked at `peak`:
 * "close to the 100 of 2024-03-04" only within `CLOSE_FACTOR`, else the difference.
 */
function comparedWithFirst(recipients: number, first: RampDay, peak: number): string {
  const firstText = `the ${first.recipients.toLocaleString("en-US")} of ${first.day}`;
  if (
    recipients * CLOSE_FACTOR >= first.recipients &&
    recipients <= first.recipients * CLOSE_FACTOR
  ) {
    return `close to ${firstText}`;
  }
  if (recipients < first.recipients) {
    return `${plural(first.recipients - recipients, "recipient")} fewer than ${firstText}`;
  }
  const more = `${plural(recipients - first.recipients, "recipient")} more than ${firstText}`;
  return recipients < peak
    ? `down from the peak of ${peak.toLocaleString("en-US")} and ${more}`
    : more;
}
