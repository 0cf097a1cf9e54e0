import { DistinctCounter, type MostlyRepeatedCounter } from "../../analysis/distinct.js";
import { DAY_MS, HOUR_MS, median } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import {
  BURST_MIN_EXCESS,
  EARLIER_DAY_FACTOR,
  earlierDays,
  hasHistoryBefore,
  isBurst,
  toPoints,
} from "../series.js";
import type { HourPoint } from "../series.js";
import { describeOrigin } from "./origin-names.js";

/**
 * A neighbouring hour joins a source's burst while the source sends this many times its usual
 * level at that time of day, and `BURST_MIN_EXCESS / 2` more.
 */
const EDGE_FACTOR = 3;

/**
 * One submitter of outbound mail with its recipients per hour: an SMTP AUTH account, a local
 * program, the client IP address of mail relayed without SMTP AUTH, or an envelope sender.
 */
export interface SendingSource {
  readonly kind: "account" | "local" | "client" | "sender";
  /**
   * The account, program or relay client as `describeOrigin` names it, or the envelope sender.
   */
  readonly name: string;
  readonly points: readonly HourPoint[];
  readonly values: ReadonlyMap<number, number>;
  /** The time of the source's first message in each hour (epoch ms). */
  readonly firstTimes: ReadonlyMap<number, number>;
  /** The distinct envelope senders of each hour, or null for an envelope sender. */
  readonly senders: ReadonlyMap<number, MostlyRepeatedCounter> | null;
}

/** How many distinct envelope senders a source used in some hours. */
export interface SenderCount {
  readonly count: number;
  /**
   * True when `count` is a HyperLogLog estimate (about 1.6 % standard error), which
   * `DistinctCounter` gives past 512 senders.
   */
  readonly estimated: boolean;
}

/** A burst of one source: its hours and its usual level in the peak hour. */
export interface SourceBurst {
  readonly source: SendingSource;
  readonly startHour: number;
  /** Start of the last hour of the burst. */
  readonly endHour: number;
  readonly peak: HourPoint;
  /** The source's recipients in the burst hours. */
  readonly total: number;
  /** The level the peak was measured against, in recipients per hour. */
  readonly usual: number;
}

/**
 * Builds the hourly series of every account and local program, then of every relay client,
 * then of every envelope sender. The series come from counters that the log pass keeps per
 * hour, so building them costs one step per source and hour, not per delivery.
 *
 * `HourVolume.senders` keeps up to 64 envelope senders of each hour, those that send the most,
 * also when they start late in the hour. The series of a sender that sent little in an hour can
 * miss that hour or count less there. A burst spread over many small senders is found by the
 * account, local program or relay client that sent it, whose counters are not capped that way.
 */
export function sendingSources(context: DiagnoseContext): SendingSource[] {
  const sources: SendingSource[] = [];
  const { accounts, localSources, relayClients } = context.facts.origins;
  for (const origin of [...accounts.values(), ...localSources.values(), ...relayClients.values()]) {
    const entries = [...origin.hourly].map(([hour, counts]): HourEntry => [
      hour,
      counts.recipients,
      counts.firstTime,
    ]);
    const senders = new Map([...origin.hourly].map(([hour, counts]) => [hour, counts.senders]));
    sources.push(source(origin.kind, describeOrigin(origin), entries, senders));
  }
  const senders = new Map<string, HourEntry[]>();
  for (const [hour, volume] of context.facts.volume.hours) {
    for (const [sender, counts] of volume.senders) {
      if (sender === null || sender === "") continue;
      let entries = senders.get(sender);
      if (entries === undefined) {
        entries = [];
        senders.set(sender, entries);
      }
      entries.push([hour, counts.recipients, counts.firstTime]);
    }
  }
  for (const [sender, entries] of senders) sources.push(source("sender", sender, entries, null));
  return sources;
}

/**
 * Counts the distinct envelope senders that `source` used from `startHour` to `endHour`, or
 * returns null for an envelope sender.
 */
export function senderCountOf(
  source: SendingSource,
  startHour: number,
  endHour: number,
): SenderCount | null {
  if (source.senders === null) return null;
  const union = new DistinctCounter();
  for (let hour = startHour; hour <= endHour; hour += HOUR_MS) {
    source.senders.get(hour)?.addTo(union);
  }
  return { count: union.size, estimated: !union.isExact };
}

/** The start of an hour, the recipients in it and the time of the first message in it. */
type HourEntry = [number, number, number];

function source(
  kind: SendingSource["kind"],
  name: string,
  entries: HourEntry[],
  senders: SendingSource["senders"],
): SendingSource {
  const sent = entries.filter(([, value]) => value > 0);
  const points = toPoints(sent.map(([hour, value]): [number, number] => [hour, value]));
  return {
    kind,
    name,
    points,
    values: new Map(points.map((point) => [point.hour, point.value])),
    firstTimes: new Map(sent.map(([hour, , firstTime]) => [hour, firstTime])),
    senders,
  };
}

/**
 * Returns the median of `values` in the same hour on each earlier day that the log covers, up
 * to 7 days, or null when it covers none. Absent hours count as 0.
 */
export function sameHourLevel(
  values: ReadonlyMap<number, number>,
  hour: number,
  coveredFrom: number,
): number | null {
  const days = earlierDays(values, { startHour: hour, endHour: hour }, coveredFrom);
  return days.length === 0 ? null : median(days.map((day) => day.total));
}

/**
 * Finds the burst of `source` whose peak is the hour at `index`, or returns null when that hour
 * is no burst. The hour is measured against the source's own level at that time of day (see
 * `sameHourLevel`), so a nightly job of one source does not hide another source's first night
 * burst. A source that sent earlier must also be a burst against the median of its own hours
 * before, so that a weekday rhythm after a weekend stays no burst. A source without enough
 * history (see `hasHistoryBefore`), such as a new account, is measured against the server's
 * level at that time of day (`serverValues`) as well, so that a new sender in a busy office hour
 * is no burst.
 */
export function sourceBurstAt(
  source: SendingSource,
  index: number,
  serverValues: ReadonlyMap<number, number>,
  coveredFrom: number,
): SourceBurst | null {
  const peak = source.points[index];
  if (peak === undefined || peak.value < BURST_MIN_EXCESS) return null;
  // The source's own level is the cheap test, and most hours of a steady sender fail it.
  const own = sameHourLevel(source.values, peak.hour, coveredFrom);
  if (own === null || !isBurst(peak.value, own)) return null;
  const usualAt = (hour: number): number | null =>
    usualLevel(source, hour, serverValues, coveredFrom);
  const usual = usualAt(peak.hour);
  if (usual === null || !isBurst(peak.value, usual)) return null;
  // A daily campaign sent at a different hour each day is far above its level at that time of
  // day, but not above its own hours before.
  if (index > 0) {
    const before = source.points.slice(0, index).map((point) => point.value);
    if (!isBurst(peak.value, median(before))) return null;
  }

  // The burst takes in the neighbouring hours that are far above the source's level at their
  // own time of day, so it starts at the first such hour and not at an ordinary day peak.
  const inBurst = (hour: number): boolean => {
    const level = usualAt(hour) ?? usual;
    const value = source.values.get(hour) ?? 0;
    return value >= Math.max(level * EDGE_FACTOR, level + BURST_MIN_EXCESS / 2);
  };
  let startHour = peak.hour;
  while (inBurst(startHour - HOUR_MS)) startHour -= HOUR_MS;
  let endHour = peak.hour;
  while (inBurst(endHour + HOUR_MS)) endHour += HOUR_MS;

  let total = 0;
  for (let hour = startHour; hour <= endHour; hour += HOUR_MS) {
    total += source.values.get(hour) ?? 0;
  }
  if (!exceedsOwnEarlierDay(source, startHour, endHour, total, coveredFrom)) return null;
  return { source, startHour, endHour, peak, total, usual: Math.round(usual) };
}

/**
 * Returns the level that an hour of `source` is measured against: its own level at that time of
 * day, or the higher server level for a source without history, or null when the log covers no
 * earlier day.
 */
function usualLevel(
  source: SendingSource,
  hour: number,
  serverValues: ReadonlyMap<number, number>,
  coveredFrom: number,
): number | null {
  const own = sameHourLevel(source.values, hour, coveredFrom);
  if (own === null || hasHistoryBefore(source.points, hour)) return own;
  return Math.max(own, sameHourLevel(serverValues, hour, coveredFrom) ?? 0);
}

/**
 * True when the source sent `EARLIER_DAY_FACTOR` times what it sent in the same hours of its
 * busiest earlier day, and `BURST_MIN_EXCESS` more. A burst longer than a day is compared by its
 * first 24 hours.
 */
function exceedsOwnEarlierDay(
  source: SendingSource,
  startHour: number,
  endHour: number,
  total: number,
  coveredFrom: number,
): boolean {
  const comparedEnd = Math.min(endHour, startHour + DAY_MS - HOUR_MS);
  let compared = total;
  if (comparedEnd < endHour) {
    compared = 0;
    for (let hour = startHour; hour <= comparedEnd; hour += HOUR_MS) {
      compared += source.values.get(hour) ?? 0;
    }
  }
  const days = earlierDays(source.values, { startHour, endHour: comparedEnd }, coveredFrom);
  const busiest = Math.max(0, ...days.map((day) => day.total));
  return compared >= busiest * EARLIER_DAY_FACTOR && compared - busiest >= BURST_MIN_EXCESS;
}

/**
 * Returns the first hour from `startHour` to `lastHour` in which `source` sent far more
 * than its own level at that time of day. A burst found in the server's totals then starts
 * where the source's burst does, not at an ordinary day peak before it. Returns the first hour
 * that no earlier day gives a level for, and `lastHour` when no hour before it qualifies.
 */
export function firstSourceBurstHour(
  source: SendingSource,
  startHour: number,
  lastHour: number,
  coveredFrom: number,
): number {
  for (let hour = startHour; hour < lastHour; hour += HOUR_MS) {
    const level = sameHourLevel(source.values, hour, coveredFrom);
    if (level === null) return hour;
    const value = source.values.get(hour) ?? 0;
    if (value >= Math.max(level * EDGE_FACTOR, level + BURST_MIN_EXCESS / 2)) return hour;
  }
  return lastHour;
}

/** Describes the burst level of `lastHourAtBurstLevel` for reports. */
export const BURST_LEVEL_TEXT = `${EDGE_FACTOR} times its usual rate at that time of day, plus ${BURST_MIN_EXCESS / 2} recipients an hour`;

/**
 * Returns the start of the latest hour from `burstStartHour` on in which `source` sent at burst
 * level: `EDGE_FACTOR` times its usual level at that time of day and `BURST_MIN_EXCESS / 2`
 * more, the rule that takes neighbouring hours into a burst. The usual level is the median of
 * that hour on the days before the burst (see `sameHourLevel`), so that a burst of several days
 * is not measured against itself. A level that no earlier day gives counts as 0. Returns null
 * when no hour qualifies, so ordinary mail of the sender after its burst ends nothing later.
 */
export function lastHourAtBurstLevel(
  source: SendingSource,
  burstStartHour: number,
  coveredFrom: number,
): number | null {
  let last: number | null = null;
  for (const point of source.points) {
    if (point.hour < burstStartHour) continue;
    // The same time of day in the burst's first day, whose earlier days all precede the burst.
    const reference = burstStartHour + ((point.hour - burstStartHour) % DAY_MS);
    const level = sameHourLevel(source.values, reference, coveredFrom) ?? 0;
    if (point.value >= Math.max(level * EDGE_FACTOR, level + BURST_MIN_EXCESS / 2)) {
      last = point.hour;
    }
  }
  return last;
}

/**
 * Near the end of the log, a burst's sender still counts as sending while it sends this many
 * times its usual level at that time of day and `STILL_SENDING_EXCESS` more an hour. The bar
 * is lower than burst level, so that a sender who keeps sending several times its usual rate
 * does not pass as stopped.
 */
const STILL_SENDING_FACTOR = 2;
const STILL_SENDING_EXCESS = 5;

/**
 * Returns the start of the latest hour from `fromHour` on in which `source` sent more than
 * `STILL_SENDING_FACTOR` times its usual level at that time of day and `STILL_SENDING_EXCESS`
 * more, or null when no hour did. The usual level is measured as in `lastHourAtBurstLevel`.
 */
export function lastHourStillSending(
  source: SendingSource,
  burstStartHour: number,
  fromHour: number,
  coveredFrom: number,
): number | null {
  let last: number | null = null;
  for (const point of source.points) {
    if (point.hour < fromHour) continue;
    const reference = burstStartHour + ((point.hour - burstStartHour) % DAY_MS);
    const level = sameHourLevel(source.values, reference, coveredFrom) ?? 0;
    if (point.value > level * STILL_SENDING_FACTOR + STILL_SENDING_EXCESS) last = point.hour;
  }
  return last;
}
