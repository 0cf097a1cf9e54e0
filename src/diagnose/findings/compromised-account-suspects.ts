import type { LogFacts } from "../../analysis/analyser.js";
import type { ClientIpUse, OriginFacts } from "../../analysis/origins.js";
import { HOUR_MS, median } from "../../analysis/time.js";
import {
  BURST_MIN_EXCESS,
  findBurst,
  findBurstAbove,
  hasHistoryBefore,
  toPoints,
  type Burst,
  type HourPoint,
} from "../series.js";

/** A burst is tied to a compromise when the account submits from this many new addresses. */
const MIN_NEW_CLIENT_IPS = 2;
/**
 * Without history of its own, every client address of an account counts as new, so an
 * account compared with the other accounts needs more of them, and more accounts to compare
 * with, than one compared with its own past.
 */
const MIN_NEW_CLIENT_IPS_WITHOUT_HISTORY = 3;
const MIN_OTHER_ACCOUNTS = 3;
/**
 * Hours after which an account far above the others since the log's first hour is taken for a
 * steady bulk sender (a CRM on several servers), not an abuse. Without earlier mail the two
 * look the same by volume. A burst that begins later in the log has no such limit.
 */
const MAX_BURST_HOURS_WITHOUT_HISTORY = 12;
/**
 * Client addresses from which such a long burst still counts as an abuse. A bulk sender
 * submits from its few servers; a stolen password is used from a botnet's many addresses.
 * An abuse from fewer addresses that was already running when the log began is missed.
 */
const MIN_CLIENT_IPS_FOR_LONG_BURST = 8;

/** The level a burst was measured against: the account's earlier hours or the other accounts. */
export type BaselineSource = "own-history" | "other-accounts";

/** An account whose burst came from new client addresses. */
export interface Suspect {
  readonly account: OriginFacts;
  readonly burst: Burst;
  readonly baselineSource: BaselineSource;
  readonly newIps: Array<[string, ClientIpUse]>;
}

/**
 * Returns the accounts whose sending burst came from new client addresses, each with the burst
 * and the level it was measured against.
 */
export function findSuspects(facts: LogFacts): Suspect[] {
  const accounts = [...facts.origins.accounts.values()];
  const series = new Map(accounts.map((account) => [account, hourlyRecipients(account)]));
  const accountLevel = usualBusiestHour([...series.values()]);

  const suspects: Suspect[] = [];
  for (const [account, points] of series) {
    const suspect =
      ownHistorySuspect(account, points) ??
      otherAccountsSuspect(account, points, accountLevel, facts.firstTime);
    if (suspect !== null) suspects.push(suspect);
  }
  return suspects;
}

function hourlyRecipients(account: OriginFacts): HourPoint[] {
  return toPoints([...account.hourly].map(([hour, counts]) => [hour, counts.recipients]));
}

/**
 * Returns the median of every account's busiest hour, or null when there are fewer than
 * `MIN_OTHER_ACCOUNTS` other accounts to compare with. The suspect's own hour is included,
 * which can only raise the level.
 */
function usualBusiestHour(series: readonly HourPoint[][]): number | null {
  if (series.length < MIN_OTHER_ACCOUNTS + 1) return null;
  return median(series.map((points) => Math.max(0, ...points.map((point) => point.value))));
}

function ownHistorySuspect(account: OriginFacts, points: readonly HourPoint[]): Suspect | null {
  const burst = findBurst(points);
  if (burst === null) return null;
  const newIps = newClientIps(account, burst);
  if (newIps.length < MIN_NEW_CLIENT_IPS) return null;
  return { account, burst, baselineSource: "own-history", newIps };
}

/**
 * Finds a burst far above the usual busiest hour of the accounts, for an account with too
 * little history before it to measure the burst against its own mail.
 */
function otherAccountsSuspect(
  account: OriginFacts,
  points: readonly HourPoint[],
  accountLevel: number | null,
  logStart: number | null,
): Suspect | null {
  if (accountLevel === null) return null;
  if (account.distinctRecipients.size < BURST_MIN_EXCESS) return null;
  const burst = findBurstAbove(points, accountLevel);
  if (burst === null || hasHistoryBefore(points, burst.startHour)) return null;
  const startsWithLog = logStart === null || burst.startHour <= logStart;
  const burstHours = (burst.endHour - burst.startHour) / HOUR_MS + 1;
  const isLongFromStart = startsWithLog && burstHours > MAX_BURST_HOURS_WITHOUT_HISTORY;
  const newIps = newClientIps(account, burst);
  const minIps = isLongFromStart
    ? MIN_CLIENT_IPS_FOR_LONG_BURST
    : MIN_NEW_CLIENT_IPS_WITHOUT_HISTORY;
  if (newIps.length < minIps) return null;
  return { account, burst, baselineSource: "other-accounts", newIps };
}

/**
 * Client addresses first used by the account in or just before its burst, and used the way
 * the burst was: at least half as many recipients per message as the burst's average. The
 * owner's phone joining during an attack sends a message or two to one person and stays out.
 */
function newClientIps(account: OriginFacts, burst: Burst): Array<[string, ClientIpUse]> {
  const windowStart = burst.startHour - HOUR_MS;
  const windowEnd = burst.endHour + HOUR_MS;
  let messages = 0;
  let recipients = 0;
  for (const point of burst.hours) {
    const hour = account.hourly.get(point.hour);
    messages += hour?.messages ?? 0;
    recipients += hour?.recipients ?? 0;
  }
  const burstAverage = messages > 0 ? recipients / messages : 0;
  return [...account.clientIps].filter(
    ([, use]) =>
      use.firstTime >= windowStart &&
      use.firstTime < windowEnd &&
      use.messages > 0 &&
      use.recipients / use.messages >= burstAverage / 2,
  );
}
