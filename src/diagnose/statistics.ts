import type { LogFacts } from "../analysis/analyser.js";
import type { OriginFacts } from "../analysis/origins.js";
import { dayOf } from "../analysis/time.js";
import { providerRowName } from "../analysis/providers.js";
import type { ProviderKey } from "../knowledge/providers.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
import { describeOrigin } from "./findings/origin-names.js";
import { frozenReport, type FrozenReport } from "./frozen.js";
import { queueSpaceReport, type QueueSpaceReport } from "./queue-space.js";
import { recipientDomainsReport, type RecipientDomainsReport } from "./recipient-domains.js";
import type { InputReport, ServerReport } from "./types.js";
import {
  localFailureReport,
  undeliveredReport,
  type LocalFailureReport,
  type UndeliveredReport,
} from "./undelivered.js";

/** Statistics of a log run for `delist logs`: counts and top lists, without verdicts or findings. */
export interface LogStatistics {
  readonly schemaVersion: 1;
  readonly input: InputReport;
  readonly server: ServerReport;
  readonly providers: Partial<Record<ProviderKey, ProviderStatistics>>;
  /** Deferrals of remote deliveries in all provider rows. */
  readonly deferralTotals: DeferralTotals;
  /** Delivery results of the busiest recipient domains, across all provider rows. */
  readonly recipientDomains: RecipientDomainsReport;
  readonly days: readonly DayStatistics[];
  readonly accounts: readonly OriginStatistics[];
  /** Totals over every account of the run, including those past the 20 in `accounts`. */
  readonly accountTotals: OriginTotals;
  readonly localSources: readonly OriginStatistics[];
  readonly localSourceTotals: OriginTotals;
  /** SMTP clients that relayed outbound mail without SMTP AUTH, keyed by IP address. */
  readonly relayClients: readonly OriginStatistics[];
  readonly inbound: InboundStatistics;
  /** Recipients that this server deferred or bounced on its own, without trying any receiver. */
  readonly undeliveredByServer: UndeliveredReport;
  /** Messages that the MTA froze in its queue, and those still frozen at the end of the log. */
  readonly frozenMessages: FrozenReport;
  /** Lines that show the queue file system short of free space, or null when there is none. */
  readonly queueSpace: QueueSpaceReport | null;
  readonly forwardedMessages: number;
  readonly outboundTlsSessions: number;
  readonly lifecycle: ReadonlyArray<{
    time: string;
    action: string;
    mta: string;
    version: string | null;
  }>;
}

export interface ProviderStatistics {
  readonly name: string;
  /** The relay host of a relay host's row (see `ProviderVerdict.relayHost`), else null. */
  readonly relayHost: string | null;
  readonly attempts: number;
  /** Distinct recipient addresses: exact up to 512, then an estimate (`recipientsEstimated`). */
  readonly recipients: number;
  readonly recipientsEstimated: boolean;
  readonly sent: number;
  readonly deferred: number;
  readonly deferredRecipients: number;
  /** Distinct messages with at least one recipient whose first deferral counted in this row. */
  readonly deferredMessages: number;
  /** Of `deferred`, those made without trying the provider, which are not in `attempts`. */
  readonly suspendedDeferrals: number;
  readonly bounced: number;
  readonly expired: number;
  /** Attempts that ended in a connection failure, which carry no reply code. */
  readonly connectionFailures: number;
  readonly codes: Readonly<Record<string, number>>;
}

/** Deferrals of all provider rows together. */
export interface DeferralTotals {
  /** Deferral lines, every retry counted, as the rows' `deferred` count them. */
  readonly deferred: number;
  /** Message and recipient pairs deferred at least once, each counted once. */
  readonly deferredRecipients: number;
  /** Messages with at least one deferred recipient, each counted once. */
  readonly deferredMessages: number;
}

export interface DayStatistics {
  readonly day: string;
  readonly messages: number;
  readonly recipients: number;
}

export interface OriginStatistics {
  readonly name: string;
  readonly kind: OriginFacts["kind"];
  /** The SASL user name, the local user or script, or a relay client's IP address. */
  readonly key: string;
  /** A relay client's logged host name, or null when the log gives none. Only relay clients have it. */
  readonly clientHost?: string | null;
  readonly messages: number;
  readonly recipients: number;
  /** Distinct recipient addresses of `recipients`: exact up to 512, then an estimate. */
  readonly distinctRecipients: number;
  readonly distinctRecipientsEstimated: boolean;
  readonly clientIps: number;
  readonly sent: number;
  readonly deferred: number;
  readonly bounced: number;
  /** Attempts rejected or deferred for a sender-side reason (a block signal). */
  readonly blockedAttempts: number;
  /**
   * Recipients that no attempt delivered: rejected, expired, or still deferred at the end of the
   * log. Unlike `blockedAttempts`, it counts each recipient once and whatever the reply.
   */
  readonly undeliveredRecipients: number;
  readonly first: string;
  readonly last: string;
  /**
   * True when the origin was dropped to bound memory and sent again, so that its counts start
   * at its return and miss its earlier messages.
   */
  readonly earlierMessagesDropped: boolean;
}

/** Counts summed over every account or every local program, listed or not. */
export interface OriginTotals {
  /** Number of accounts or local programs. */
  readonly count: number;
  readonly messages: number;
  readonly recipients: number;
}

export interface InboundStatistics {
  readonly messagesAccepted: number;
  /** Recipients delivered to a mailbox on this server. */
  readonly localDeliveries: number;
  /** Recipients handed to a content filter or another MTA on this host. */
  readonly filterHops: number;
  /** Recipients that an alias or `.forward` sent on as a new message. */
  readonly localForwards: number;
  /** Recipients thrown away on purpose by the MTA (Postfix `discard` transport). */
  readonly discarded: number;
  /**
   * Deferrals and bounces of deliveries to mailboxes and programs on this server, and of
   * hand-offs to a content filter on it.
   */
  readonly localDeliveryFailures: LocalFailureReport;
  /** Bounces that this server's own rules decided on purpose, such as an Exim `:fail:` alias. */
  readonly localPolicyRejections: UndeliveredReport;
  readonly rejects: number;
  /** Rejects with a 4xx reply code. Rejects whose code was not found are in neither class. */
  readonly temporaryRejects: number;
  /** Rejects with a 5xx reply code. */
  readonly permanentRejects: number;
  readonly rejectCodes: Readonly<Record<string, number>>;
  /** Rejects that `warn_if_reject` only logged (`reject_warning`), which are not in `rejects`. */
  readonly rejectWarnings: number;
  readonly authFailures: number;
  readonly authFailureIps: Readonly<Record<string, number>>;
}

/** How many accounts, local programs and relay clients the statistics list. */
const TOP = 20;

/** Summarises the facts of a log run for `delist logs`. */
export function buildStatistics(
  facts: LogFacts,
  input: InputReport,
  server: ServerReport,
  timeZone: TimeZone,
): LogStatistics {
  const time = (epochMs: number): string => formatInstant(epochMs, timeZone);
  return {
    schemaVersion: 1,
    input,
    server,
    providers: Object.fromEntries(
      [...facts.providers.values()]
        .sort((a, b) => b.attempts - a.attempts)
        .map((p) => [
          p.key,
          {
            name: providerRowName(p),
            relayHost: p.relayHost,
            attempts: p.attempts,
            recipients: p.recipients.size,
            recipientsEstimated: !p.recipients.isExact,
            sent: p.sent,
            deferred: p.deferred,
            deferredRecipients: p.deferredRecipients,
            deferredMessages: p.deferredMessages,
            suspendedDeferrals: p.suspendedDeferrals,
            bounced: p.bounced,
            expired: p.expired,
            connectionFailures: p.connectionFailures,
            codes: Object.fromEntries([...p.codes].sort((a, b) => b[1] - a[1])),
          },
        ]),
    ),
    deferralTotals: deferralTotals(facts),
    recipientDomains: recipientDomainsReport(facts.recipientDomains),
    days: days(facts, time),
    accounts: topOrigins(facts.origins.accounts.values(), time),
    accountTotals: originTotals(facts.origins.accounts.values()),
    localSources: topOrigins(facts.origins.localSources.values(), time),
    localSourceTotals: originTotals(facts.origins.localSources.values()),
    relayClients: topOrigins(facts.origins.relayClients.values(), time),
    inbound: {
      messagesAccepted: facts.server.messagesAccepted,
      localDeliveries: facts.server.localDeliveries,
      filterHops: facts.server.filterHops,
      localForwards: facts.server.localForwards,
      discarded: facts.server.discarded,
      localDeliveryFailures: localFailureReport(facts.server.localDeliveryFailures, time),
      localPolicyRejections: undeliveredReport(facts.server.localPolicyRejections, time),
      rejects: facts.server.inboundRejects,
      temporaryRejects: facts.server.temporaryRejects,
      permanentRejects: facts.server.permanentRejects,
      rejectCodes: top(facts.server.rejectCodes, 10),
      rejectWarnings: facts.server.rejectWarnings,
      authFailures: facts.server.authFailures,
      authFailureIps: top(facts.server.authFailureIps, 10),
    },
    undeliveredByServer: undeliveredReport(facts.server.undeliveredByServer, time),
    frozenMessages: frozenReport(facts.frozen, time),
    queueSpace: queueSpaceReport(facts.queueSpace, time, facts.lastTime),
    forwardedMessages: facts.forwarding.messages,
    outboundTlsSessions: [...facts.server.outboundTlsByHour.values()].reduce((a, b) => a + b, 0),
    lifecycle: facts.server.lifecycle.map((event) => ({
      time: time(event.time),
      action: event.action,
      mta: event.mta,
      version: event.version,
    })),
  };
}

/**
 * Adds up the deferrals of all rows. A message and recipient pair counts in `deferredRecipients`
 * of the first row that deferred it only, so the sum counts each pair once.
 */
function deferralTotals(facts: LogFacts): DeferralTotals {
  let deferred = 0;
  let deferredRecipients = 0;
  for (const row of facts.providers.values()) {
    deferred += row.deferred;
    deferredRecipients += row.deferredRecipients;
  }
  return { deferred, deferredRecipients, deferredMessages: facts.deferredMessages };
}

function days(facts: LogFacts, time: (epochMs: number) => string): DayStatistics[] {
  const byDay = new Map<number, { messages: number; recipients: number }>();
  for (const [hour, volume] of facts.volume.hours) {
    const day = dayOf(hour);
    const total = byDay.get(day) ?? { messages: 0, recipients: 0 };
    total.messages += volume.messages;
    total.recipients += volume.recipients;
    byDay.set(day, total);
  }
  return [...byDay]
    .sort((a, b) => a[0] - b[0])
    .map(([day, total]) => ({ day: time(day).slice(0, 10), ...total }));
}

function topOrigins(
  origins: Iterable<OriginFacts>,
  time: (epochMs: number) => string,
): OriginStatistics[] {
  return [...origins]
    .sort((a, b) => b.recipients - a.recipients || b.messages - a.messages)
    .slice(0, TOP)
    .map((origin) => ({
      name: describeOrigin(origin),
      kind: origin.kind,
      key: origin.key,
      ...(origin.kind === "client" ? { clientHost: origin.clientHost } : {}),
      messages: origin.messages,
      recipients: origin.recipients,
      distinctRecipients: Math.min(origin.distinctRecipients.size, origin.recipients),
      distinctRecipientsEstimated: !origin.distinctRecipients.isExact,
      clientIps: origin.clientIps.size,
      sent: origin.sent,
      deferred: origin.deferred,
      bounced: origin.bounced,
      blockedAttempts: origin.blockedAttempts,
      undeliveredRecipients: undeliveredRecipients(origin),
      first: time(origin.firstTime),
      last: time(origin.lastTime),
      earlierMessagesDropped: origin.earlierMessagesDropped,
    }));
}

function originTotals(origins: Iterable<OriginFacts>): OriginTotals {
  let originCount = 0;
  let messages = 0;
  let recipients = 0;
  for (const origin of origins) {
    originCount += 1;
    messages += origin.messages;
    recipients += origin.recipients;
  }
  return { count: originCount, messages, recipients };
}

/**
 * Counts the recipients of an origin that no attempt delivered. A recipient counts in
 * `recipients` at the first attempt the log shows and in `sent` at the attempt that delivered
 * it, so the difference is the recipients never delivered. The floor of zero only guards
 * against a parser that marks no first attempt for a delivered recipient.
 */
function undeliveredRecipients(origin: OriginFacts): number {
  return Math.max(0, origin.recipients - origin.sent);
}

function top(counts: ReadonlyMap<string, number>, limit: number): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, limit));
}
