import type { ClientIpUse, OriginFacts } from "../../analysis/origins.js";
import { HOUR_MS, median } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import {
  BURST_MIN_EXCESS,
  findBurst,
  findBurstAbove,
  hasHistoryBefore,
  toPoints,
  type Burst,
  type HourPoint,
} from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural } from "./build.js";
import { codeSpan, regexLiteral, shellQuote } from "../shell-quote.js";

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
type BaselineSource = "own-history" | "other-accounts";

/** An account whose burst came from new client addresses. */
interface Suspect {
  readonly account: OriginFacts;
  readonly burst: Burst;
  readonly baselineSource: BaselineSource;
  readonly newIps: Array<[string, ClientIpUse]>;
}

/**
 * `compromised-account`: an SMTP AUTH account sends far above its own usual hourly volume,
 * from client addresses it had not used before (stolen passwords are used from botnets),
 * to many distinct recipients. A busy account from its usual office address is a campaign,
 * not a compromise, and is left to the volume findings.
 *
 * A log of a few hours contains too little of an account's own mail for a usual volume, and
 * often only the abuse itself. Such an account is compared with the busiest hours of all
 * accounts instead, and needs more new addresses and `BURST_MIN_EXCESS` distinct recipients.
 */
export function detectCompromisedAccounts(context: DiagnoseContext): Finding[] {
  const accounts = [...context.facts.origins.accounts.values()];
  const series = new Map(accounts.map((account) => [account, hourlyRecipients(account)]));
  const accountLevel = usualBusiestHour([...series.values()]);

  const suspects: Suspect[] = [];
  for (const [account, points] of series) {
    const suspect =
      ownHistorySuspect(account, points) ??
      otherAccountsSuspect(account, points, accountLevel, context.facts.firstTime);
    if (suspect !== null) suspects.push(suspect);
  }
  return suspects
    .sort((a, b) => b.account.recipients - a.account.recipients)
    .map((suspect) => compromisedFinding(context, suspect));
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

function compromisedFinding(context: DiagnoseContext, suspect: Suspect): Finding {
  const { account, burst, newIps } = suspect;
  const firstUse = newIps.reduce((best, entry) =>
    entry[1].firstTime < best[1].firstTime ? entry : best,
  );
  const abusiveMessages = newIps.reduce((sum, [, use]) => sum + use.messages, 0);
  const abusiveRecipients = newIps.reduce((sum, [, use]) => sum + use.recipients, 0);
  const lastUse = Math.max(...newIps.map(([, use]) => use.lastTime));
  const ips = newIps.map(([ip]) => ip).sort();
  const google = account.recipientsByOperator.get("google") ?? 0;
  const logins = mailboxLogins(context, account.key, new Set(ips));

  return finding("compromised-account", {
    severity: "critical",
    role: "cause",
    title: `Account ${account.name} looks compromised: ${plural(abusiveMessages, "message")} from ${plural(ips.length, "new address", "new addresses")}`,
    summary:
      `From ${context.time(firstUse[1].firstTime)} the account logged in from ${addressList(ips)} ` +
      `and sent ${plural(abusiveRecipients, "recipient")}, ` +
      `up to ${burst.peak.value.toLocaleString("en-US")} an hour${baselineEnding(suspect)}`,
    evidence: {
      kind: "sending-burst",
      account: account.key,
      clientIps: ips,
      knownClientIps: [...account.clientIps.keys()].filter((ip) => !ips.includes(ip)).slice(0, 10),
      abuseStart: context.time(firstUse[1].firstTime),
      abuseFirstLine: {
        file: firstUse[1].firstPosition.file,
        line: firstUse[1].firstPosition.line,
      },
      abuseEnd: context.time(lastUse),
      abusiveSubmissions: abusiveMessages,
      abusiveRecipients,
      baselineRecipientsPerHour: burst.baseline,
      baselineSource: suspect.baselineSource,
      peakRecipientsPerHour: burst.peak.value,
      peakHour: context.time(burst.peak.hour),
      distinctRecipients: account.distinctRecipients.size,
      googleShare:
        account.recipients > 0 ? Math.round((google / account.recipients) * 100) / 100 : 0,
      blockedAttempts: account.blockedAttempts,
      mailboxLogins: logins,
    },
    samples: [
      context.sample(
        firstUse[1].firstTime,
        firstUse[1].firstPosition,
        `first submission as ${account.name} from ${firstUse[0]}`,
      ),
    ],
    fix: [
      `Change the password of ${account.name} now and end its sessions (for Dovecot: ${codeSpan(`doveadm kick ${shellQuote(account.name)}`)}).${otherSpellingsNote(account)}`,
      `Delete its spam from the queue: \`postqueue -j\` or \`mailq\`, then \`postsuper -d\` for the ids sent as ${account.name} (Exim: ${codeSpan(`exiqgrep -i -f ${shellQuote(regexLiteral(account.name))} | xargs exim -Mrm`)}).`,
      "Block the addresses it logged in from, and limit SMTP AUTH attempts (fail2ban on the submission port).",
      "Add a per-account sending limit (Postfix policyd, Exim ratelimit) so the next stolen password cannot send thousands.",
      "Check the account holder's devices for malware before giving the account back.",
    ],
    references: [REFERENCES.gmailSenderForm],
  });
}

/**
 * Names the other spellings of the account that the log shows, or returns "" for none. They
 * count as one account, but a server with case-sensitive user names treats them as several.
 */
function otherSpellingsNote(account: OriginFacts): string {
  if (account.otherSpellings.length === 0) return "";
  return ` The log also spells it ${listNames(account.otherSpellings)}: where user names are case-sensitive, those are other accounts, so check each.`;
}

/** Ends the summary sentence with the level the burst was measured against. */
function baselineEnding(suspect: Suspect): string {
  const { baseline } = suspect.burst;
  if (suspect.baselineSource === "own-history") return ` against its usual ${baseline}.`;
  return (
    `. A typical account in this log sent ${plural(baseline, "recipient")} ` +
    `in its busiest hour, and the log holds too little of this account's own mail ` +
    `before the burst to compare with.`
  );
}

function mailboxLogins(
  context: DiagnoseContext,
  account: string,
  ips: ReadonlySet<string>,
): Array<{ ip: string; first: string; count: number }> {
  const uses = context.facts.server.logins.get(account) ?? new Map();
  return [...uses]
    .filter(([ip]) => ips.has(ip))
    .map(([ip, use]) => ({ ip, first: context.time(use.firstTime), count: use.count }));
}

/** Names up to five addresses and counts the rest. */
function addressList(ips: readonly string[]): string {
  if (ips.length <= 5) return listNames(ips);
  return `${ips.slice(0, 5).join(", ")} and ${ips.length - 5} more`;
}
