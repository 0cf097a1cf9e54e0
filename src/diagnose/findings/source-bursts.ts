import { DistinctCounter } from "../../analysis/distinct.js";
import type { HourSenders } from "../../analysis/origin-hours.js";
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
import type { HourPoint, HourValues } from "../series.js";
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
  /** The hours with recipients, in time order. */
  readonly points: readonly HourPoint[];
  /** The largest value of `points`, or 0 for a source without recipients. */
  readonly maxValue: number;
  /** Recipients by the start of each hour with recipients. */
  readonly values: HourValues;
  /** The time of the source's first message in each hour with recipients (epoch ms). */
  readonly firstTimes: HourValues;
  /** The distinct envelope senders of each hour, or null for an envelope sender. */
  readonly senders: Pick<ReadonlyMap<number, HourSenders>, "get"> | null;
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
 * Returns the hourly series of every account and local program, then of every relay client,
 * then of every envelope sender. The series come from counters that the log pass keeps per
 * hour, so building them costs one step per source and hour, not per delivery.
 *
 * The series of an account, a local program or a relay client reads the hourly counters of
 * the log pass in place, and builds its `points` only when a caller reads them. Built in
 * advance, the series of a log with 1,000 to 50,000 accounts and 200,000 messages took 70 to
 * 80 MB of heap, although only sources with a busy hour are searched for bursts.
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
    sources.push(new CountedSource(origin.kind, describeOrigin(origin), origin.hourly));
  }
  sources.push(...envelopeSenderSources(context));
  return sources;
}

/** Returns the hourly series of every envelope sender that the hourly tables of senders kept. */
export function envelopeSenderSources(context: DiagnoseContext): SendingSource[] {
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
  const sources: SendingSource[] = [];
  for (const [sender, entries] of senders) sources.push(senderSource(sender, entries));
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

function senderSource(name: string, entries: HourEntry[]): SendingSource {
  const sent = entries.filter(([, value]) => value > 0);
  const points = toPoints(sent.map(([hour, value]): [number, number] => [hour, value]));
  return {
    kind: "sender",
    name,
    points,
    maxValue: points.reduce((max, point) => Math.max(max, point.value), 0),
    values: new Map(points.map((point) => [point.hour, point.value])),
    firstTimes: new Map(sent.map(([hour, , firstTime]) => [hour, firstTime])),
    senders: null,
  };
}

/** The counters of one hour of an account, a local program or a relay client. */
interface CountedHour {
  readonly recipients: number;
  readonly firstTime: number;
  readonly senders: HourSenders;
}

type CountedHours = ReadonlyMap<number, CountedHour>;

/**
 * The series of an account, a local program or a relay client, read from its hourly counters.
 * An hour without recipients, such as one whose messages all wait for their first attempt, is
 * no hour of the series.
 */
class CountedSource implements SendingSource {
  private sortedPoints: HourPoint[] | null = null;

  constructor(
    readonly kind: "account" | "local" | "client",
    readonly name: string,
    private readonly hourly: CountedHours,
  ) {}

  get points(): readonly HourPoint[] {
    if (this.sortedPoints === null) {
      const counted: Array<[number, number]> = [];
      for (const [hour, counts] of this.hourly) {
        if (counts.recipients > 0) counted.push([hour, counts.recipients]);
      }
      this.sortedPoints = toPoints(counted);
    }
    return this.sortedPoints;
  }

  get maxValue(): number {
    let max = 0;
    for (const counts of this.hourly.values()) max = Math.max(max, counts.recipients);
    return max;
  }

  get values(): HourValues {
    return new HourRecipients(this.hourly);
  }

  get firstTimes(): HourValues {
    return new HourFirstTimes(this.hourly);
  }

  get senders(): Pick<ReadonlyMap<number, HourSenders>, "get"> {
    return new HourSenderCounters(this.hourly);
  }
}

// Every hour of `CountedHours` by its counter of distinct envelope senders.
class HourSenderCounters implements Pick<ReadonlyMap<number, HourSenders>, "get"> {
  constructor(private readonly hourly: CountedHours) {}

  get(hour: number): HourSenders | undefined {
    return this.hourly.get(hour)?.senders;
  }
}

// The hours of `CountedHours` with recipients, by their recipients.
class HourRecipients implements HourValues {
  constructor(private readonly hourly: CountedHours) {}

  get(hour: number): number | undefined {
    const recipients = this.hourly.get(hour)?.recipients;
    return recipients === 0 ? undefined : recipients;
  }
}

// The hours of `CountedHours` with recipients, by the time of their first message.
class HourFirstTimes implements HourValues {
  constructor(private readonly hourly: CountedHours) {}

  get(hour: number): number | undefined {
    const counts = this.hourly.get(hour);
    return counts === undefined || counts.recipients === 0 ? undefined : counts.firstTime;
  }
}

/**
 * Returns the median of `values` in the same hour on each earlier day that the log covers, up
 * to 7 days, or null when it covers none. Absent hours count as 0.
 */
export function sameHourLevel(
  values: HourValues,
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

/** One hour of a source's sending, with its usual level at that time of day. */
export interface SendingHour {
  /** Start of the hour (epoch ms). */
  readonly hour: number;
  readonly recipients: number;
  /** The usual recipients of that hour (see `sameHourLevel`), 0 when no earlier day gives it. */
  readonly usual: number;
}

/**
 * Returns the latest hour from `burstStartHour` on in which `source` sent at burst level:
 * `EDGE_FACTOR` times its usual level at that time of day and `BURST_MIN_EXCESS / 2` more, the
 * rule that takes neighbouring hours into a burst. The usual level is the median of that hour on
 * the days before the burst (see `sameHourLevel`), so that a burst of several days is not
 * measured against itself. A level that no earlier day gives counts as 0. Returns null when no
 * hour qualifies, so ordinary mail of the sender after its burst ends nothing later.
 */
export function lastHourAtBurstLevel(
  source: SendingSource,
  burstStartHour: number,
  coveredFrom: number,
): SendingHour | null {
  return lastHourAbove(
    source,
    burstStartHour,
    burstStartHour,
    coveredFrom,
    (value, level) => value >= Math.max(level * EDGE_FACTOR, level + BURST_MIN_EXCESS / 2),
  );
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
 * Returns the latest hour from `fromHour` on in which `source` sent more than
 * `STILL_SENDING_FACTOR` times its usual level at that time of day and `STILL_SENDING_EXCESS`
 * more, or null when no hour did. The usual level is measured as in `lastHourAtBurstLevel`.
 */
export function lastHourStillSending(
  source: SendingSource,
  burstStartHour: number,
  fromHour: number,
  coveredFrom: number,
): SendingHour | null {
  return lastHourAbove(
    source,
    burstStartHour,
    fromHour,
    coveredFrom,
    (value, level) => value > level * STILL_SENDING_FACTOR + STILL_SENDING_EXCESS,
  );
}

/**
 * Returns the latest hour from `fromHour` on whose recipients pass `isAbove` against the
 * source's usual level at that time of day, or null when no hour does. The usual level is taken
 * at the same time of day in the burst's first day, whose earlier days all precede the burst.
 */
function lastHourAbove(
  source: SendingSource,
  burstStartHour: number,
  fromHour: number,
  coveredFrom: number,
  isAbove: (value: number, level: number) => boolean,
): SendingHour | null {
  let last: SendingHour | null = null;
  for (const point of source.points) {
    if (point.hour < fromHour) continue;
    const reference = burstStartHour + ((point.hour - burstStartHour) % DAY_MS);
    const level = sameHourLevel(source.values, reference, coveredFrom) ?? 0;
    if (isAbove(point.value, level)) {
      last = { hour: point.hour, recipients: point.value, usual: level };
    }
  }
  return last;
}
