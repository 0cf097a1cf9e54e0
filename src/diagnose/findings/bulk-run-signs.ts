import type { OriginFacts } from "../../analysis/origins.js";
import { DAY_MS, HOUR_MS, dayOf } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { sameHourLevel } from "./source-bursts.js";

/**
 * Returns the origin's own usual recipients per hour at the time of day of `hour`: the median of
 * that hour on the earlier days that the log covers, as `volume-spike` gives it for the same
 * account or program. Returns null when the log covers no earlier day.
 */
export function ownUsualPerHour(
  context: DiagnoseContext,
  origin: OriginFacts,
  hour: number,
): number | null {
  const coveredFrom = context.facts.firstTime;
  if (coveredFrom === null) return null;
  const values = { get: (at: number) => origin.hourly.get(at)?.recipients };
  const level = sameHourLevel(values, hour, coveredFrom);
  return level === null ? null : Math.round(level);
}

/** Maximum span of one day's sending, from its first to its last hour, in a daily schedule. */
const MAX_DAILY_SPAN_MS = 6 * HOUR_MS;

/** How far each day's first hour may lie from the first day's in a daily schedule. */
const START_TOLERANCE_MS = HOUR_MS;

/**
 * True when the origin sent on 2 or more UTC days, each day within 6 hours. Every day's first
 * hour must also lie within an hour of the first day's, as a cron job's newsletter or report
 * does. A script that sends around the clock is no schedule.
 */
export function followsDailySchedule(origin: OriginFacts): boolean {
  const spans = new Map<number, { first: number; last: number }>();
  for (const [hour, counts] of origin.hourly) {
    if (counts.recipients === 0) continue;
    const day = dayOf(hour);
    const span = spans.get(day);
    if (span === undefined) spans.set(day, { first: hour, last: hour });
    else spans.set(day, { first: Math.min(span.first, hour), last: Math.max(span.last, hour) });
  }
  if (spans.size < 2) return false;
  const startsOfDay = [...spans].map(([day, span]) => span.first - day);
  const firstStart = startsOfDay[0] ?? 0;
  return [...spans.values()].every(
    (span, index) =>
      span.last - span.first <= MAX_DAILY_SPAN_MS &&
      circularDistance(startsOfDay[index] ?? 0, firstStart) <= START_TOLERANCE_MS,
  );
}

function circularDistance(a: number, b: number): number {
  const distance = Math.abs(a - b) % DAY_MS;
  return Math.min(distance, DAY_MS - distance);
}

/**
 * True when no other account, local program or relay client of the log reached `minPerHour`
 * recipients in any hour, so the origin is the log's only bulk sender.
 */
export function isOnlyBulkSender(
  context: DiagnoseContext,
  origin: OriginFacts,
  minPerHour: number,
): boolean {
  const { accounts, localSources, relayClients } = context.facts.origins;
  for (const other of [...accounts.values(), ...localSources.values(), ...relayClients.values()]) {
    if (other === origin) continue;
    for (const counts of other.hourly.values()) {
      if (counts.recipients >= minPerHour) return false;
    }
  }
  return true;
}

/** The operator that rejected or deferred most of an origin's mail, with its share of it. */
export interface BlockingShare {
  /** The operator, as `PROVIDER_OPERATORS` names it (`google`, `yahoo`…). */
  readonly operator: string;
  /** The operator's share of the origin's outbound recipients, from 0 to 1, to 2 decimals. */
  readonly share: number;
}

/**
 * Returns the operator with the most block replies to the origin's mail and that operator's
 * share of its recipients, or null when no receiver blocked its mail.
 */
export function blockingShare(origin: OriginFacts): BlockingShare | null {
  let operator: string | null = null;
  let most = 0;
  for (const [candidate, count] of origin.blockedByOperator) {
    if (count > most) {
      operator = candidate;
      most = count;
    }
  }
  if (operator === null || origin.recipients === 0) return null;
  const recipients = origin.recipientsByOperator.get(operator) ?? 0;
  return { operator, share: Math.round((recipients / origin.recipients) * 100) / 100 };
}
