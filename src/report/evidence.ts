import { earliestReply } from "../diagnose/findings/replies.js";
import type { ReplyEvidence } from "../diagnose/types.js";
import { PROVIDER_NAMES, type ProviderId } from "../knowledge/providers.js";
import { bracketedToken } from "../reply/tokens.js";
import { count, shortTime } from "./wrap.js";

/**
 * Labels of the evidence keys that the text and Markdown reports show, in display order.
 * Keys not listed here appear in the JSON output only.
 */
const LABELS: ReadonlyArray<readonly [string, string]> = [
  ["account", "Account"],
  ["clientIps", "New client IPs"],
  ["clientNetworks", "Their networks"],
  ["knownClientIps", "Usual client IPs"],
  ["abuseStart", "Abuse started"],
  ["abuseEnd", "Last abusive submission"],
  ["abusiveSubmissions", "Abusive submissions"],
  ["abusiveRecipients", "Their recipients"],
  ["mailboxLogins", "Mailbox logins from them"],
  ["failedLogins", "Failed logins"],
  ["failureAddresses", "From addresses"],
  ["firstFailure", "First failure"],
  ["lastFailure", "Last failure"],
  ["peakFailuresPerHour", "Peak failures per hour"],
  ["topAddresses", "Top addresses"],
  ["failureAccounts", "Distinct accounts tried"],
  ["accountsTried", "Accounts tried"],
  ["guessedLogins", "Logins after failures"],
  ["relayClient", "Relay client"],
  ["script", "Script"],
  ["workingDirectory", "Directory"],
  ["command", "Command"],
  ["localUser", "Unix user"],
  ["uid", "uid"],
  ["start", "Started"],
  ["messages", "Messages"],
  ["recipients", "Recipients"],
  ["scope", "Measured"],
  ["usualRecipientsPerHour", "Usual per hour at that time of day"],
  ["baselineRecipientsPerHour", "Usual per hour"],
  ["peakRecipientsPerHour", "Peak per hour"],
  ["peakHour", "Peak hour"],
  ["peakRecipientsPerDay", "Peak per day"],
  ["topSenders", "Top senders"],
  ["topOrigins", "Sent by"],
  ["dailyRamp", "Per day"],
  ["blockingShare", "Share to the blocking provider"],
  ["googleShare", "Share to Google"],
  ["blockedAttemptsByOperator", "Rejected or deferred by"],
  ["forwardedMessages", "Forwarded messages"],
  ["aliases", "Aliases"],
  ["srs", "SRS"],
  ["count", "Unknown recipients"],
  ["rate", "Share of attempts"],
  ["senders", "Senders"],
  ["failingDomains", "Failing domains"],
  ["passingDomains", "Passing domains"],
  ["dkimSigning", "DKIM signing"],
  ["spf", "SPF"],
  ["dkim", "DKIM"],
  ["ips", "IPs"],
  ["lists", "Lists"],
  ["since", "Since"],
  ["lastOutboundTls", "Last outbound TLS"],
  ["reloadBeforeRejections", "MTA reload before"],
  ["ip", "IP"],
  ["firstSeen", "First seen"],
  ["oldIp", "Old IP"],
  ["newIp", "New IP"],
  ["providers", "Replies"],
  ["repeatedRecipients", "Dead addresses mailed again"],
  ["repeatedAttempts", "Messages to them"],
  ["firstRepeat", "First repeat"],
  ["firewallConnections", "Firewall-logged connections"],
  ["mtaAttempts", "MTA attempts meanwhile"],
  ["bypassConnections", "Not made by the MTA"],
  ["blockedConnections", "Blocked by the firewall"],
  ["connectionsOutsideMailLog", "Outside the mail log's time"],
  ["peakBypassPer10Minutes", "Peak per 10 minutes"],
  ["peakStart", "Peak from"],
  ["origins", "Opened by"],
];

/**
 * Returns `label: value` lines for the evidence keys the reports show. The password guessing
 * that a `compromised-account` finding contains (`passwordGuessing`) follows its own lines.
 */
export function evidenceLines(evidence: object): Array<[string, string]> {
  const record = evidence as Record<string, unknown>;
  const lines: Array<[string, string]> = [];
  for (const [key, label] of LABELS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (key === "providers") {
      lines.push(...providerLines(value as Record<string, ProviderSummary>));
      continue;
    }
    if (key === "count" && record["attempted"] === undefined) continue;
    if (key === "blockingShare") {
      lines.push(blockingShareLine(value as { operator: string; share: number }));
      continue;
    }
    // The share of the provider that blocks replaces Google's, which would point elsewhere.
    if (key === "googleShare" && isObject(record["blockingShare"])) continue;
    if (key === "ip" && sameAsOnlyIp(value, record["ips"])) continue;
    if (key === "blockedAttemptsByOperator") {
      const text = operatorCounts(value as Record<string, number>);
      if (text !== "") lines.push([label, text]);
      continue;
    }
    if (key === "dkimSigning") {
      const text = dkimLine(value as Record<string, DkimSummary>);
      if (text !== "") lines.push([label, text]);
      continue;
    }
    const text = Array.isArray(value)
      ? formatList(value, listTotal(key, record))
      : formatValue(key, value);
    if (text !== "") lines.push([labelOf(key, label, record), text]);
  }
  const guessing = record["passwordGuessing"];
  if (typeof guessing === "object" && guessing !== null) lines.push(...evidenceLines(guessing));
  return lines;
}

/** True when the `ips` list contains `ip` alone, so that an "IP" line would repeat "IPs". */
function sameAsOnlyIp(ip: unknown, ips: unknown): boolean {
  return Array.isArray(ips) && ips.length === 1 && ips[0] === ip;
}

// An account without a history of its own is compared with a level from outside its own mail,
// which is not its own usual level. A volume-spike burst of one sender behind a busier hour is
// compared with the same hour of the earlier days.
const BASELINE_LABELS: Readonly<Record<string, string>> = {
  "other-accounts": "Typical account's peak",
  "busiest-other-account": "Busiest other account's peak",
  "hand-sent-level": "Hand-sent level per hour",
  "same-hours-earlier-days": "Usual per hour at that time of day",
  "other-local-programs": "Other local programs per hour",
  "other-relay-clients": "Other relay clients per hour",
};

// A `compromised-account` warning may be a sending service's pool, so its burst is not called
// abuse. Only the CRITICAL finding, whose `clientSpread` is `spread`, keeps the labels above.
const POOL_LABELS: Readonly<Record<string, string>> = {
  abuseStart: "Burst started",
  abuseEnd: "Last burst submission",
  abusiveSubmissions: "Submissions from new IPs",
};

function labelOf(key: string, label: string, record: Record<string, unknown>): string {
  const spread = record["clientSpread"];
  const poolLabel =
    typeof spread === "string" && spread !== "spread" ? POOL_LABELS[key] : undefined;
  if (poolLabel !== undefined) return poolLabel;
  if (key === "accountsTried" && record["accountsTriedExact"] === false) {
    return "Accounts tried (at least)";
  }
  if (key === "failureAccounts" && record["failureAccountsExact"] === false) {
    return "Distinct accounts tried (estimate)";
  }
  if (key !== "baselineRecipientsPerHour") return label;
  const source = record["baselineSource"];
  return (typeof source === "string" ? BASELINE_LABELS[source] : undefined) ?? label;
}

// The companies behind providers, as `PROVIDER_OPERATORS` names them.
const OPERATOR_NAMES: Readonly<Record<string, string>> = {
  google: "Google",
  microsoft: "Microsoft",
  yahoo: "Yahoo/AOL",
  apple: "Apple",
  comcast: "Comcast",
  "united-internet": "GMX/WEB.DE",
  vk: "Mail.ru",
  yandex: "Yandex",
  orange: "Orange",
  mailchannels: "MailChannels",
  telekom: "Deutsche Telekom",
  "relay-host": "the relay host",
  other: "other receivers",
};

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}

// `Share to Yahoo/AOL: 89 %`, the provider that blocked most of a program's mail
function blockingShareLine(value: { operator: string; share: number }): [string, string] {
  return [`Share to ${OPERATOR_NAMES[value.operator] ?? value.operator}`, percent(value.share)];
}

// `Google 80, Microsoft 3`, busiest first
function operatorCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([operator, n]) => `${OPERATOR_NAMES[operator] ?? operator} ${count(n)}`)
    .join(", ");
}

interface DkimSummary {
  signed: number;
  unsigned: number;
}

// `tidewell.example 525 signed, wrenfield.example.net 225 not signed`
function dkimLine(domains: Record<string, DkimSummary>): string {
  return Object.entries(domains)
    .slice(0, 6)
    .map(([domain, counts]) => {
      const parts: string[] = [];
      if (counts.signed > 0) parts.push(`${count(counts.signed)} signed`);
      if (counts.unsigned > 0) parts.push(`${count(counts.unsigned)} not signed`);
      return `${domain} ${parts.join(" and ")}`;
    })
    .join(", ");
}

interface ProviderSummary {
  name?: string;
  count?: number;
  sessionCount?: number;
  codes?: Record<string, number>;
  tokens?: string[];
  first?: ReplyEvidence | null;
  firstSession?: ReplyEvidence | null;
}

function providerLines(providers: Record<string, ProviderSummary>): Array<[string, string]> {
  return Object.entries(providers).map(([id, summary]) => {
    const name = summary.name ?? PROVIDER_NAMES[id as ProviderId] ?? id;
    const codes = codeCounts(summary.codes ?? {}, summary.tokens ?? []);
    const first = earliestReply({
      first: summary.first ?? null,
      firstSession: summary.firstSession ?? null,
    });
    const where =
      first === null ? "" : `, first ${shortTime(first.time)} (${first.file}:${first.line})`;
    const replies = replyCounts(summary.count ?? 0, summary.sessionCount ?? 0);
    return [name, `${replies}${codes === "" ? "" : ` (${codes})`}${where}`];
  });
}

/**
 * Formats up to three reply codes with their counts, such as "421 4.7.0 [TSS04] ×102". The
 * evidence does not pair tokens with codes, so a single token goes after a single code, and
 * several tokens follow the codes: "421 4.7.0 ×50, 553 5.7.2 ×40, tokens [TSS04] [TSS09]".
 */
function codeCounts(codes: Record<string, number>, tokens: readonly string[]): string {
  const entries = Object.entries(codes).slice(0, 3);
  const written = tokens.map(bracketedToken);
  const [onlyToken] = written;
  if (entries.length === 1 && written.length === 1 && onlyToken !== undefined) {
    return entries.map(([code, n]) => `${code} ${onlyToken} ×${count(n)}`).join("");
  }
  const counts = entries.map(([code, n]) => `${code} ×${count(n)}`);
  if (written.length > 0)
    counts.push(`${written.length === 1 ? "token" : "tokens"} ${written.join(" ")}`);
  return counts.join(", ");
}

// `80 replies`, `3 replies to whole sessions`, or `1,417 replies to recipients and 108 to
// whole sessions`, so that the recipients' count can be compared with the provider table's.
function replyCounts(recipientLevel: number, sessionLevel: number): string {
  const noun = (n: number): string => (n === 1 ? "reply" : "replies");
  if (sessionLevel === 0) return `${count(recipientLevel)} ${noun(recipientLevel)}`;
  const sessions = sessionLevel === 1 ? "a whole session" : "whole sessions";
  if (recipientLevel === 0) return `${count(sessionLevel)} ${noun(sessionLevel)} to ${sessions}`;
  const recipients =
    recipientLevel === 1
      ? "1 reply to a recipient"
      : `${count(recipientLevel)} replies to recipients`;
  return `${recipients} and ${count(sessionLevel)} to ${sessions}`;
}

function formatValue(key: string, value: unknown): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number" && key === "uid") return String(value);
  if (typeof value === "number")
    return key.toLowerCase().endsWith("share") || key === "rate" ? percent(value) : count(value);
  if (typeof value === "string") return /^\d{4}-\d\d-\d\dT/.test(value) ? shortTime(value) : value;
  if (Array.isArray(value)) return formatList(value);
  if (typeof value === "object" && value !== null)
    return formatObject(value as Record<string, unknown>);
  return "";
}

/**
 * Formats a fraction as a percentage with enough digits to tell it from zero: `90 %`,
 * `2.5 %`, `0.11 %`, and `< 0.01 %` for a positive share too small for two decimals.
 */
export function percent(fraction: number): string {
  const value = fraction * 100;
  if (value === 0 || value >= 10) return `${Math.round(value)} %`;
  if (value >= 1) return `${Number(value.toFixed(1))} %`;
  if (value < 0.005) return "< 0.01 %";
  return `${Number(value.toFixed(2))} %`;
}

/**
 * The evidence keys of lists that show the top few of a longer list, each with the keys of
 * that list's length and of its exactness flag.
 */
const LIST_TOTALS: Readonly<Record<string, readonly [string, string]>> = {
  topAddresses: ["failureAddresses", "failureAddressesExact"],
  accountsTried: ["failureAccounts", "failureAccountsExact"],
};

/**
 * Returns the length of the whole list of which the list under `key` shows the first few, with
 * "about " when that length is an estimate, or undefined when the list is whole.
 */
function listTotal(key: string, record: Record<string, unknown>): ListTotal | undefined {
  const keys = LIST_TOTALS[key];
  if (keys === undefined) return undefined;
  const [totalKey, exactKey] = keys;
  const total = record[totalKey];
  if (typeof total !== "number") return undefined;
  return { count: total, about: record[exactKey] === false ? "about " : "" };
}

/** The length of the whole list that a shortened evidence list was taken from. */
interface ListTotal {
  readonly count: number;
  readonly about: string;
}

/**
 * Lists the first 8 values and counts the rest: the rest of `total` when the list is the top
 * few of a longer one, else the rest of `values`.
 */
function formatList(values: unknown[], total?: ListTotal): string {
  const shown = values.slice(0, 8).map((item) => {
    if (typeof item !== "object" || item === null) return String(item);
    const entry = item as Record<string, unknown>;
    const name =
      typeof entry["account"] === "string" && typeof entry["ip"] === "string"
        ? `${entry["account"]} from ${entry["ip"]}`
        : (entry["sender"] ??
          entry["name"] ??
          entry["domain"] ??
          entry["account"] ??
          entry["ip"] ??
          entry["day"]);
    if (typeof entry["unknown"] === "number" && typeof entry["recipients"] === "number") {
      return `${String(name)} (${count(entry["unknown"])} unknown of ${count(entry["recipients"])})`;
    }
    const number =
      entry["recipients"] ??
      entry["rejections"] ??
      entry["count"] ??
      entry["failures"] ??
      entry["connections"];
    if (number === undefined) return String(name);
    // A count that may be too low, such as a sender's recipients in the hourly tables of senders.
    const atLeast = entry["atLeast"] === true ? "at least " : "";
    return `${String(name)} (${atLeast}${count(Number(number))})`;
  });
  const rest = Math.max(total?.count ?? 0, values.length) - shown.length;
  const more = rest > 0 ? `, and ${total?.about ?? ""}${count(rest)} more` : "";
  return shown.join(", ") + more;
}

function formatObject(value: Record<string, unknown>): string {
  if (typeof value["time"] === "string" && typeof value["line"] === "number") {
    return `${shortTime(value["time"])} (${String(value["file"])}:${value["line"]})`;
  }
  const entries = Object.entries(value).slice(0, 6);
  return entries
    .map(([key, item]) =>
      typeof item === "string" ? `${key} → ${item}` : `${key}: ${String(item)}`,
    )
    .join(", ");
}
