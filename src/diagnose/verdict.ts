import {
  OUTAGE_MIN_FAILURES,
  providerRowName,
  type ConnectionFailureRun,
  type ProviderFacts,
} from "../analysis/providers.js";
import { isBlockSignalOf } from "../analysis/relay-host.js";
import { HOUR_MS } from "../analysis/time.js";
import { deferralDetailReport } from "./deferral-detail.js";
import { failedHostOf, withFailedHost } from "../knowledge/rules/connection.js";
import type { DiagnoseContext } from "./context.js";
import { isPluralName, listNames, period, upperFirst } from "./findings/build.js";
import { fitStepToMtas } from "./findings/mta-steps.js";
import {
  failedDomainsAtEnd,
  failsAtEnoughDomains,
  fewDomainsOf,
  interleavedOutage,
  otherRowOutage,
  withDomainsFailingAtEnd,
} from "./few-domains.js";
import {
  mergeCounts,
  ownNetworkOf,
  serverSubject,
  subjectAtStart,
  type LoggedServer,
  type ServerSubject,
} from "./server-subject.js";
import type {
  OutageReport,
  PastBlockReport,
  ProviderReason,
  ProviderStatus,
  ProviderVerdict,
  ReplyChangeReport,
  UnacceptedAttemptsReport,
  VerdictStatus,
} from "./types.js";

/**
 * A block whose latest reply falls within this time before the end of the log is not over,
 * even when the provider accepted deliveries after that reply. Postfix retries deferred mail
 * up to every 4,000 s by default, so a shorter window would call a block lifted between two
 * retries. A block whose provider accepted none of the attempts after it goes on whenever it
 * came (see `unacceptedReport`).
 */
export const ONGOING_WINDOW_MS = 2 * HOUR_MS;

/**
 * A provider that accepted this many deliveries over at least this long after an outage has
 * recovered from it, so the outage no longer makes the provider `unreachable`. The same applies
 * after connection failures, which then no longer go on. `delist monitor` ends an outage by the
 * same rule (see `hasRecovered`). Block replies do not end this way (see `ONGOING_WINDOW_MS`).
 */
export const RECOVERY_DELIVERIES = 5;
export const RECOVERY_MS = HOUR_MS / 2;

/**
 * True when a provider has recovered from an outage or failed connections: it accepted
 * at least `RECOVERY_DELIVERIES` deliveries after `since` (epoch ms), and the latest of them,
 * `lastDelivery`, came at least `RECOVERY_MS` after `since`. One delivery proves only that a
 * connection worked once, not that mail flows again.
 */
export function hasRecovered(
  deliveries: number,
  since: number | null,
  lastDelivery: number | null,
): boolean {
  if (since === null || lastDelivery === null) return false;
  return deliveries >= RECOVERY_DELIVERIES && lastDelivery - since >= RECOVERY_MS;
}

/**
 * A provider that accepted at least this many deliveries, over at least `ONGOING_WINDOW_MS`,
 * after its last block reply has lifted the block, so its status is `ok` and the verdict names
 * the block as past. This requires more than the recovery above, because one accepted delivery
 * proves that a host can be reached, but a provider that throttles or filters by reputation
 * accepts part of the mail between its block replies. In two hours, longer than Postfix's
 * longest retry interval of 4,000 s, deferred mail is retried at least once. Twenty is an
 * estimate: a provider that refused a fifth of the mail at random would still accept 20 in a
 * row about once in a hundred runs. A provider with little mail lifts by the quiet rule below.
 */
export const BLOCK_LIFTED_DELIVERIES = 20;

/**
 * A provider that sent no block reply for at least `QUIET_LIFT_MS` before the end of the log,
 * and accepted every attempt after its last one, at least `QUIET_LIFT_DELIVERIES` of them, has
 * lifted the block too. Postfix retries deferred mail at least every 4,000 s by default
 * (`maximal_backoff_time`), so in six hours a block that went on would have sent another block
 * reply to one of several retries. Exim's default retry rule (`F,2h,15m; G,16h,1h,1.5;
 * F,4d,6h`) can wait longer than that between two retries, so there the quiet time rests on the
 * later mail that the provider accepted. Six hours is an estimate.
 */
export const QUIET_LIFT_MS = 6 * HOUR_MS;

/**
 * Five accepted attempts with none failed, because a provider that still deferred a third of
 * the mail would accept five in a row only about once in eight runs ((2/3)^5). The quiet time of
 * `QUIET_LIFT_MS` must come on top. One or two could be a lucky retry or an allowlisted
 * recipient. Five is an estimate.
 */
export const QUIET_LIFT_DELIVERIES = 5;

/** The outcome of one blocked host's or IP's mail after its last block reply, times in epoch ms. */
export interface LiftFacts {
  /** Time of the last block reply. */
  readonly lastBlockAt: number;
  /** Deliveries that the provider's own MX hosts accepted after it. */
  readonly deliveries: number;
  /** Time of the latest of those deliveries, or null when there is none. */
  readonly lastDeliveryAt: number | null;
  /** True when an attempt after it was not accepted (a failed connection, a 4xx or a 5xx). */
  readonly failedAfter: boolean;
}

/**
 * True when the provider lifted a block by the rule that `delist diagnose` and `delist monitor`
 * share. One way is `BLOCK_LIFTED_DELIVERIES` deliveries after the last block reply, the latest
 * at least `ONGOING_WINDOW_MS` after it. The other is every attempt after that reply accepted,
 * at least `QUIET_LIFT_DELIVERIES`, with `logEnd` at least `QUIET_LIFT_MS` after the reply.
 * `logEnd` is the time of the log's last line in epoch ms, or null when it is unknown.
 */
export function isBlockLifted(lift: LiftFacts, logEnd: number | null): boolean {
  if (lift.lastDeliveryAt === null) return false;
  const steady =
    lift.deliveries >= BLOCK_LIFTED_DELIVERIES &&
    lift.lastDeliveryAt - lift.lastBlockAt >= ONGOING_WINDOW_MS;
  if (steady) return true;
  return (
    !lift.failedAfter &&
    lift.deliveries >= QUIET_LIFT_DELIVERIES &&
    logEnd !== null &&
    logEnd - lift.lastBlockAt >= QUIET_LIFT_MS
  );
}

/**
 * At most this many permanent block replies, among at least this many accepted deliveries to
 * the same provider, are single messages judged one by one (Gmail's "this message is likely
 * unsolicited"), not a block of the server. They stay in the evidence and the findings.
 */
export const ISOLATED_REJECTIONS = 2;
const ISOLATED_MIN_SENT = 50;

/**
 * Decides how a provider treated the mail: `blocked` when it rejected mail permanently for a
 * sender-side reason, `unreachable` when this server could not connect to it for a run of
 * attempts (`OUTAGE_MIN_FAILURES`), `rate-limited` when it only deferred mail, `ok` otherwise.
 * A block that the provider lifted (see `BLOCK_LIFTED_DELIVERIES`) leaves the status `ok` and
 * is kept as `pastBlock`.
 */
export function providerVerdict(facts: ProviderFacts, context: DiagnoseContext): ProviderVerdict {
  const logEnd = context.facts.lastTime;
  const signals = blockSignals(facts);
  const isolated =
    signals.permanent > 0 &&
    signals.permanent <= ISOLATED_REJECTIONS &&
    facts.sent >= ISOLATED_MIN_SENT;
  const replyStatus: ProviderStatus =
    facts.firstPermanentBlock !== null && !isolated
      ? "blocked"
      : signals.temporary > 0
        ? "rate-limited"
        : isolated
          ? "ok"
          : facts.firstBlock !== null
            ? "rate-limited"
            : "ok";
  const pastBlock = pastBlockReport(facts, replyStatus, context);
  const windowStart = logEnd === null ? null : logEnd - ONGOING_WINDOW_MS;
  const domainsAtEnd = failedDomainsAtEnd(facts, windowStart);
  const fullOutage =
    withDomainsFailingAtEnd(
      outageReport(facts.outage, logEnd, facts.lastSent, context),
      facts,
      windowStart,
      context,
    ) ?? interleavedOutage(facts, windowStart, context);
  const few = fewDomainsOf(facts, pastBlock === null ? replyStatus : "ok", fullOutage, context);
  const currentStatus = pastBlock === null && !few.block ? replyStatus : "ok";
  const outage = otherRowOutage(fullOutage, few);
  // An outage that ended in replies refusing the mail is over as an outage: the provider can be
  // reached, and its replies decide the status.
  const answered = outage?.endedAt != null && currentStatus !== "ok";
  const status =
    outage === null || outage.recovered || answered || few.outage
      ? currentStatus
      : worseStatus(currentStatus, "unreachable");
  const unaccepted = unacceptedReport(facts, replyStatus, pastBlock, context);
  const recentBlock =
    replyStatus !== "ok" &&
    pastBlock === null &&
    facts.lastBlock !== null &&
    logEnd !== null &&
    facts.lastBlock.time >= logEnd - ONGOING_WINDOW_MS;
  const blockOngoing = !few.block && (recentBlock || unaccepted !== null);
  const ongoing = blockOngoing || (!few.outage && outage?.ongoing === true);

  return {
    name: providerRowName(facts),
    relayHost: facts.relayHost,
    ...relayDomainsOf(facts),
    status,
    attempts: facts.attempts,
    recipients: facts.recipients.size,
    sent: facts.sent,
    deferred: facts.deferred,
    deferredRecipients: facts.deferredRecipients,
    deferredMessages: facts.deferredMessages,
    suspendedDeferrals: facts.suspendedDeferrals,
    onlySuspendedDeferrals: facts.suspendedDeferrals > 0 && facts.attempts === 0,
    bounced: facts.bounced,
    expired: facts.expired,
    fromBounces: facts.fromBounces,
    blockedAttempts: facts.blockedAttempts,
    blockedRecipients: facts.blockedRecipients.size,
    blockedMessages: facts.blockedMessages.size,
    blockedMessagesEstimated: !facts.blockedMessages.isExact,
    blockedAttemptsByHost: Object.fromEntries(
      [...facts.blockedAttemptsByHost].sort((a, b) => b[1] - a[1]),
    ),
    recipientsEstimated: !facts.recipients.isExact || !facts.blockedRecipients.isExact,
    firstBlock: facts.firstBlock === null ? null : context.reply(facts.firstBlock),
    firstPermanentBlock:
      facts.firstPermanentBlock === null ? null : context.reply(facts.firstPermanentBlock),
    lastBlock: facts.lastBlock === null ? null : context.reply(facts.lastBlock),
    lastPermanentBlock:
      facts.lastPermanentBlock === null ? null : context.reply(facts.lastPermanentBlock),
    firstTemporaryBlock:
      facts.firstTemporaryBlock === null ? null : context.reply(facts.firstTemporaryBlock),
    lastTemporaryBlock:
      facts.lastTemporaryBlock === null ? null : context.reply(facts.lastTemporaryBlock),
    replyChange: replyChangeReport(facts, context),
    ongoing,
    acceptedSinceLastBlock: acceptedSinceLastBlock(facts),
    unacceptedAttempts: unaccepted,
    connectionFailures: facts.connectionFailures,
    firstConnectionFailure: context.timeOrNull(facts.firstConnectionFailure),
    lastConnectionFailure: context.timeOrNull(facts.lastConnectionFailure),
    retriedConnectionFailures: facts.retriedConnectionFailures,
    answeredConnectionFailures: facts.answeredConnectionFailures,
    lastUnretriedConnectionFailure: context.timeOrNull(facts.lastUnretriedFailure),
    connectionsFailing: status !== "unreachable" && connectionsStillFail(facts, outage, logEnd),
    outage,
    pastBlock,
    fewDomains: few.reports,
    failedDomainsAtEnd: domainsAtEnd,
    codes: Object.fromEntries([...facts.codes].sort((a, b) => b[1] - a[1])),
    reasons: reasonsOf(facts, context),
    deferralDetail: deferralDetailReport(facts.deferralDetail, facts.deferred, (epochMs) =>
      context.time(epochMs),
    ),
  };
}

/** Maximum number of recipient domains that a relay host's row lists. */
export const RELAY_DOMAINS_SHOWN = 10;

/** Returns the recipient domains of a relay host's row, most attempts first, and its relay hosts. */
function relayDomainsOf(
  facts: ProviderFacts,
): Pick<ProviderVerdict, "relayDomains" | "relayDomainCount" | "relayHostCount"> {
  if (facts.relayHost === null) {
    return { relayDomains: null, relayDomainCount: null, relayHostCount: null };
  }
  const domains = [...facts.recipientDomains]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, RELAY_DOMAINS_SHOWN);
  return {
    relayDomains: Object.fromEntries(domains),
    relayDomainCount: facts.recipientDomains.size,
    relayHostCount: facts.relayHostCount,
  };
}

/**
 * Reports the provider's block as past when it lifted the block of every host and outgoing
 * source whose mail it blocked, each counted from its own last block reply (see
 * `isBlockLifted`). Returns null when there is no block or it has not been lifted.
 * NOTE: deliveries read before a late block reply (`blockSignalReadLate`) are not counted, so a
 * block that the provider lifted can still read as going on, and no sentence explains why.
 */
function pastBlockReport(
  facts: ProviderFacts,
  replyStatus: ProviderStatus,
  context: DiagnoseContext,
): PastBlockReport | null {
  if (replyStatus !== "blocked" && replyStatus !== "rate-limited") return null;
  const hosts = [...facts.blockedHosts.values()];
  if (hosts.length === 0) return null;
  const logEnd = context.facts.lastTime;
  let lastDelivery = 0;
  for (const host of hosts) {
    const lift = {
      lastBlockAt: host.lastBlockTime,
      deliveries: host.sentAfter,
      lastDeliveryAt: host.lastSent,
      failedAfter: host.failedAfter > 0,
    };
    if (!isBlockLifted(lift, logEnd)) return null;
    lastDelivery = Math.max(lastDelivery, host.lastSent ?? 0);
  }
  return {
    status: replyStatus,
    deliveredAfter: acceptedSinceLastBlock(facts) ?? 0,
    lastDelivery: context.time(lastDelivery),
    blockReadLate: facts.blockSignalReadLate,
  };
}

/**
 * Counts the deliveries that the provider's own MX accepted after its latest block reply, from
 * the hosts and outgoing sources whose mail it blocked, so that the count matches the sentence
 * "deferred … to <latest reply> and has accepted N since". Returns 0 while any of them has had
 * no delivery accepted since its own latest block reply, because the provider then still
 * refuses that mail, and null when the provider sent no block reply.
 */
function acceptedSinceLastBlock(facts: ProviderFacts): number | null {
  if (facts.lastBlock === null) return null;
  if (facts.blockedHosts.size === 0) return 0;
  for (const host of facts.blockedHosts.values()) {
    if (host.sentAfter === 0) return 0;
  }
  return facts.sentAfterLastBlock;
}

/**
 * Reports the provider's attempts after its latest accepted delivery when its latest block
 * reply is among them. The provider then accepted nothing after the block, so the block goes
 * on, even when the log ends hours after the last attempt with only incoming mail. Returns
 * null when the status is `ok`, the block was lifted, or mail was accepted after it.
 */
function unacceptedReport(
  facts: ProviderFacts,
  replyStatus: ProviderStatus,
  pastBlock: PastBlockReport | null,
  context: DiagnoseContext,
): UnacceptedAttemptsReport | null {
  if (replyStatus === "ok" || pastBlock !== null) return null;
  const { lastBlockTime, lastSent, lastAttemptSinceSent } = facts;
  if (lastBlockTime === null || lastAttemptSinceSent === null) return null;
  if (lastSent !== null && lastSent >= lastBlockTime) return null;
  return {
    attempts: facts.attemptsSinceSent,
    rejected: facts.bouncedSinceSent,
    blocked: facts.blockedSinceSent,
    last: context.time(lastAttemptSinceSent),
    lastAccepted: context.timeOrNull(lastSent),
  };
}

/**
 * Reports that the reply changed during the provider's block: its latest block reply has
 * another rule than its first, and every reply of the first rule came before the first reply
 * of the latest rule. Two rules whose replies alternate are no change. Returns null when the
 * rule did not change.
 */
function replyChangeReport(
  facts: ProviderFacts,
  context: DiagnoseContext,
): ReplyChangeReport | null {
  const { firstBlock, lastBlock } = facts;
  if (firstBlock === null || lastBlock === null || firstBlock.ruleId === lastBlock.ruleId) {
    return null;
  }
  const previous = facts.rules.get(firstBlock.ruleId);
  const latest = facts.rules.get(lastBlock.ruleId);
  if (previous === undefined || latest === undefined) return null;
  if (previous.lastTime >= latest.first.time) return null;
  return { previousRuleId: firstBlock.ruleId, reply: context.reply(latest.first) };
}

/**
 * Reports a provider's latest outage. Its first failure is shown with the meaning of the
 * connection-failure rule, because the reply classifier may have given the text a provider's
 * rule for its DSN alone.
 */
function outageReport(
  outage: ConnectionFailureRun | null,
  logEnd: number | null,
  lastSent: number | null,
  context: DiagnoseContext,
): OutageReport | null {
  if (outage === null || outage.first === null) return null;
  const { rule } = outage;
  const ongoing =
    outage.endedAt === null && logEnd !== null && outage.lastTime >= logEnd - ONGOING_WINDOW_MS;
  const recovered = hasRecovered(outage.deliveredAfter, outage.endedAt, lastSent);
  return {
    first: {
      ...context.reply(outage.first),
      ruleId: rule.id,
      category: rule.category,
      permanent: false,
      summary: rule.summary,
    },
    last: context.time(outage.lastTime),
    endedAt: context.timeOrNull(outage.endedAt),
    failures: outage.failures,
    ongoing,
    recovered,
    recipientDomains: outage.recipientDomains.size,
    domainsFailingAtEnd: [],
    failuresAtEnd: null,
    otherReceiversReachedAt: null,
    failuresByHost: Object.fromEntries([...outage.failuresByHost].sort((a, b) => b[1] - a[1])),
    fix: withFailedHost(
      rule.fix.map((step) => fitStepToMtas(step, context.facts.server.mtas)),
      failedHostOf(outage.first),
    ),
  };
}

/**
 * True when the provider's connection failures outside its outage still go on at the end of the
 * log. A failure is over when a later attempt of the same message delivered its recipient or
 * got an SMTP reply for it. The others must be repeated (see `isRepeated`), the latest of them
 * must fall in the last `ONGOING_WINDOW_MS` of the log, and the provider must not have
 * recovered since the latest failure (see `hasRecovered`).
 */
function connectionsStillFail(
  facts: ProviderFacts,
  outage: OutageReport | null,
  logEnd: number | null,
): boolean {
  const lastUnretried = facts.lastUnretriedFailure;
  if (logEnd === null || lastUnretried === null) return false;
  if (lastUnretried < logEnd - ONGOING_WINDOW_MS) return false;
  // NOTE: the outage's own failures are subtracted from all failures, not from the unretried
  // ones, so retried outage failures can hide unretried failures outside it.
  const outside = facts.connectionFailures - (outage?.failures ?? 0);
  const ended = facts.retriedConnectionFailures + facts.answeredConnectionFailures;
  const unretried = Math.min(outside, facts.connectionFailures - ended);
  if (!isRepeated(unretried, facts.attempts)) return false;
  return !hasRecovered(facts.sentAfterLastFailure, facts.lastConnectionFailure, facts.lastSent);
}

/** Counts the block-signal replies of a provider, permanent and temporary. */
function blockSignals(facts: ProviderFacts): { permanent: number; temporary: number } {
  let permanent = 0;
  let temporary = 0;
  for (const tally of facts.rules.values()) {
    if (!isBlockSignalOf(tally.reply, facts.provider)) continue;
    const replies = tally.count + tally.sessionCount;
    if (tally.reply.permanent) permanent += replies;
    else temporary += replies;
  }
  return { permanent, temporary };
}

function reasonsOf(facts: ProviderFacts, context: DiagnoseContext): ProviderReason[] {
  return [...facts.rules.values()]
    .map((tally) => ({
      ruleId: tally.reply.ruleId,
      category: tally.reply.category,
      permanent: tally.reply.permanent,
      summary: tally.reply.summary,
      count: tally.count,
      sessionCount: tally.sessionCount,
      first: context.time(tally.first.time),
      last: context.time(tally.lastTime),
      codes: Object.fromEntries(tally.codes),
      blockSignal: isBlockSignalOf(tally.reply, facts.provider),
    }))
    .sort((a, b) => b.count + b.sessionCount - (a.count + a.sessionCount));
}

const STATUS_RANK: Record<ProviderStatus, number> = {
  ok: 0,
  "rate-limited": 1,
  unreachable: 2,
  blocked: 3,
};

/**
 * True when the overall status names a block or an outage. `no-outbound-delivery` names
 * neither, because a log without outbound mail shows nothing judged, not something wrong.
 */
export function isProblemStatus(status: VerdictStatus): boolean {
  return status !== "ok" && status !== "no-outbound-delivery";
}

/**
 * True when a provider's row shows outbound mail: a delivery attempt, expired mail, suspended
 * deferrals or a block known from a reply outside any delivery. A row without any of them
 * would be a row of zeros.
 */
export function showsOutboundMail(verdict: ProviderVerdict): boolean {
  return (
    verdict.attempts > 0 ||
    verdict.expired > 0 ||
    verdict.suspendedDeferrals > 0 ||
    verdict.status !== "ok"
  );
}

/**
 * True when a provider's verdict sets the overall status. The `other` row mixes many small
 * receivers with their own rules, so it does only for an unreachable outage, which takes
 * failed attempts to at least `OTHER_MIN_DOMAINS` recipient domains (see `fewDomainsOf`).
 */
export function setsOverallStatus(id: string, verdict: ProviderVerdict): boolean {
  if (id !== "other") return true;
  return verdict.status === "unreachable" && verdict.outage !== null;
}

/** Returns the worse of two statuses. */
export function worseStatus(a: ProviderStatus, b: ProviderStatus): ProviderStatus {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

/**
 * Describes an unreachable provider for the verdict sentence, such as "this server cannot
 * connect to Gmail since 2024-03-04T00:00:05Z (30 attempts in a row failed), still going on
 * at the end of the log". An outage of `failsAtEnoughDomains` names the failing domains, all
 * their failures, and the latest time that other receivers accepted mail or replied while
 * those domains failed. With several servers in the
 * log, the subject names the servers whose attempts failed (see `serverSubject`). `atStart`
 * gives the subject the case of a sentence's first word.
 */
export function outageClause(
  name: string,
  outage: OutageReport,
  servers: Iterable<LoggedServer>,
  atStart = false,
): string {
  const subject = serverSubject(outage.failuresByHost, servers);
  const subjectText = atStart ? subjectAtStart(subject) : subject.text;
  const attempts = `${outage.failures} attempts in a row failed`;
  const atEnd = outage.failuresAtEnd;
  if (failsAtEnoughDomains(outage) && atEnd !== null) {
    const domains = listNames([...outage.domainsFailingAtEnd]);
    return `${subjectText} cannot connect to the receivers of ${domains} since ${atEnd.first} (${atEnd.failures} attempts failed, the last at ${atEnd.last}), still going on at the end of the log, although other receivers accepted mail or replied while they failed, the latest at ${outage.otherReceiversReachedAt ?? atEnd.last}`;
  }
  if (outage.ongoing) {
    return `${subjectText} cannot connect to ${name} since ${outage.first.time} (${attempts}), still going on at the end of the log`;
  }
  if (outage.endedAt === null) {
    return `${subjectText} could not connect to ${name} since ${outage.first.time} (${attempts}, the last at ${outage.last}, and no delivery followed)`;
  }
  return `${subjectText} could not connect to ${name} from ${outage.first.time} to ${outage.last} (${attempts})`;
}

/**
 * Describes outages that mail has recovered from, such as " This server could not connect to
 * Gmail from ... to ... (12 attempts in a row failed), and Gmail has accepted mail again since ...".
 * Returns "" when there is none.
 */
export function pastOutageNote(
  providers: readonly ProviderVerdict[],
  servers: Iterable<LoggedServer>,
): string {
  const hosts = [...servers];
  const sentences = providers.flatMap((verdict) => {
    const outage = verdict.outage;
    if (outage === null || !outage.recovered || outage.endedAt === null) return [];
    const clause = outageClause(verdict.name, outage, hosts, true);
    const failing = outage.domainsFailingAtEnd;
    if (failing.length > 0) {
      const fail = failing.length === 1 ? "fails" : "fail";
      return [
        ` ${clause}. Other domains of the row have accepted mail since ${outage.endedAt}, but ${listNames([...failing])} still ${fail} at the end of the log.`,
      ];
    }
    const has = isPluralName(verdict.name) ? "have" : "has";
    return [` ${clause}, and ${verdict.name} ${has} accepted mail again since ${outage.endedAt}.`];
  });
  return sentences.join("");
}

/**
 * Text after the sentence on a lifted block whose count of deliveries since is unreliable (see
 * `PastBlockReport.blockReadLate`).
 */
const LATE_BLOCK_TEXT =
  " The log's lines are not in time order, so that count and the last delivery take only the deliveries read after the last block reply, and may be too low and too early. Give the files by name, or join them oldest first.";

/**
 * Describes blocks that the providers lifted before the end of the log, such as " Gmail
 * rejected mail from this server from ... to ..., and has accepted 300 deliveries since, the
 * last at ..., so the block counts as lifted." Returns "" when there is none. The sentence
 * states "lifted" itself, because `LIFT_RULE_TEXT` may come before it or not at all.
 */
export function pastBlockNote(providers: readonly ProviderVerdict[]): string {
  const sentences = providers.flatMap((verdict) => {
    const past = verdict.pastBlock;
    if (past === null) return [];
    const verb = blockVerb(verdict, past.status === "blocked");
    return [
      ` ${upperFirst(verdict.name)} ${verb} mail from this server ${blockPeriod(verdict)}${firstRejectionClause(verdict, verb) || ","} and has accepted ${deliveries(past.deliveredAfter)} since, the last at ${past.lastDelivery}, so the block counts as lifted.${past.blockReadLate ? LATE_BLOCK_TEXT : ""}`,
    ];
  });
  return sentences.join("");
}

/**
 * Returns the period of a provider's block replies, "from … to …", or "at …" when the first and
 * the latest came at the same time, so that a single reply does not read as a period.
 */
function blockPeriod(verdict: ProviderVerdict): string {
  return period(verdict.firstBlock?.time ?? "?", verdict.lastBlock?.time ?? "?");
}

/**
 * Returns ", the first rejection at …," to follow `blockPeriod` after `verb` "deferred and then
 * rejected" or "deferred and rejected", or "" after other verbs. The period starts with a
 * deferral then, and a removal request needs the time of the first rejection.
 */
function firstRejectionClause(verdict: ProviderVerdict, verb: string): string {
  const firstRejection = verdict.firstPermanentBlock?.time;
  if (!verb.startsWith("deferred and") || firstRejection === undefined) return "";
  return `, the first rejection at ${firstRejection},`;
}

/**
 * Returns the past-tense verb for a provider's block replies: "deferred", "rejected",
 * "deferred and then rejected", "rejected and then deferred", or "deferred and rejected" when
 * deferrals came both before the first rejection and after the last one. Deferrals only
 * between rejections give "rejected". `rejected` is true when permanent replies set the status.
 */
function blockVerb(verdict: ProviderVerdict, rejected: boolean): string {
  if (!rejected) return "deferred";
  const firstRejection = verdict.firstPermanentBlock;
  const lastRejection = verdict.lastPermanentBlock ?? firstRejection;
  const firstDeferral = verdict.firstTemporaryBlock;
  const lastDeferral = verdict.lastTemporaryBlock;
  if (firstRejection === null || lastRejection === null) return "rejected";

  const deferredBefore =
    firstDeferral !== null && Date.parse(firstDeferral.time) < Date.parse(firstRejection.time);
  const deferredAfter =
    lastDeferral !== null && Date.parse(lastDeferral.time) > Date.parse(lastRejection.time);
  if (deferredBefore && deferredAfter) return "deferred and rejected";
  if (deferredBefore) return "deferred and then rejected";
  if (deferredAfter) return "rejected and then deferred";
  return "rejected";
}

/**
 * True when a provider's block is not over (`ongoing`) although the provider accepted
 * deliveries after its latest block reply, because that reply falls in the last two hours of
 * the log.
 */
export function acceptsAgainTooEarly(verdict: ProviderVerdict): boolean {
  return verdict.ongoing && (verdict.acceptedSinceLastBlock ?? 0) > 0;
}

/**
 * True when a provider accepted deliveries after a latest block reply that came more than two
 * hours before the end of the log, but not enough to lift the block of every blocked host (see
 * `isBlockLifted`). The block is then neither going on nor known to be lifted.
 */
export function acceptsAgainTooFew(verdict: ProviderVerdict): boolean {
  return (
    !verdict.ongoing &&
    verdict.pastBlock === null &&
    (verdict.status === "blocked" || verdict.status === "rate-limited") &&
    (verdict.acceptedSinceLastBlock ?? 0) > 0
  );
}

/**
 * Describes a block of `acceptsAgainTooEarly` or `acceptsAgainTooFew` for the verdict sentence,
 * such as "Yahoo/AOL deferred mail from this server from ... to ... and has accepted 11
 * deliveries since, too soon to call the block lifted" (see `liftShortfall`). The caller adds
 * `LIFT_RULE_TEXT` once. `plural` is true for a name such as "other receivers".
 */
export function acceptsAgainClause(
  name: string,
  sender: string,
  verdict: ProviderVerdict,
  plural: boolean,
): string {
  const verb = blockVerb(verdict, verdict.firstPermanentBlock !== null);
  const period = `${blockPeriod(verdict)}${firstRejectionClause(verdict, verb)}`;
  const accepted = deliveries(verdict.acceptedSinceLastBlock ?? 0);
  const have = plural ? "have" : "has";
  return `${name} ${verb} mail from ${sender} ${period} and ${have} accepted ${accepted} since, ${liftShortfall(verdict)} to call the block lifted`;
}

/**
 * Names why a provider that accepts mail again has not lifted its block (see `isBlockLifted`).
 * It is "too soon" while its latest block reply falls in the last `ONGOING_WINDOW_MS` of the
 * log, because neither way of lifting can hold then. It is "not enough" later, when the
 * deliveries since fall short of both ways.
 */
export function liftShortfall(verdict: ProviderVerdict): string {
  return verdict.ongoing ? "too soon" : "not enough";
}

/**
 * The rule of `isBlockLifted` in words, one sentence for the verdict and the readiness item. It
 * follows every use of `liftShortfall`, so that "too soon" and "not enough" read as two ways
 * of falling short of one rule.
 */
export const LIFT_RULE_TEXT = `A block counts as lifted once the provider has accepted ${BLOCK_LIFTED_DELIVERIES} deliveries after its last block reply, the latest at least ${ONGOING_WINDOW_MS / HOUR_MS} hours after it, or ${QUIET_LIFT_DELIVERIES} deliveries with no failed attempt and ${QUIET_LIFT_MS / HOUR_MS} hours without a block reply.`;

/**
 * True when the verdict sentence of a provider states that it accepts mail again but has not
 * lifted its block, so that the verdict needs `LIFT_RULE_TEXT`.
 */
export function needsLiftRule(verdict: ProviderVerdict): boolean {
  if (verdict.status === "unreachable" && verdict.outage !== null) return false;
  return acceptsAgainTooEarly(verdict) || acceptsAgainTooFew(verdict);
}

/**
 * Describes a block of `acceptsAgainTooFew` for the readiness checklist, such as "Outlook.com
 * deferred mail until ... and has accepted 1 delivery since, not enough to call the block
 * lifted." The caller adds `LIFT_RULE_TEXT` once.
 */
export function undecidedBlockSentence(verdict: ProviderVerdict): string {
  const verb = blockVerb(verdict, verdict.firstPermanentBlock !== null);
  const accepted = deliveries(verdict.acceptedSinceLastBlock ?? 0);
  return upperFirst(
    `${verdict.name} ${verb} mail until ${verdict.lastBlock?.time ?? "?"} and has accepted ${accepted} since, ${liftShortfall(verdict)} to call the block lifted.`,
  );
}

/**
 * Describes the end of an ongoing block for the readiness checklist, with the time of its
 * latest reply: "Yahoo/AOL deferred mail in the last two hours of the log, the last at ...,
 * and has accepted 11 deliveries since, too soon to call the block lifted." or "Yahoo/AOL still
 * deferred mail in the last two hours of the log, the last at ...". `window` names the two
 * hours before `logEnd` (epoch ms).
 */
export function recentBlockSentence(
  verdict: ProviderVerdict,
  window: string,
  logEnd: number,
): string {
  const verb = recentBlockVerb(verdict, logEnd);
  const last = `the last at ${verdict.lastBlock?.time ?? "?"}`;
  // The name starts the sentence, and "other receivers" is in lower case.
  if (!acceptsAgainTooEarly(verdict)) {
    return upperFirst(`${verdict.name} still ${verb} mail ${window}, ${last}.`);
  }
  const accepted = deliveries(verdict.acceptedSinceLastBlock ?? 0);
  return upperFirst(
    `${verdict.name} ${verb} mail ${window}, ${last}, and has accepted ${accepted} since, ${liftShortfall(verdict)} to call the block lifted.`,
  );
}

/**
 * Returns the verb of the block replies that came in the last `ONGOING_WINDOW_MS` before
 * `logEnd`, past tense: "rejected", "deferred" or "rejected or deferred". A provider whose
 * latest rejection came before that window only deferred mail in it. Without a block reply in
 * the window, the kind of the latest one decides.
 */
export function recentBlockVerb(verdict: ProviderVerdict, logEnd: number): string {
  const rejected = inLastHours(verdict.lastPermanentBlock?.time, logEnd);
  const deferred = inLastHours(verdict.lastTemporaryBlock?.time, logEnd);
  if (rejected && deferred) return "rejected or deferred";
  if (rejected) return "rejected";
  if (deferred) return "deferred";
  // With no block reply in the window, the caller's block goes on because no later attempt
  // was accepted, so the kind of the latest block reply counts, or both when they tie.
  const last = verdict.lastBlock?.time;
  const permanentLast = verdict.lastPermanentBlock?.time === last;
  const temporaryLast = verdict.lastTemporaryBlock?.time === last;
  if (last !== undefined && permanentLast && !temporaryLast) return "rejected";
  if (last !== undefined && temporaryLast && !permanentLast) return "deferred";
  return verdict.firstPermanentBlock !== null ? "rejected or deferred" : "deferred";
}

/**
 * True when `time` (ISO 8601) is set and falls in the last `ONGOING_WINDOW_MS` before `logEnd`
 * (epoch ms). False when either is unknown.
 */
export function inLastHours(time: string | null | undefined, logEnd: number | null): boolean {
  if (time === null || time === undefined || logEnd === null) return false;
  return Date.parse(time) >= logEnd - ONGOING_WINDOW_MS;
}

function deliveries(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "delivery" : "deliveries"}`;
}

/**
 * Connection failures outside an outage count as repeated when there are at least
 * `OUTAGE_MIN_FAILURES` of them and they make at least this share of the provider's attempts.
 * A tenth is an estimate: a single MX address that drops connections fails far more often.
 */
const REPEATED_FAILURE_SHARE = 0.1;

/** True when `failures` are at least `OUTAGE_MIN_FAILURES` and `REPEATED_FAILURE_SHARE` of `attempts`. */
function isRepeated(failures: number, attempts: number): boolean {
  return failures >= OUTAGE_MIN_FAILURES && failures >= attempts * REPEATED_FAILURE_SHARE;
}

/**
 * Returns the connection failures of a provider that no outage covers when they are repeated
 * (see `REPEATED_FAILURE_SHARE`), or 0. They fail no run of 10 in a row, so the status stays,
 * but they delayed a share of the mail. Failures that a retry delivered count too, so this
 * is evidence, not a sign that they still go on (see `connectionsFailing` of the verdict).
 */
export function repeatedConnectionFailures(verdict: ProviderVerdict): number {
  if (verdict.status === "unreachable") return 0;
  const failures = verdict.connectionFailures - (verdict.outage?.failures ?? 0);
  return isRepeated(failures, verdict.attempts) ? failures : 0;
}

/**
 * Returns the connection failures of the `other` row that no later attempt of the same message
 * delivered or got a reply for, when they make at least `REPEATED_FAILURE_SHARE` of the row's
 * attempts, or 0. Unlike `repeatedConnectionFailures`, there is no minimum count and no run, so
 * that a dead domain in a small log counts whether its failures came in a row or between DNS
 * lookup failures.
 */
export function undeliveredConnectionFailures(verdict: ProviderVerdict): number {
  const ended = verdict.retriedConnectionFailures + verdict.answeredConnectionFailures;
  const failures = verdict.connectionFailures - ended;
  return failures > 0 && failures >= verdict.attempts * REPEATED_FAILURE_SHARE ? failures : 0;
}

/**
 * Returns the named providers that accepted no mail while the MTA deferred some of it without
 * trying them, because delivery was suspended after an earlier failure. A log that starts
 * inside a block or an outage shows them this way. Their status may stay `ok`, because
 * suspended lines alone make no outage, but the mail is held, so each makes `delist diagnose`
 * exit 1. The `other` row is left out, as one small receiver's fault is its own problem.
 */
export function suspendedProviders(
  providers: Partial<Record<string, ProviderVerdict>>,
): ProviderVerdict[] {
  return Object.entries(providers).flatMap(([id, verdict]) =>
    verdict === undefined || id === "other" || verdict.sent > 0 || verdict.suspendedDeferrals === 0
      ? []
      : [verdict],
  );
}

/**
 * Describes the providers of `suspendedProviders`, such as " Outlook.com accepted no mail, and
 * 21 of its deferrals were made without a connection, because delivery was suspended after an
 * earlier failure." A provider that the log shows only this way gets a hint that the failure
 * came before the log starts. Returns "" when there is none.
 */
export function suspendedNote(providers: readonly ProviderVerdict[]): string {
  return providers
    .map((verdict) => {
      const verb = verdict.suspendedDeferrals === 1 ? "was" : "were";
      const deferrals = `${verdict.suspendedDeferrals} of its deferrals ${verb}`;
      const start = verdict.onlySuspendedDeferrals
        ? " The log shows no attempt to it, so it probably starts after that failure; give the older rotated file too."
        : "";
      return ` ${verdict.name} accepted no mail, and ${deferrals} made without a connection, because delivery was suspended after an earlier failure.${start}`;
    })
    .join("");
}

/**
 * Returns the providers whose connection failures still go on at the end of the log (see
 * `connectionsFailing` of the verdict), leaving out the `other` row, because one small
 * receiver that drops connections is its own problem. Each of them makes `delist diagnose`
 * exit 1.
 */
export function failingConnectionProviders(
  providers: Partial<Record<string, ProviderVerdict>>,
): ProviderVerdict[] {
  return Object.entries(providers).flatMap(([id, verdict]) =>
    verdict === undefined || id === "other" || !verdict.connectionsFailing ? [] : [verdict],
  );
}

/**
 * Describes providers with repeated connection failures outside an outage. Failures that still
 * go on read " 72 of 216 delivery attempts to Gmail failed to connect, the last at ...", with
 * what to test. Failures that are over read " 13 of 113 delivery attempts to Gmail failed to
 * connect from ... to ..., and a later attempt delivered each of those messages". Returns ""
 * when there is none.
 */
export function repeatedFailuresNote(providers: readonly ProviderVerdict[]): string {
  const failing = providers.filter((verdict) => verdict.connectionsFailing);
  const over = providers.filter(
    (verdict) => !verdict.connectionsFailing && repeatedConnectionFailures(verdict) > 0,
  );
  return `${failingNote(failing)}${pastFailuresNote(over)}`;
}

function failingNote(providers: readonly ProviderVerdict[]): string {
  if (providers.length === 0) return "";
  const parts = providers.map(
    (verdict) => `${failedAttempts(verdict)}, the last at ${verdict.lastConnectionFailure ?? "?"}`,
  );
  const sentence = parts.join("; ");
  return ` ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}. That mail was deferred and retried.${expiredMailNote(providers)} One MX address that drops connections or a broken IPv6 route is the usual cause, so test each address of the provider's MX hosts from this server.`;
}

function pastFailuresNote(providers: readonly ProviderVerdict[]): string {
  if (providers.length === 0) return "";
  const parts = providers.map((verdict) => {
    const failures = repeatedConnectionFailures(verdict);
    const retried = Math.min(verdict.retriedConnectionFailures, failures);
    const period = `from ${verdict.firstConnectionFailure ?? "?"} to ${verdict.lastConnectionFailure ?? "?"}`;
    const delivered =
      retried === failures
        ? ", and a later attempt delivered each of those messages"
        : retried > 0
          ? `, and later attempts delivered ${retried} of those messages`
          : "";
    return `${failedAttempts(verdict)} ${period}${delivered}`;
  });
  const sentence = parts.join("; ");
  const expired = expiredMailNote(providers);
  const effect =
    expired === "" ? ", so they delayed that mail without blocking it." : `.${expired}`;
  return ` ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}. These failures no longer go on at the end of the log${effect}`;
}

/**
 * Describes the mail of `providers` that expired in the queue, such as " Mail to 13 recipients
 * at Gmail expired in the queue and was returned to its senders, so it was lost." Returns ""
 * when none expired. The count is the verdict's `expired`, whatever deferrals came before the
 * expiry, so the sentence names no cause.
 */
export function expiredMailNote(
  providers: readonly Pick<ProviderVerdict, "name" | "expired">[],
): string {
  const parts = providers.flatMap((verdict) =>
    verdict.expired === 0
      ? []
      : [
          `${verdict.expired} ${verdict.expired === 1 ? "recipient" : "recipients"} at ${verdict.name}`,
        ],
  );
  if (parts.length === 0) return "";
  return ` Mail to ${parts.join(" and ")} expired in the queue and was returned to its senders, so it was lost.`;
}

/** Returns "72 of 216 delivery attempts to Gmail failed to connect". */
function failedAttempts(verdict: ProviderVerdict): string {
  return `${repeatedConnectionFailures(verdict)} of ${verdict.attempts} delivery attempts to ${verdict.name} failed to connect`;
}

/**
 * Ends a sentence on the network of the servers whose attempts failed, when one network fault
 * explains the outages.
 */
function ownNetworkClause(subject: ServerSubject): string {
  return `which points at ${ownNetworkOf(subject)}: a firewall or the hosting provider blocking outbound port 25 is the usual cause.`;
}

/**
 * Returns a sentence for when the outages point at the sending servers rather than at the
 * receivers: every provider in the log is unreachable, or several are at the same time.
 * Returns "" otherwise, such as for one unreachable provider while others accept mail. With
 * several servers in the log, the sentence names those whose attempts failed.
 */
export function ownNetworkNote(
  providers: readonly ProviderVerdict[],
  servers: Iterable<LoggedServer>,
): string {
  // An outage of the `other` row at too few domains leaves the row ok (see `fewDomainsOf`), but
  // beside another provider's outage it still shows that no receiver could be reached.
  const outages = providers.flatMap((verdict) =>
    verdict.outage !== null &&
    (verdict.status === "unreachable" ||
      verdict.fewDomains.some((report) => report.status === "unreachable"))
      ? [verdict.outage]
      : [],
  );
  if (outages.length < 2) return "";
  const subject = serverSubject(
    mergeCounts(outages.map((outage) => outage.failuresByHost)),
    servers,
  );
  if (outages.length === providers.length) {
    return ` ${subjectAtStart(subject)} cannot reach any receiver in the log, ${ownNetworkClause(subject)}`;
  }
  const concurrent = maxConcurrent(outages);
  if (concurrent < 2) return "";
  return ` The connections to ${concurrent} providers failed at the same time, ${ownNetworkClause(subject)}`;
}

/**
 * Returns a sentence for an outage of the `other` row that sets the verdict: attempts to
 * several unrelated receivers failing in a row point at the sending server's network, unless
 * other receivers of the row accepted mail or replied after the failures began (see
 * `failsAtEnoughDomains`). Returns "" otherwise.
 */
export function otherOutageNote(
  other: ProviderVerdict | undefined,
  servers: Iterable<LoggedServer>,
): string {
  if (other === undefined || !setsOverallStatus("other", other)) return "";
  if (other.outage !== null && failsAtEnoughDomains(other.outage)) {
    return " That shows that this server can connect out on port 25, so the fault more likely lies with those domains' servers or the network route to them.";
  }
  const domains = other.outage?.recipientDomains ?? 0;
  const subject = serverSubject(other.outage?.failuresByHost ?? {}, servers);
  return ` The failed attempts went to ${domains} recipient domains, ${ownNetworkClause(subject)}`;
}

/**
 * Returns the largest number of outages that overlap at one instant. An outage lasts from its
 * first to its last failure, because a provider with no later attempt may have been reachable.
 * The last failure is the later of the run's and that of `failuresAtEnd`, because an outage of
 * `failsAtEnoughDomains` takes its first failure from those domains, which can come after the
 * run's last failure.
 */
function maxConcurrent(outages: readonly OutageReport[]): number {
  // Starts sort before ends at the same instant, so outages that touch count as overlapping.
  const edges = outages
    .flatMap((outage) => [
      { time: Date.parse(outage.first.time), change: 1 },
      { time: lastFailureOf(outage), change: -1 },
    ])
    .sort((a, b) => a.time - b.time || b.change - a.change);
  let current = 0;
  let max = 0;
  for (const edge of edges) {
    current += edge.change;
    max = Math.max(max, current);
  }
  return max;
}

/** Returns the time of an outage's last failure in epoch ms (see `maxConcurrent`). */
function lastFailureOf(outage: OutageReport): number {
  const last = Date.parse(outage.last);
  const atEnd = outage.failuresAtEnd;
  return atEnd === null ? last : Math.max(last, Date.parse(atEnd.last));
}
