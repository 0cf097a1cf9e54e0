import type { LogFacts } from "../../analysis/analyser.js";
import type { ClientIpUse, OriginFacts } from "../../analysis/origins.js";
import { HOUR_MS, median } from "../../analysis/time.js";
import {
  BURST_MIN_EXCESS,
  burstTotal,
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

// The thresholds below are for an account without history of its own that the comparison
// with a typical account does not find, as on an office server with two or three mailboxes.
// They are judgement calls, set by reasoning about how people and attackers use an account,
// not measured on a body of real logs.

/**
 * New client addresses that such an account's burst needs. People roam between home, office
 * and phone, and a phone's address may change during a day, so up to four addresses can be
 * one person. A stolen password is usually used from many more.
 */
const MIN_NEW_CLIENT_IPS_ANY_SERVER = 5;
/**
 * Recipients an hour that one person rarely exceeds when writing by hand. The burst's peak
 * is compared with the lower of this and the busiest hour of any other account. So a busy
 * newsletter account elsewhere on the server cannot hide an abuse, and a server with one
 * account still has a level.
 */
const HAND_SENT_RECIPIENTS_PER_HOUR = 20;
/**
 * Recipients that such a burst must reach in all, so that an account on a server whose other
 * accounts hardly send is not called compromised for a few dozen messages.
 */
const MIN_BURST_RECIPIENTS = 200;

/**
 * The level a burst was measured against: the account's earlier hours, the median busiest
 * hour of all accounts, the busiest hour of any other account, or
 * `HAND_SENT_RECIPIENTS_PER_HOUR` when that is lower or there is no other account.
 */
export type Comparison =
  "own-history" | "typical-account" | "busiest-other-account" | "hand-sent-level";

/** An account whose burst came from new client addresses. */
export interface Suspect {
  readonly account: OriginFacts;
  readonly burst: Burst;
  readonly comparison: Comparison;
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
  const busiest = busiestTwo(series);

  const suspects: Suspect[] = [];
  for (const [account, points] of series) {
    const otherBusiest = busiest.first?.account === account ? busiest.second : busiest.first;
    const suspect =
      ownHistorySuspect(account, points) ??
      otherAccountsSuspect(account, points, accountLevel, facts.firstTime) ??
      busiestOtherSuspect(account, points, otherBusiest?.peak ?? null, facts.firstTime);
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
  return { account, burst, comparison: "own-history", newIps };
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
  const newIps = newClientIps(account, burst);
  if (newIps.length < minNewClientIps(burst, logStart, MIN_NEW_CLIENT_IPS_WITHOUT_HISTORY)) {
    return null;
  }
  return { account, burst, comparison: "typical-account", newIps };
}

/**
 * Finds a burst far above the busiest hour of every other account, or above
 * `HAND_SENT_RECIPIENTS_PER_HOUR` when that is lower, for an account with too little history
 * of its own. This works with any number of accounts, including one. One other account gives a
 * weaker usual level than the median of many, so this path needs more new addresses than the
 * others and at least `MIN_BURST_RECIPIENTS` in the burst.
 */
function busiestOtherSuspect(
  account: OriginFacts,
  points: readonly HourPoint[],
  otherBusiest: number | null,
  logStart: number | null,
): Suspect | null {
  if (account.distinctRecipients.size < BURST_MIN_EXCESS) return null;
  const isHandSentLevel = otherBusiest === null || otherBusiest > HAND_SENT_RECIPIENTS_PER_HOUR;
  const level = isHandSentLevel ? HAND_SENT_RECIPIENTS_PER_HOUR : otherBusiest;
  const burst = findBurstAbove(points, level);
  if (burst === null || hasHistoryBefore(points, burst.startHour)) return null;
  if (burstTotal(burst) < MIN_BURST_RECIPIENTS) return null;

  const newIps = newClientIps(account, burst);
  if (newIps.length < minNewClientIps(burst, logStart, MIN_NEW_CLIENT_IPS_ANY_SERVER)) {
    return null;
  }
  const comparison = isHandSentLevel ? "hand-sent-level" : "busiest-other-account";
  return { account, burst, comparison, newIps };
}

/**
 * Returns the new client addresses a burst without the account's own history needs: `usual`,
 * or `MIN_CLIENT_IPS_FOR_LONG_BURST` for a burst that was already running when the log began
 * and lasts more than `MAX_BURST_HOURS_WITHOUT_HISTORY`.
 */
function minNewClientIps(burst: Burst, logStart: number | null, usual: number): number {
  const startsWithLog = logStart === null || burst.startHour <= logStart;
  const burstHours = (burst.endHour - burst.startHour) / HOUR_MS + 1;
  const isLongFromStart = startsWithLog && burstHours > MAX_BURST_HOURS_WITHOUT_HISTORY;
  return isLongFromStart ? Math.max(usual, MIN_CLIENT_IPS_FOR_LONG_BURST) : usual;
}

/** An account and the recipients of its busiest hour. */
interface BusiestHour {
  readonly account: OriginFacts;
  readonly peak: number;
}

/**
 * Returns the two accounts with the busiest hours, so that each account can be compared with
 * the busiest of the others without a pass over all of them.
 */
function busiestTwo(series: ReadonlyMap<OriginFacts, readonly HourPoint[]>): {
  first: BusiestHour | null;
  second: BusiestHour | null;
} {
  let first: BusiestHour | null = null;
  let second: BusiestHour | null = null;
  for (const [account, points] of series) {
    const peak = Math.max(0, ...points.map((point) => point.value));
    if (first === null || peak > first.peak) {
      second = first;
      first = { account, peak };
    } else if (second === null || peak > second.peak) {
      second = { account, peak };
    }
  }
  return { first, second };
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
