import type { ClientIpUse, OriginFacts } from "../../analysis/origins.js";
import { HOUR_MS } from "../../analysis/time.js";
import type { DiagnoseContext } from "../context.js";
import { findBurst, toPoints, type Burst } from "../series.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural } from "./build.js";

/** A burst is tied to a compromise when the account submits from this many new addresses. */
const MIN_NEW_CLIENT_IPS = 2;

/** An account whose burst came from new client addresses. */
interface Suspect {
  readonly account: OriginFacts;
  readonly burst: Burst;
  readonly newIps: Array<[string, ClientIpUse]>;
}

/**
 * `compromised-account`: an SMTP AUTH account sends far above its own usual hourly volume,
 * from client addresses it had not used before (stolen passwords are used from botnets),
 * to many distinct recipients. A busy account from its usual office address is a campaign,
 * not a compromise, and is left to the volume findings.
 */
export function detectCompromisedAccounts(context: DiagnoseContext): Finding[] {
  const suspects: Suspect[] = [];
  for (const account of context.facts.origins.accounts.values()) {
    const burst = findBurst(toPoints([...account.hourly].map(([hour, h]) => [hour, h.recipients])));
    if (burst === null) continue;
    const newIps = newClientIps(account, burst);
    if (newIps.length >= MIN_NEW_CLIENT_IPS) suspects.push({ account, burst, newIps });
  }
  return suspects
    .sort((a, b) => b.account.recipients - a.account.recipients)
    .map((suspect) => compromisedFinding(context, suspect));
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
    title: `Account ${account.key} looks compromised: ${plural(abusiveMessages, "message")} from ${plural(ips.length, "new address", "new addresses")}`,
    summary:
      `From ${context.time(firstUse[1].firstTime)} the account logged in from ${addressList(ips)} ` +
      `and sent ${plural(abusiveRecipients, "recipient")}, ` +
      `up to ${burst.peak.value.toLocaleString("en-US")} an hour against its usual ${burst.baseline}.`,
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
        `first submission as ${account.key} from ${firstUse[0]}`,
      ),
    ],
    fix: [
      `Change the password of ${account.key} now and end its sessions (for Dovecot: \`doveadm kick ${account.key}\`).`,
      `Delete its spam from the queue: \`postqueue -j\` or \`mailq\`, then \`postsuper -d\` for the ids sent as ${account.key} (Exim: \`exiqgrep -i -f ${account.key} | xargs exim -Mrm\`).`,
      "Block the addresses it logged in from, and limit SMTP AUTH attempts (fail2ban on the submission port).",
      "Add a per-account sending limit (Postfix policyd, Exim ratelimit) so the next stolen password cannot send thousands.",
      "Check the account holder's devices for malware before giving the account back.",
    ],
    references: [REFERENCES.gmailSenderForm],
  });
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
