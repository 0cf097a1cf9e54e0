import type { OriginFacts } from "../../analysis/origins.js";
import { DAY_MS, dayOf, HOUR_MS } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { burstTotal, type Burst } from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { findDailyBurst, utcDate, type DailyBurst } from "./daily-burst.js";
import { burstOrigins, burstSenders } from "./burst-origins.js";
import { describeOrigin } from "./origin-names.js";
import { firstBlockTime, outboundBursts, type OutboundBurst } from "./outbound-bursts.js";
import { lastMessageOf, senderEntry, senderText, type SenderEntry } from "./sender-names.js";
import {
  lastHourAtBurstLevel,
  lastHourStillSending,
  envelopeSenderSources,
  type SendingHour,
  type SendingSource,
} from "./source-bursts.js";
import { STOPPED_AFTER_MS } from "../suspect-sending.js";
import { lastAcceptedDay, warmUpStep } from "./warm-up-pace.js";

/** Day-over-day growth that counts as a ramp, and how many such days in a row. */
export const RAMP_FACTOR = 1.5;
const RAMP_DAYS = 3;

/**
 * `volume-spike`: outbound recipients in some hours far above the server's usual hourly
 * level and far above the same hours of an earlier day (see `outboundBursts`), in some days far
 * above the busiest day of the week before (see `findDailyBurst`), or daily volume that keeps
 * growing fast. Receivers throttle a sudden change in volume even from a clean sender.
 * The finding leads with the hourly burst that began before the first block reply (see
 * `leadBurst`) and lists every burst in `evidence.bursts`, each with its own sender.
 */
export function detectVolumeSpike(context: DiagnoseContext): Finding | null {
  const found = outboundBursts(context);
  const senders = found.length === 0 ? new Map<string, SendingSource>() : senderSources(context);
  const bursts = found.map((burst) => describeBurst(context, burst, senders));
  const ramp = dailyRamp(context);
  if (bursts.length === 0) {
    const daily = findDailyBurst(context);
    if (daily !== null) return dailyBurstFinding(context, daily, ramp);
    return ramp === null ? null : rampFinding(context, ramp);
  }

  const blockStart = firstBlockTime(context);
  const lead = leadBurst(bursts, blockStart);
  const { burst, total, messages, sender, start, senderEnd } = lead;
  const others = bursts.filter((entry) => entry !== lead);
  return finding("volume-spike", {
    severity: "warning",
    role: "contributing",
    title: hourlyBurstTitle(burst),
    summary:
      leadSentences(context, lead) +
      ` ${sourceSentence(mainSubmitter(lead), total)}` +
      usualOfAccountSentence(lead.burst.source) +
      sendersOfSourceSentence(lead.burst.source) +
      startedBlockSentence(context, lead, blockStart) +
      others.map((entry) => otherBurstSentence(context, entry)).join(""),
    evidence: {
      scope: "outbound recipients per hour",
      start: context.time(start),
      end: context.time(burst.endHour + HOUR_MS),
      baselineRecipientsPerHour: burst.baseline,
      baselineSource: burst.baselineSource,
      peakRecipientsPerHour: burst.peak.value,
      peakHour: context.time(burst.peak.hour),
      messages,
      recipients: total,
      earlierDayStart: context.time(burst.earlierDay.startHour),
      earlierDayEnd: context.time(earlierDayEnd(burst)),
      earlierDayRecipients: burst.earlierDay.total,
      topSenders: topSenders(context, burst, burstSenders(context, burst)),
      burstSender: sender === null ? null : senderText(sender),
      burstSenderLastMessage: lastMessageOf(context, sender),
      ...senderEndEvidence(context, senderEnd),
      burstAccount: burstAccount(burst),
      burstClient: burstClient(burst),
      burstSourceSenders: burst.source?.senders ?? null,
      topOrigins: lead.origins,
      bursts: bursts.map((entry) => burstEvidence(context, entry, entry === lead, blockStart)),
      dailyRamp: ramp,
    },
    fix: BURST_FIXES,
    references: [REFERENCES.gmailGuidelines],
  });
}

/**
 * Builds the title of an hourly burst. A burst that only one source's own hours show is measured
 * by that source's peak and usual level. The server's level at that time of day can contain
 * another source's nightly job, which would make the burst look like a mere doubling.
 */
function hourlyBurstTitle(burst: OutboundBurst): string {
  const source = burst.source;
  if (burst.baselineSource === "same-hours-earlier-days" && source !== null) {
    return `Outbound volume of ${source.name} ${riseText(source.usual, source.peak, "hour", "its usual")}`;
  }
  return `Outbound volume ${riseText(burst.baseline, burst.peak.value, "hour", "the usual")}`;
}

/**
 * Describes a rise from `usual` to `peak` recipients per `unit` as a multiple of `usualName`,
 * or as a rise from 0 when the usual level is 0, which no multiple can express.
 */
function riseText(usual: number, peak: number, unit: "hour" | "day", usualName: string): string {
  const peakText = `${peak.toLocaleString("en-US")} recipients a${unit === "hour" ? "n" : ""} ${unit}`;
  if (usual === 0) return `rose from 0 to ${peakText}`;
  const times = Math.round(peak / Math.max(usual, 1));
  return `jumped to ${peakText}, ${times.toLocaleString("en-US")} times ${usualName}`;
}

/** An hourly burst with the counts and names that the finding reports for it. */
interface DescribedBurst {
  readonly burst: OutboundBurst;
  /** Recipients of each envelope sender in the burst hours, the largest first. */
  readonly totals: Array<[string | null, number]>;
  /** The burst's source, then submitters above their earlier days (see `burstOrigins`). */
  readonly origins: Array<{ name: string; recipients: number }>;
  readonly total: number;
  /** Outbound messages that entered the queue in the burst hours, of any sender. */
  readonly messages: number;
  /** The envelope sender of at least half of the recipients, or null (see `burstSender`). */
  readonly sender: string | null;
  /** When the burst began (epoch ms, see `burstStart`). */
  readonly start: number;
  /** The end of `sender`'s sending and the later mail that set it (see `senderSendingEnd`). */
  readonly senderEnd: SenderSendingEnd;
}

/** The end of a burst's envelope sender's sending, and the later mail that set it. */
interface SenderSendingEnd {
  /** The end (epoch ms, see `senderSendingEnd`), or null without a sender. */
  readonly until: number | null;
  /**
   * The sender's latest hour at burst level, or the later hour near the log's end that still
   * counts as sending (see `lastHourStillSending`), or null when no hour of its own shows it.
   */
  readonly lastHighHour: SendingHour | null;
  /**
   * The latest message of the sender that got a block reply, when it came after the burst's
   * hours at burst level (epoch ms), else null.
   */
  readonly lastBlockedMessage: number | null;
}

function describeBurst(
  context: DiagnoseContext,
  burst: OutboundBurst,
  senders: ReadonlyMap<string, SendingSource>,
): DescribedBurst {
  const totals = senderTotals(context, burst);
  const total = burstTotal(burst);
  const sender = burstSender(totals, total);
  return {
    burst,
    totals,
    origins: burstOrigins(context, burst),
    total,
    messages: burst.hours.reduce(
      (sum, point) => sum + (context.facts.volume.hours.get(point.hour)?.messages ?? 0),
      0,
    ),
    sender,
    start: burst.source?.firstTime ?? burstStart(context, burst, sender),
    senderEnd: senderSendingEnd(context, burst, sender, senders),
  };
}

/** Returns the hourly series of each envelope sender, by sender (see `envelopeSenderSources`). */
function senderSources(context: DiagnoseContext): Map<string, SendingSource> {
  const sources = envelopeSenderSources(context);
  return new Map(sources.map((source) => [source.name, source]));
}

/**
 * Finds until when the burst's envelope sender kept sending: the end of its latest hour at
 * burst level from the burst's start on (see `lastHourAtBurstLevel`), or its latest message
 * when that came earlier. Two kinds of later mail extend that end, because they show that the
 * sending went on. One is an hour above 2 times its usual rate and 5 more that reaches into
 * the last `STOPPED_AFTER_MS` of the log (see `lastHourStillSending`). The other is a later message that
 * got a block reply. A sender whose hours never reach burst level, as when the hourly counters
 * kept too little of it, ends with the burst. The end is null without a sender. Other later mail
 * of the sender does not count, so an account's owner who goes on sending ordinary mail does
 * not keep the burst open.
 */
function senderSendingEnd(
  context: DiagnoseContext,
  burst: OutboundBurst,
  sender: string | null,
  senders: ReadonlyMap<string, SendingSource>,
): SenderSendingEnd {
  const firstTime = context.facts.firstTime;
  if (sender === null || firstTime === null) {
    return { until: null, lastHighHour: null, lastBlockedMessage: null };
  }
  const source = senders.get(sender);
  let lastHighHour =
    source === undefined ? null : lastHourAtBurstLevel(source, burst.startHour, firstTime);
  const logEnd = context.facts.lastTime;
  let end = (lastHighHour?.hour ?? burst.endHour) + HOUR_MS;
  const burstLevelEnd = end;
  if (source !== undefined && logEnd !== null) {
    const nearEndFrom = Math.max(end, logEnd - STOPPED_AFTER_MS - HOUR_MS);
    const stillSending = lastHourStillSending(source, burst.startHour, nearEndFrom, firstTime);
    if (stillSending !== null && stillSending.hour + HOUR_MS > end) {
      end = stillSending.hour + HOUR_MS;
      lastHighHour = stillSending;
    }
  }
  const counts = context.facts.unknownRecipients.bySender.get(sender);
  const lastMessage = counts?.lastMessageTime ?? null;
  const lastBlocked = counts?.lastBlockedMessageTime ?? null;
  if (lastBlocked !== null && lastBlocked >= end) end = lastBlocked;
  // The hour's end can fall after the log's last line, which no sending can pass.
  return {
    until: Math.min(end, lastMessage ?? end, logEnd ?? end),
    lastHighHour,
    lastBlockedMessage: lastBlocked !== null && lastBlocked >= burstLevelEnd ? lastBlocked : null,
  };
}

/**
 * Builds the evidence fields of a burst sender's end: `burstSenderAboveUsualUntil`, and the
 * hour and the blocked message behind it.
 */
function senderEndEvidence(
  context: DiagnoseContext,
  end: SenderSendingEnd,
): Record<string, unknown> {
  const hour = end.lastHighHour;
  return {
    burstSenderAboveUsualUntil: context.timeOrNull(end.until),
    burstSenderLastHighHour:
      hour === null
        ? null
        : {
            start: context.time(hour.hour),
            recipients: hour.recipients,
            usualRecipients: hour.usual,
          },
    burstSenderLastBlockedMessage: context.timeOrNull(end.lastBlockedMessage),
  };
}

/**
 * Returns the burst that the finding leads with: the latest burst that began at or before the
 * first block reply of any provider (`blockStart`), because that burst most likely started the
 * block. Without a block, or when every burst began after it, it is the burst with the highest
 * hour. `bursts` is in time order and not empty.
 */
function leadBurst(bursts: readonly DescribedBurst[], blockStart: number | null): DescribedBurst {
  const before = bursts.filter((entry) => blockStart !== null && entry.start <= blockStart);
  const starter = before[before.length - 1];
  if (starter !== undefined) return starter;
  return bursts.reduce((best, entry) =>
    entry.burst.peak.value > best.burst.peak.value ? entry : best,
  );
}

/**
 * Describes the lead burst's whole span (start, end, messages and recipients), its usual
 * level and the earlier day it was compared with. For a burst longer than a day that was
 * compared by its first 24 hours, the comparison names those hours and their recipients.
 */
function leadSentences(context: DiagnoseContext, lead: DescribedBurst): string {
  const { burst, total, messages, start } = lead;
  const span =
    `From ${context.time(start)} to ${context.time(burst.endHour + HOUR_MS)} the server sent ` +
    `${plural(messages, "message")} to ${plural(total, "recipient")} in ${plural(burst.hours.length, "hour")}.`;
  const usual =
    burst.baselineSource === "same-hours-earlier-days"
      ? ` At that time of day the usual level was ${burst.baseline} an hour.`
      : ` The usual level before was ${burst.baseline} an hour.`;
  const earlierDate = context.time(burst.earlierDay.startHour).slice(0, 10);
  const earlier = plural(burst.earlierDay.total, "recipient");
  if (burst.comparedEndHour === burst.endHour && burst.endHour - burst.startHour < DAY_MS) {
    const hours = burst.hours.length === 1 ? "hour" : "hours";
    return `${span}${usual} The same ${hours} on ${earlierDate} sent mail to ${earlier}.`;
  }
  if (burst.comparedEndHour === burst.endHour) {
    const window = `from ${context.time(burst.earlierDay.startHour)} to ${context.time(earlierDayEnd(burst))}`;
    return `${span}${usual} The same hours ${window} sent mail to ${earlier}.`;
  }
  const compared = burst.hours.filter((point) => point.hour <= burst.comparedEndHour);
  const comparedTotal = compared.reduce((sum, point) => sum + point.value, 0);
  return (
    `${span}${usual} Its first 24 hours, to ${context.time(burst.comparedEndHour + HOUR_MS)}, ` +
    `sent mail to ${plural(comparedTotal, "recipient")}, against ${earlier} in the same hours on ${earlierDate}.`
  );
}

/** Returns the end of the last hour on the earlier day that the burst was compared with. */
function earlierDayEnd(burst: OutboundBurst): number {
  return burst.earlierDay.startHour + (burst.comparedEndHour - burst.startHour) + HOUR_MS;
}

function beganBeforeBlock(entry: DescribedBurst, blockStart: number | null): boolean {
  return blockStart !== null && entry.start <= blockStart;
}

/** Says that the lead burst began before the first block reply, or "" when it did not. */
function startedBlockSentence(
  context: DiagnoseContext,
  lead: DescribedBurst,
  blockStart: number | null,
): string {
  if (blockStart === null || !beganBeforeBlock(lead, blockStart)) return "";
  return ` It began before the first block reply in the log, at ${context.time(blockStart)}.`;
}

/**
 * Returns the SASL account or local program of the burst (see `OutboundBurst.source`), as
 * `describeOrigin` names it, or null when the burst has none.
 */
function burstAccount(burst: OutboundBurst): string | null {
  const source = burst.source;
  if (source === null || source.kind === "sender" || source.kind === "client") return null;
  return source.name;
}

/**
 * Returns the relay client of the burst (see `OutboundBurst.source`), as `describeOrigin`
 * names it, or null when the burst's source is no relay client.
 */
function burstClient(burst: OutboundBurst): string | null {
  const source = burst.source;
  return source?.kind === "client" ? source.name : null;
}

/**
 * Returns the submitter that the summary names: the burst's relay client, whose mail no account
 * or local program sent, or else the first of `origins` (see `burstOrigins`).
 */
function mainSubmitter(entry: DescribedBurst): { name: string; recipients: number } | undefined {
  const source = entry.burst.source;
  if (source?.kind === "client") return { name: source.name, recipients: source.recipients };
  return entry.origins[0];
}

/**
 * Says how many envelope senders the burst's account, local program or relay client used, or
 * returns "" when it used one or the burst has none.
 */
function sendersOfSourceSentence(source: OutboundBurst["source"]): string {
  const senders = source?.senders;
  if (source === null || senders === null || senders === undefined || senders.count < 2) {
    return "";
  }
  const count = senders.count.toLocaleString("en-US");
  if (senders.estimated) {
    return ` ${source.name} used about ${count} envelope senders in the burst hours (an estimate).`;
  }
  return ` ${source.name} used ${count} envelope senders in the burst hours.`;
}

/**
 * Says how many recipients an hour the burst's account or local program usually sends at that
 * time of day, or returns "" when the burst has none.
 */
function usualOfAccountSentence(source: OutboundBurst["source"]): string {
  if (source === null || source.kind === "sender") return "";
  const usual = plural(source.usual, "recipient");
  return ` At that time of day ${source.name} usually sends mail to ${usual} an hour.`;
}

/** Describes a burst other than the lead one: its start, size and sender. */
function otherBurstSentence(context: DiagnoseContext, entry: DescribedBurst): string {
  const hours = plural(entry.burst.hours.length, "hour");
  return (
    ` Another burst began at ${context.time(entry.start)}, with ${plural(entry.total, "recipient")} in ${hours}.` +
    ` ${sourceSentence(mainSubmitter(entry), entry.total)}`
  );
}

/** Builds the entry of one burst in `evidence.bursts`. */
function burstEvidence(
  context: DiagnoseContext,
  entry: DescribedBurst,
  lead: boolean,
  blockStart: number | null,
): Record<string, unknown> {
  const { burst, sender } = entry;
  return {
    start: context.time(entry.start),
    end: context.time(burst.endHour + HOUR_MS),
    messages: entry.messages,
    recipients: entry.total,
    peakRecipientsPerHour: burst.peak.value,
    peakHour: context.time(burst.peak.hour),
    burstSender: sender === null ? null : senderText(sender),
    burstSenderLastMessage: lastMessageOf(context, sender),
    ...senderEndEvidence(context, entry.senderEnd),
    burstAccount: burstAccount(burst),
    burstClient: burstClient(burst),
    burstSourceSenders: burst.source?.senders ?? null,
    lead,
    beforeFirstBlock: beganBeforeBlock(entry, blockStart),
  };
}

/**
 * The step for a burst that was not intended. `withFindingReferences` names the findings of
 * abuse in it when the report contains any.
 */
export const ABUSE_STEP =
  "If it was not, treat it as abuse and stop it: lock the account, remove the script or block the client that sent it.";

const BURST_FIXES = [
  "Find out whether the burst was intended: the top senders and origins in its evidence sent most of it.",
  ABUSE_STEP,
  "If it was a campaign, send it in smaller batches spread over days, to opted-in recipients only, and grow volume gradually.",
];

/**
 * Builds the finding for a burst that only the daily volume shows: its busiest hours stayed
 * below the hourly test, because the mail was spread over day and night.
 */
function dailyBurstFinding(
  context: DiagnoseContext,
  burst: DailyBurst,
  ramp: Array<{ day: string; recipients: number }> | null,
): Finding {
  const total = burst.days.reduce((sum, entry) => sum + entry.recipients, 0);
  const origins = topOrigins(context, burst);
  const perDay = burst.days.map((entry) => entry.recipients.toLocaleString("en-US")).join(", ");
  const first = burst.days[0]?.day ?? burst.peak.day;
  const last = burst.days[burst.days.length - 1]?.day ?? burst.peak.day;
  return finding("volume-spike", {
    severity: "warning",
    role: "contributing",
    title: `Outbound volume ${riseText(burst.baseline, burst.peak.recipients, "day", "the usual")}`,
    summary:
      `From ${utcDate(first)} the server sent mail to ${plural(total, "recipient")} in ${plural(burst.days.length, "UTC day")} (${perDay}), ` +
      `while the busiest of the ${plural(burst.earlierDays, "whole day")} before sent ${burst.baseline.toLocaleString("en-US")}. ` +
      `No single hour stood out, because the mail was spread over day and night. ${sourceSentence(origins[0], total)}`,
    evidence: {
      scope: "outbound recipients per day",
      start: context.time(first),
      end: context.time(last + DAY_MS),
      baselineRecipientsPerDay: burst.baseline,
      peakRecipientsPerDay: burst.peak.recipients,
      peakDay: utcDate(burst.peak.day),
      recipients: total,
      dailyRecipients: burst.days.map((entry) => ({
        day: utcDate(entry.day),
        recipients: entry.recipients,
      })),
      topSenders: topSenders(context, burst, senderTotals(context, burst)),
      topOrigins: origins,
      dailyRamp: ramp,
    },
    fix: BURST_FIXES,
    references: [REFERENCES.gmailGuidelines],
  });
}

/** Outbound recipients per UTC day, in time order. */
export function dailyRecipients(
  context: DiagnoseContext,
): Array<{ day: number; recipients: number }> {
  const days = new Map<number, number>();
  for (const [hour, volume] of context.facts.volume.hours) {
    const day = dayOf(hour);
    days.set(day, (days.get(day) ?? 0) + volume.recipients);
  }
  return [...days].sort((a, b) => a[0] - b[0]).map(([day, recipients]) => ({ day, recipients }));
}

/**
 * Returns the daily series when it grows by `RAMP_FACTOR` or more on `RAMP_DAYS` days in a
 * row (a new sender warming up too fast), else null. Partial first and last days are left
 * out because they would look like growth or decline.
 */
export function dailyRamp(
  context: DiagnoseContext,
): Array<{ day: string; recipients: number }> | null {
  const days = dailyRecipients(context);
  const first = context.facts.firstTime;
  const last = context.facts.lastTime;
  const whole = days.filter(
    (entry) =>
      first !== null &&
      last !== null &&
      entry.day >= dayOf(first) &&
      entry.day + DAY_MS <= last + HOUR_MS,
  );
  let run = 0;
  let best = 0;
  for (let i = 1; i < whole.length; i++) {
    const previous = whole[i - 1]?.recipients ?? 0;
    const current = whole[i]?.recipients ?? 0;
    run = previous > 0 && current >= previous * RAMP_FACTOR ? run + 1 : 0;
    best = Math.max(best, run);
  }
  if (best < RAMP_DAYS) return null;
  return whole.map((entry) => ({
    day: context.time(entry.day).slice(0, 10),
    recipients: entry.recipients,
  }));
}

function rampFinding(
  context: DiagnoseContext,
  ramp: Array<{ day: string; recipients: number }>,
): Finding {
  const firstDay = ramp[0];
  const peak = Math.max(...ramp.map((entry) => entry.recipients));
  return finding("volume-spike", {
    severity: "warning",
    role: "contributing",
    title: `Daily outbound volume grew from ${(firstDay?.recipients ?? 0).toLocaleString("en-US")} to ${peak.toLocaleString("en-US")} recipients in ${ramp.length} days`,
    summary: `Volume grew by half or more on ${RAMP_DAYS} or more days in a row; receivers throttle senders whose volume changes quickly.`,
    evidence: { scope: "outbound recipients per day", dailyRamp: ramp },
    fix: [
      warmUpStep(
        "Grow volume more slowly",
        "hold it at the level of the last day",
        lastAcceptedDay(context),
      ),
      "Send first to the recipients who engage most, and stop on the first deferrals instead of retrying harder.",
    ],
    references: [REFERENCES.gmailGuidelines],
  });
}

/**
 * Returns when the burst began: the first message of `sender` in the burst's first hour. Without
 * such a sender, or when it sent nothing in that hour, it is the first message of that hour,
 * which can be ordinary mail sent before the burst.
 *
 * NOTE: a sender that lost its place in the hour's table and took it again has its first message
 * since then (see `SenderHour.firstTime`), so the start can be late.
 */
function burstStart(context: DiagnoseContext, burst: Burst, sender: string | null): number {
  const hour = context.facts.volume.hours.get(burst.startHour);
  if (hour === undefined) return burst.startHour;
  if (sender === null) return hour.firstTime;
  return hour.senders.get(sender)?.firstTime ?? hour.firstTime;
}

/**
 * Returns the envelope sender that sent at least half of the burst's `total` recipients, or
 * null when no sender did or the log does not show it. `totals` is sorted, the largest first.
 */
function burstSender(totals: ReadonlyArray<[string | null, number]>, total: number): string | null {
  const [top] = totals;
  if (top === undefined || top[0] === null) return null;
  return top[1] * 2 >= total ? top[0] : null;
}

/** Recipients of each envelope sender in the burst hours, the largest first. */
function senderTotals(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours">,
): Array<[string | null, number]> {
  const totals = new Map<string | null, number>();
  for (const point of burst.hours) {
    for (const [sender, counts] of context.facts.volume.hours.get(point.hour)?.senders ?? []) {
      totals.set(sender, (totals.get(sender) ?? 0) + counts.recipients);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Builds the evidence entries of the first 5 of `totals`. The counts are the recipients that the
 * hourly tables of senders certainly saw, never their Space-Saving estimates, so that evidence
 * claims no mail that the log does not show. An entry whose count may be too low gets
 * `atLeast: true` (see `isExactTotal`).
 *
 * A sender whose count is not above `maxDroppedTotal` is left out. Senders that the tables
 * dropped may have sent as much, so such an entry is whichever of many equal senders the
 * tables happened to keep, and listing it as a top sender would mislead. The tables count
 * neither the senders they drop nor their recipients, so they cannot state how many senders
 * sent that little either.
 */
function topSenders(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours">,
  totals: ReadonlyArray<[string | null, number]>,
): TopSender[] {
  const dropped = maxDroppedTotal(context, burst);
  return totals
    .filter(([, recipients]) => recipients > dropped)
    .slice(0, 5)
    .map(([sender, recipients]): TopSender => {
      const entry = { ...senderEntry(sender), recipients };
      return isExactTotal(context, burst, sender) ? entry : { ...entry, atLeast: true };
    });
}

/**
 * Returns the maximum recipients in the burst hours of a sender that no hourly table kept: the
 * sum of each hour's `HourSenders.maxMissingRecipients`, which is 0 for an hour that replaced
 * no sender.
 */
function maxDroppedTotal(context: DiagnoseContext, burst: Pick<Burst, "hours">): number {
  let total = 0;
  for (const point of burst.hours) {
    total += context.facts.volume.hours.get(point.hour)?.senders.maxMissingRecipients ?? 0;
  }
  return total;
}

/** An envelope sender with its recipients in the burst hours; `atLeast` marks a lower bound. */
type TopSender = SenderEntry & { recipients: number; atLeast?: true };

/**
 * True when the recipients of `sender` in the burst hours are exactly counted. An hour's count
 * of a sender that replaced another is a lower bound. So is the 0 of a sender missing from an
 * hour in which some sender was replaced, because it may have held a place there and lost it.
 */
function isExactTotal(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours">,
  sender: string | null,
): boolean {
  return burst.hours.every((point) => {
    const senders = context.facts.volume.hours.get(point.hour)?.senders;
    if (senders === undefined) return true;
    const counts = senders.get(sender);
    return counts === undefined ? senders.isExact : counts.overcount === 0;
  });
}

/** Accounts and local programs with the most recipients in the burst hours. */
export function topOrigins(
  context: DiagnoseContext,
  burst: Pick<Burst, "hours">,
): Array<{ name: string; recipients: number }> {
  const origins: OriginFacts[] = [
    ...context.facts.origins.accounts.values(),
    ...context.facts.origins.localSources.values(),
  ];
  return origins
    .map((origin) => ({
      name: describeOrigin(origin),
      recipients: burst.hours.reduce(
        (sum, point) => sum + (origin.hourly.get(point.hour)?.recipients ?? 0),
        0,
      ),
    }))
    .filter((entry) => entry.recipients > 0)
    .sort((a, b) => b.recipients - a.recipients)
    .slice(0, 5);
}

/** Says who sent the burst, as far as the log shows it. */
function sourceSentence(
  top: { name: string; recipients: number } | undefined,
  total: number,
): string {
  if (top === undefined || top.recipients < total / 10) {
    return "Most of it came from no account or local program: relayed, forwarded or bounce mail.";
  }
  const share = `${top.recipients.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`;
  if (top.recipients >= total / 2) return `Most came from ${top.name} (${share}).`;
  return `The largest part came from ${top.name} (${share}).`;
}
