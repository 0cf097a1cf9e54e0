import { isIP } from "node:net";
import {
  domainOf,
  OTHER_RELAY_HOSTS_KEY,
  PROVIDER_NAMES,
  providerOfKey,
  relayHostLabel,
  type ProviderId,
  type ProviderKey,
} from "../knowledge/providers.js";
import type { ReplyRule } from "../knowledge/rule.js";
import { connectionFailureRule } from "../knowledge/rules/connection.js";
import { isOutboundTlsFailure, SENDMAIL_TLS_FAILURE_CODE } from "../knowledge/tls-failure.js";
import type { DeliveryEvent, LinePosition, SessionReplyEvent } from "../logs/events.js";
import { DeferralDetail } from "./deferral-detail.js";
import { DistinctCounter } from "./distinct.js";
import type { Delivery, MessageState } from "./delivery.js";
import type { ReplyExplainer, ReplyHints } from "./explainer.js";
import type { ExplainedReply } from "../reply/types.js";
import { ProviderResolver } from "./provider-resolver.js";
import {
  countDomainCode,
  RecipientDomainTable,
  type RecipientDomainFacts,
} from "./recipient-domains.js";
import { ReplyCache, type ClassifiedReply } from "./reply-cache.js";
import {
  RuleTally,
  addCapped,
  occurrenceOf,
  type ReplyOccurrence,
  type ReplySubmission,
} from "./replies.js";
import { isBlockSignalOf } from "./relay-host.js";
import { detach, hourOf, increment } from "./time.js";
import { UndeliveredTally } from "./undelivered.js";

/** Attempts, outcomes and rejections per hour, for timelines. */
export interface HourCounts {
  attempts: number;
  sent: number;
  blocked: number;
}

/**
 * At least this many delivery attempts in a row that end in a connection failure, with no
 * accepted delivery and no SMTP reply from the provider between them, make an outage. One
 * MX that times out while another accepts the mail breaks the row, and so does a single
 * reply, because either proves the provider can be reached. Ten is an estimate, chosen to be
 * more than a passing network fault produces.
 */
export const OUTAGE_MIN_FAILURES = 10;

/** Delivery attempts in a row that failed to connect to one provider. */
export interface ConnectionFailureRun {
  /**
   * The first failure, set once the run is an outage, or by `ProviderAnalyser.finish` when the
   * run lasts to the end of the input. Its rule is the reply classifier's, which can differ
   * from `rule`.
   */
  first: ReplyOccurrence | null;
  /** The connection-failure rule of the first failure's text. */
  readonly rule: ReplyRule;
  failures: number;
  lastTime: number;
  /** Time of the accepted delivery or SMTP reply that ended the run, or null while it lasts. */
  endedAt: number | null;
  /** Deliveries the provider accepted at or after `endedAt`. */
  deliveredAfter: number;
  /**
   * Distinct recipient domains of the failed attempts, up to `MAX_RUN_DOMAINS`. In the `other`
   * row, several of them show that the server reaches no receiver, not that one host is down.
   */
  readonly recipientDomains: Set<string>;
  /**
   * Failed attempts of each server that logged them, by `serverOf` name. Failures of mail past
   * the server limit of `ServerAnalyser.hosts` are in no server's count.
   */
  readonly failuresByHost: Map<string, number>;
}

/**
 * The latest block signal for the mail of one sending host and outgoing source, and the
 * deliveries accepted after it.
 */
export interface HostBlockState {
  /** The outgoing source of the blocked mail, or null when its line named none. */
  readonly source: string | null;
  /**
   * The address family of the blocked connection when `source` is no IP address (a Postfix
   * syslog name, or none), taken from the IP the reply names or else from the relay's IP. Only
   * deliveries over the same family count after the block, because one Postfix instance sends
   * over IPv4 and IPv6 from two addresses. Null when `source` is an IP or the family is unknown.
   */
  readonly family: AddressFamily | null;
  lastBlockTime: number;
  /**
   * Deliveries from the host that the provider accepted after `lastBlockTime`, and only those
   * from `source` when it is set.
   */
  sentAfter: number;
  /** Time of the latest of those deliveries, or null when there is none. */
  lastSent: number | null;
  /**
   * Attempts from the host that the provider did not accept after `lastBlockTime`, such as
   * connection failures or replies that are no block signal, and only those from `source` when
   * it is set. An attempt whose line names no relay IP counts for every address family.
   */
  failedAfter: number;
}

/** The address family of an IP, as `ipaddr.js` names it. */
export type AddressFamily = "ipv4" | "ipv6";

/**
 * Maximum number of relay hosts that get a row of their own whatever their replies. A server
 * usually hands its mail to one or two smarthosts, and many more rows would only lengthen the
 * report. Twenty is an estimate.
 */
const MAX_RELAY_HOST_ROWS = 20;

/**
 * Maximum number of relay hosts after the first `MAX_RELAY_HOST_ROWS` whose mail is counted
 * apart until the end of the log, when those that deferred or rejected mail get a row of their
 * own. The limit bounds memory. A thousand is an estimate, far above the relay hosts of a
 * real server.
 */
const MAX_LATER_RELAY_HOSTS = 1_000;

/**
 * The label of `OTHER_RELAY_HOSTS_KEY`, the row of the relay hosts after `MAX_RELAY_HOST_ROWS`
 * that accepted all their mail.
 */
const OTHER_RELAY_HOSTS_LABEL = "*";

/** The label of a relay host whose line names neither host nor IP. */
const UNNAMED_RELAY_HOST_LABEL = "(host not logged)";

/** Maximum number of recipient domains kept per run, because the verdict compares only a few. */
const MAX_RUN_DOMAINS = 20;

/**
 * Connection failures of one recipient domain since a delivery or SMTP reply last reached it,
 * or since its first failure. Deliveries to other domains do not end the streak.
 */
export interface DomainFailures {
  /** Time of the streak's first failure. */
  first: number;
  /** Time of the streak's latest failure. */
  last: number;
  failures: number;
  /** The connection-failure rule of the streak's first failure. */
  rule: ReplyRule;
  /** Of `failures`, those of each server that logged them, by `serverOf` name. */
  readonly failuresByHost: Map<string, number>;
  /**
   * The streak's first failure, set by `ProviderAnalyser.finish` for a streak that no delivery
   * or reply ended, else null.
   */
  firstFailure: ReplyOccurrence | null;
}

/** Maximum recipient domains in `ProviderFacts.failedDomains`. */
const MAX_FAILED_DOMAINS = 1000;

/**
 * Counts a block signal of the `other` row by its recipient's domain and by the receiving host
 * that sent it. Rows of named providers count neither, because their domains share one policy.
 */
function countOtherBlock(
  facts: ProviderFacts,
  recipient: string | null,
  server: string | null,
): void {
  if (facts.provider !== "other") return;
  const domain = recipient === null ? null : domainOf(recipient);
  if (domain !== null) addCapped(facts.blockedDomains, domain);
  if (server !== null && server !== "" && server !== "none")
    addCapped(facts.blockedServers, server);
}

/**
 * Marks the recipient's domain as reached when its connections failed before, because the
 * receiver accepted the delivery or replied to it. Only the `other` row fills `failedDomains`.
 */
function markDomainReached(facts: ProviderFacts, recipient: string): void {
  if (facts.failedDomains.size === 0) return;
  const domain = domainOf(recipient);
  if (domain !== null && facts.failedDomains.has(domain)) facts.reachedDomains.add(domain);
}

/**
 * Maximum number of failed recipients kept until a later attempt delivers them. A failure
 * beyond it counts as never delivered, which errs towards reporting failures that still go on.
 * The limit bounds memory in a long outage, when every queued message fails again and again.
 */
const MAX_PENDING_FAILURES = 50_000;

// How far a delivery read before a block signal may be dated after it, in ms, before the
// signal counts as read late (`ProviderFacts.blockSignalReadLate`). An hour is a margin for
// parsers that pass an event after those of later lines, not a measured value.
const LATE_BLOCK_SIGNAL_MS = 60 * 60_000;

/** A recipient of one message whose attempts failed to connect and that no attempt delivered yet. */
interface PendingFailure {
  readonly facts: ProviderFacts;
  failures: number;
  lastTime: number;
}

/** Counts and replies of the mail sent to one provider. */
export class ProviderFacts {
  /** The provider of the row: `relay-host` for every relay host's row. */
  readonly provider: ProviderId;
  /**
   * Relay hosts whose mail the row counts: 1 for a relay host's own row, 0 for a provider's
   * row, and for `relay-host:*` the number of relay hosts that share it.
   */
  relayHostCount: number;
  /**
   * Delivery attempts per recipient domain, for a relay host's row only, so the verdict can
   * name the mail that goes through it. At most 1,000 domains are counted.
   */
  readonly recipientDomains = new Map<string, number>();
  /**
   * Block signals per recipient domain, for the `other` row only, so the verdict can tell one
   * small receiver's rule from a block by several. At most 1,000 domains are counted.
   */
  readonly blockedDomains = new Map<string, number>();
  /** Block signals per receiving host (the MX that replied), for the `other` row only. */
  readonly blockedServers = new Map<string, number>();
  /**
   * The current streak of connection failures per recipient domain, for the `other` row only.
   * At most 1,000 domains are kept, so a domain first seen after that is missing.
   */
  readonly failedDomains = new Map<string, DomainFailures>();
  /**
   * Domains of `failedDomains` whose receivers accepted a delivery or sent an SMTP reply after
   * the domain's latest connection failure, for the `other` row only. A domain that fails again
   * leaves the set.
   */
  readonly reachedDomains = new Set<string>();
  attempts = 0;
  sent = 0;
  /** Deferral events: every retry counts. */
  deferred = 0;
  /** Distinct message and recipient pairs that were deferred at least once. */
  deferredRecipients = 0;
  /**
   * Distinct messages with at least one of those pairs. A message whose recipients were
   * deferred by two providers counts in both rows.
   */
  deferredMessages = 0;
  /**
   * Recipients that this provider accepted after an earlier deferral of the same message. A
   * recipient that its provider deferred and a relay host then accepted counts for the relay
   * host.
   */
  deferredRecipientsDelivered = 0;
  /**
   * Of `deferred`, the deferrals that the MTA made without trying the provider, because the
   * destination failed shortly before (`DeliveryEvent.withoutAttempt` of `suspended`). They
   * are not in `attempts`.
   */
  suspendedDeferrals = 0;
  bounced = 0;
  expired = 0;
  other = 0;
  /** Of the attempts, those reported by bounce messages rather than logs. */
  fromBounces = 0;
  readonly recipients = new DistinctCounter();
  /** Non-2xx replies by `421 4.7.28`-style code, without the connection failures. */
  readonly codes = new Map<string, number>();
  /** Non-2xx replies by knowledge-base rule. */
  readonly rules = new Map<string, RuleTally>();
  /** Delivery attempts rejected or deferred for a sender-side reason. */
  blockedAttempts = 0;
  /**
   * Of `blockedAttempts`, those of each server that logged them, by `serverOf` name. Attempts
   * known from bounce messages are in no server's count.
   */
  readonly blockedAttemptsByHost = new Map<string, number>();
  readonly blockedRecipients = new DistinctCounter();
  /**
   * The messages of `blockedAttempts`, by host and queue id. Retries of held messages to one
   * recipient make many attempts to few recipients, and this count shows how many messages wait.
   */
  readonly blockedMessages = new DistinctCounter();
  firstBlock: ReplyOccurrence | null = null;
  firstPermanentBlock: ReplyOccurrence | null = null;
  lastBlock: ReplyOccurrence | null = null;
  /**
   * The latest permanent block signal, and the first and latest temporary one, so that a report
   * can tell which kind of refusal still goes on when the provider switched between them.
   */
  lastPermanentBlock: ReplyOccurrence | null = null;
  firstTemporaryBlock: ReplyOccurrence | null = null;
  lastTemporaryBlock: ReplyOccurrence | null = null;
  lastSent: number | null = null;
  /**
   * Delivery attempts after the latest accepted delivery (all attempts while none was
   * accepted), and of them those that bounced. Each attempt later than `lastSent` counts, so
   * the count shows whether the provider's last attempts were all refused, however long the
   * log goes on without attempts to it.
   */
  attemptsSinceSent = 0;
  bouncedSinceSent = 0;
  /**
   * Of `attemptsSinceSent`, those rejected or deferred for a sender-side reason, as
   * `blockedAttempts` counts them. An unknown recipient's bounce is among the attempts but not here.
   */
  blockedSinceSent = 0;
  /** Time of the latest of those attempts, or null when there is none. */
  lastAttemptSinceSent: number | null = null;
  /** Time of the latest block signal. */
  lastBlockTime: number | null = null;
  /**
   * Deliveries that the provider's own MX accepted after `lastBlockTime` from the hosts and
   * outgoing sources whose mail it blocked (see `blockedHosts`).
   */
  sentAfterLastBlock = 0;
  /**
   * Whether the latest block signal was read after a delivery dated more than
   * `LATE_BLOCK_SIGNAL_MS` after it, as when rotated files are joined newest first. The counts
   * of deliveries after a block (`sentAfterLastBlock`, `HostBlockState.sentAfter`) and their
   * latest time then leave out the deliveries read before the signal.
   */
  blockSignalReadLate = false;
  /**
   * The latest block signal per syslog host ("" in logs without a host) and outgoing source of
   * the blocked mail (`DeliveryEvent.outgoingSource`), so that only mail that left the same way
   * lifts a block. Two hosts, two Exim interfaces or two Postfix instances send from their own
   * IPs, and a provider that accepts the mail of one still blocks the other. Keyed by the host,
   * followed by a space and the source when the block's line named one, and by a space and the
   * address family when the source is no IP and the family is known (`HostBlockState.family`).
   * NOTE: Exim writes no `I=` on `==` lines, and session replies name no source, so on a host
   * that sends from several IPs, mail accepted from one IP also lifts such a block of another.
   */
  readonly blockedHosts = new Map<string, HostBlockState>();
  /** The states of `blockedHosts` by host, so a delivery finds them without making a key. */
  readonly blockedSources = new Map<string, HostBlockState[]>();
  /** Delivery attempts that ended in a connection failure, without any SMTP reply. */
  connectionFailures = 0;
  /** Time of the first connection failure, or null. */
  firstConnectionFailure: number | null = null;
  /** Time of the latest connection failure, or null. */
  lastConnectionFailure: number | null = null;
  /**
   * Of the connection failures, those whose recipient a later attempt of the same message
   * delivered: the retry worked, so the failure is over.
   */
  retriedConnectionFailures = 0;
  /**
   * Of the connection failures, those whose recipient a later attempt of the same message
   * reached with an SMTP reply that did not deliver it (a rejection or a deferral). The
   * connection worked again, so these failures are over too.
   */
  answeredConnectionFailures = 0;
  /**
   * Time of the latest connection failure whose recipient no later attempt delivered or got an
   * SMTP reply for, or null. `ProviderAnalyser.finish` sets it.
   */
  lastUnretriedFailure: number | null = null;
  /** Deliveries accepted at or after the time of the latest connection failure. */
  sentAfterLastFailure = 0;
  /**
   * Deliveries that this server deferred or bounced because its own outbound TLS failed
   * (`isOutboundTlsFailure`). They are in no reply count and no block signal.
   */
  readonly tlsFailures = new UndeliveredTally();
  /** The latest run of connection failures with at least `OUTAGE_MIN_FAILURES` attempts. */
  outage: ConnectionFailureRun | null = null;
  /**
   * The run of connection failures at the end of the input that no accepted delivery or SMTP
   * reply from the provider followed, or null. The monitor carries it over to the next window.
   */
  openRun: ConnectionFailureRun | null = null;
  /**
   * Time of the first delivery the provider accepted or SMTP reply it sent, either of which ends
   * a run, or null when there was none.
   */
  firstContact: number | null = null;
  /** Time of the latest delivery the provider accepted or SMTP reply it sent, or null. */
  lastContact: number | null = null;
  readonly hourly = new Map<number, HourCounts>();
  // Consecutive attempts mostly fall in one hour, so the last hour and its counters are kept.
  lastHour = NaN;
  lastHourCounts: HourCounts | null = null;
  /**
   * Reply texts, delays and long-deferred recipients of the deferrals, for the `other` row and
   * the relay hosts' rows only. Null until the row's first deferral.
   */
  deferralDetail: DeferralDetail | null = null;

  /**
   * @param key the row key (see `ProviderKey`).
   * @param relayHost the relay host's label (`relayHostLabel`) for a relay host's row, else null.
   */
  constructor(
    readonly key: ProviderKey,
    readonly relayHost: string | null = null,
  ) {
    this.provider = providerOfKey(key);
    this.relayHostCount = relayHost === null || relayHost === OTHER_RELAY_HOSTS_LABEL ? 0 : 1;
  }
}

/**
 * Returns the deferral detail of a row of small receivers or relay hosts, created at its first
 * deferral, or null for a named provider's row, whose rules explain its replies.
 */
function deferralDetailOf(facts: ProviderFacts): DeferralDetail | null {
  if (facts.provider !== "other" && facts.relayHost === null) return null;
  facts.deferralDetail ??= new DeferralDetail();
  return facts.deferralDetail;
}

/**
 * Names the row of `facts` for people: the provider's name, and for a relay host's row
 * "relay host" followed by its label (`relay host smtp.example.net:587`).
 */
export function providerRowName(facts: Pick<ProviderFacts, "provider" | "relayHost">): string {
  const name = PROVIDER_NAMES[facts.provider];
  switch (facts.relayHost) {
    case null:
      return name;
    case OTHER_RELAY_HOSTS_LABEL:
      return "other relay hosts";
    default:
      return `${name} ${facts.relayHost}`;
  }
}

/** The place, recipient and hints of one logged reply, kept to explain it in full later. */
/** The latest block signal of a provider, and the latest permanent and temporary one. */
interface LastBlockSites {
  latest: ReplySite;
  permanent: ReplySite | null;
  temporary: ReplySite | null;
}

interface ReplySite extends ReplySubmission {
  readonly time: number;
  readonly position: LinePosition;
  readonly response: string;
  readonly hints: ReplyHints;
  readonly recipient: string | null;
  readonly recipientHash: number | null;
  readonly relayHost: string | null;
  /** Syslog host of the message, or null for a session reply that names no message. */
  readonly host: string | null;
}

/** The earliest and latest suspended deferral of a provider. */
interface SuspendedSites {
  first: ReplySite;
  last: ReplySite;
}

/**
 * Counts remote deliveries and session replies per provider, classifies every non-2xx
 * reply, and keeps the first and last block signal of each provider.
 */
export class ProviderAnalyser {
  /** The rows by key: one per provider, and one per relay host (see `ProviderKey`). */
  readonly providers = new Map<ProviderKey, ProviderFacts>();
  /** Results per recipient domain, for the busiest domains of all rows. */
  readonly recipientDomains = new RecipientDomainTable();
  /** Distinct messages with at least one deferred recipient, each counted once for all rows. */
  deferredMessages = 0;
  // The row key of each relay host label, so that a delivery finds its row without a new string.
  private readonly relayHostKeys = new Map<string, ProviderKey>();
  // The relay hosts after the first `MAX_RELAY_HOST_ROWS`, by label, each counted in a row that
  // `finish` keeps when the relay host deferred or rejected mail, or else adds to the shared row.
  private readonly laterRelayHosts = new Map<string, ProviderFacts>();
  // The labels of the relay hosts past `MAX_LATER_RELAY_HOSTS`, which share a row from the start.
  private untrackedRelayHosts: DistinctCounter | null = null;
  // The latest block signal of each provider, and the latest of each kind, explained in full
  // only at the end.
  private readonly lastBlockSites = new Map<ProviderFacts, LastBlockSites>();
  // The current run of connection failures of each provider, and its first failure's site.
  private readonly failureRuns = new Map<
    ProviderFacts,
    { run: ConnectionFailureRun; site: ReplySite }
  >();
  // Failed recipients per message, until a later attempt delivers them or gets an SMTP reply, or
  // the message bounces or expires.
  private readonly pendingFailures = new Map<MessageState, Map<number, PendingFailure>>();
  private pendingFailureCount = 0;
  // The first failure of each domain's streak in `ProviderFacts.failedDomains`, explained in
  // full only at the end for the streaks that still go on.
  private readonly streakSites = new Map<DomainFailures, ReplySite>();
  // The first and last suspended deferral of each provider that had no attempt when they came.
  private readonly suspendedSites = new Map<ProviderFacts, SuspendedSites>();
  private readonly cache: ReplyCache;
  private lastSender: string | null = null;
  private lastSenderDomain: string | null = null;
  // The reply that `tally` counts and its evidence, built by `occurrenceNow` only when a tally
  // keeps it. One closure serves the whole run, so no closure is allocated per reply.
  private tallySite: ReplySite | null = null;
  private tallyOccurrence: ReplyOccurrence | null = null;
  private readonly occurrenceNow = (): ReplyOccurrence => {
    if (this.tallyOccurrence === null) {
      if (this.tallySite === null) throw new Error("occurrenceNow was called outside tally");
      this.tallyOccurrence = this.occurrenceAt(this.tallySite);
    }
    return this.tallyOccurrence;
  };

  constructor(
    explainer: ReplyExplainer,
    private readonly resolver = new ProviderResolver(),
  ) {
    this.cache = new ReplyCache(explainer);
  }

  /**
   * Counts one remote delivery attempt. Returns the classified reply of a non-2xx result, or
   * null for an accepted delivery, a result without a reason, or the MTA's own TLS failure.
   */
  addDelivery(delivery: Delivery): ClassifiedReply | null {
    const { event, recipientHash } = delivery;
    const facts = this.factsOfDelivery(delivery);
    if (event.queueExpiry === true) return this.addQueueExpiry(facts, delivery);
    if (facts.relayHost !== null) {
      const domain = domainOf(event.recipient);
      if (domain !== null) addCapped(facts.recipientDomains, domain);
    }
    const hour = this.hourCounts(facts, event.time);
    const domainFacts = this.recipientDomains.add(delivery, true);
    facts.attempts += 1;
    hour.attempts += 1;
    if (event.message.mta === "bounce") facts.fromBounces += 1;
    if (event.firstAttempt) facts.recipients.addHash(recipientHash);
    this.countStatus(facts, delivery, domainFacts);
    if (event.status === "sent") {
      hour.sent += 1;
      if (facts.lastSent === null || event.time >= facts.lastSent) {
        facts.lastSent = event.time;
        facts.attemptsSinceSent = 0;
        facts.bouncedSinceSent = 0;
        facts.blockedSinceSent = 0;
        facts.lastAttemptSinceSent = null;
      }
      // Only the provider's own MX accepting mail shows that it lifted a block. Mail handed to
      // a relay (a smarthost, often the stop-gap after a block) is counted as sent to the
      // provider by its recipient, but the provider has not accepted it yet. A relay host's own
      // row is the exception: there the relay host is the receiver whose block may lift.
      if (
        facts.blockedHosts.size > 0 &&
        (facts.relayHost !== null || this.resolver.relayProvider(event.relayHost) !== null)
      ) {
        this.countSentAfterBlock(facts, event);
      }
      this.endFailureRun(facts, event.time);
      markDomainReached(facts, event.recipient);
      this.countSentAfterFailure(facts, event.time);
      if (this.pendingFailureCount > 0) this.retryDelivered(delivery);
      const outage = facts.outage;
      if (outage !== null && outage.endedAt !== null && event.time >= outage.endedAt) {
        outage.deliveredAfter += 1;
      }
      return null;
    }
    // A bounce message's result that reports no delivery (`Action: expanded`) accepts no mail.
    // Logged results of that status are probes, which `addProbeReply` takes.
    if (event.status === "other" && !isFailureDsn(event.dsn)) return null;
    countUnaccepted(facts, event);
    if (facts.blockedHosts.size > 0) countFailedAfterBlock(facts, event);
    if (event.response === null) {
      if (this.pendingFailureCount > 0) this.settlePendingFailure(delivery, false);
      return null;
    }

    const { hints, classified } = this.classifyReply(delivery, event.response);
    const reply = classified.reply;
    const site: ReplySite = {
      time: event.time,
      position: event.position,
      response: event.response,
      hints,
      recipient: event.recipient,
      recipientHash,
      relayHost: event.relayHost,
      sender: event.message.sender,
      senderDomain: this.senderDomainOf(event.message.sender),
      origin: delivery.state.origin,
      host: event.message.host,
      server: delivery.state.host?.name ?? null,
    };
    const connectionRule = reply.replyCode === null ? connectionFailureRule(event.response) : null;
    if (this.pendingFailureCount > 0) {
      this.settlePendingFailure(delivery, connectionRule === null && reply.replyCode !== null);
    }
    // The MTA's own TLS failure is no reply, although Sendmail gives it the code 403, so it
    // returns no classified reply either. Receivers' replies with other codes skip the test.
    if (
      connectionRule === null &&
      (reply.replyCode === null || reply.replyCode === SENDMAIL_TLS_FAILURE_CODE) &&
      isOutboundTlsFailure(event.response)
    ) {
      facts.tlsFailures.add(event, site.server);
      return null;
    }
    if (connectionRule !== null) {
      this.addConnectionFailure(facts, connectionRule, site);
      this.addPendingFailure(facts, delivery, event.time);
    } else if (reply.replyCode !== null) {
      this.endFailureRun(facts, event.time);
      markDomainReached(facts, event.recipient);
    }
    // A reply without codes is the MTA's own reason. Only a relay host's known one, such as
    // Exim's failed login to it, counts as that provider's reply.
    const ownReason =
      delivery.provider === "relay-host" &&
      classified.blockSignal &&
      reply.ruleId !== "generic.unknown";
    if (
      reply.replyCode === null &&
      reply.enhancedStatus === null &&
      connectionRule === null &&
      !ownReason
    ) {
      return classified;
    }
    // A connection failure counts in `connectionFailures` only. Its enhanced status code is the
    // MTA's own (Postfix's `dsn=4.4.1`), not a reply, and would count the deferral twice.
    if (connectionRule === null && (reply.replyCode !== null || reply.enhancedStatus !== null)) {
      increment(facts.codes, classified.codeKey);
      if (domainFacts !== null) countDomainCode(domainFacts, classified.codeKey);
    }
    this.tally(facts, classified, site);
    if (classified.blockSignal) {
      facts.blockedAttempts += 1;
      if (domainFacts !== null) domainFacts.blockedAttempts += 1;
      if (facts.lastSent === null || event.time >= facts.lastSent) facts.blockedSinceSent += 1;
      const host = delivery.state.host;
      if (host !== null) increment(facts.blockedAttemptsByHost, host.name);
      facts.blockedRecipients.addHash(recipientHash);
      facts.blockedMessages.add(`${event.message.host}\n${event.message.id}`);
      countOtherBlock(facts, event.recipient, event.relayHost);
      hour.blocked += 1;
      const source = event.outgoingSource ?? null;
      const family = blockFamilyOf(source, classified.judgedIp, event.relayIp);
      this.recordHostBlock(facts, event.message.host, source, family, event.time);
    }
    return classified;
  }

  /**
   * Classifies the reply of a delivery with the hints its event gives. A relay host's reply is
   * its own, so the recipient's provider must not pick the rules.
   */
  private classifyReply(
    delivery: Delivery,
    response: string,
  ): { hints: ReplyHints; classified: ClassifiedReply } {
    const event = delivery.event;
    const relayHost = delivery.provider === "relay-host";
    const hints = {
      relayHost: event.relayHost,
      recipient: relayHost ? null : event.recipient,
      dsn: event.dsn,
    };
    const classified = relayHostReply(
      this.cache.classify(response, delivery.provider, hints),
      relayHost,
    );
    return { hints, classified };
  }

  /**
   * Counts the reply to an address verification probe that the receiver rejected (dsn 4.x.x or
   * 5.x.x) in `codes`, the reply rules and the block signals, as a session reply counts. A
   * probe carries no mail, so it is no attempt or recipient. Returns the classified reply, or
   * null for a probe that was not rejected.
   */
  addProbeReply(delivery: Delivery): ClassifiedReply | null {
    const { event } = delivery;
    if (event.response === null || !isFailureDsn(event.dsn)) return null;
    const facts = this.factsOfDelivery(delivery);
    const { hints, classified } = this.classifyReply(delivery, event.response);
    // A probe that failed to connect, or the MTA's own reason, is no reply of the receiver.
    if (classified.reply.replyCode === null) return classified;

    this.endFailureRun(facts, event.time);
    markDomainReached(facts, event.recipient);
    increment(facts.codes, classified.codeKey);
    this.tally(facts, classified, {
      time: event.time,
      position: event.position,
      response: event.response,
      hints,
      recipient: event.recipient,
      recipientHash: delivery.recipientHash,
      relayHost: event.relayHost,
      sender: event.message.sender,
      senderDomain: this.senderDomainOf(event.message.sender),
      origin: delivery.state.origin,
      host: event.message.host,
      server: delivery.state.host?.name ?? null,
    });

    if (classified.blockSignal) {
      const source = event.outgoingSource ?? null;
      const family = blockFamilyOf(source, classified.judgedIp, event.relayIp);
      this.recordHostBlock(facts, event.message.host, source, family, event.time);
      countOtherBlock(facts, event.recipient, event.relayHost);
    }
    return classified;
  }

  /**
   * Counts a deferral that the MTA made without trying the provider, because the destination
   * failed shortly before. It shows how much mail the failure held back. No receiver saw the
   * mail, so it is no attempt, reply, block signal or connection failure, and it neither
   * starts nor lifts a block. While the provider has no attempt or reply, the first and last
   * of these lines are kept, because a log that starts inside a block shows the block only
   * through them (see `finish`).
   */
  addSuspendedDeferral(delivery: Delivery): void {
    const facts = this.factsOfDelivery(delivery);
    const domainFacts = this.recipientDomains.add(delivery, false);
    facts.deferred += 1;
    facts.suspendedDeferrals += 1;
    if (delivery.event.firstAttempt) facts.recipients.addHash(delivery.recipientHash);
    const first = this.firstDeferral(facts, delivery);
    if (first) facts.deferredRecipients += 1;
    if (domainFacts !== null) countDomainDeferral(domainFacts, first);
    deferralDetailOf(facts)?.addDeferral(delivery.event);
    if (facts.attempts === 0 && facts.rules.size === 0) this.keepSuspendedSite(facts, delivery);
  }

  /** Counts a reply to a whole SMTP session (no recipient). */
  addSessionReply(event: SessionReplyEvent, provider: ProviderId): ClassifiedReply {
    const facts = this.factsOf(provider);
    const hints = { relayHost: event.relayHost };
    const classified = this.cache.classify(event.response, provider, hints);
    if (classified.reply.replyCode !== null) this.endFailureRun(facts, event.time);
    // A reply to a whole session names no outgoing source.
    if (classified.blockSignal) {
      const family = blockFamilyOf(null, classified.judgedIp, event.relayIp);
      this.recordHostBlock(facts, event.message?.host ?? null, null, family, event.time);
      countOtherBlock(facts, null, event.relayHost);
    }
    this.tally(facts, classified, {
      time: event.time,
      position: event.position,
      response: event.response,
      hints,
      recipient: null,
      recipientHash: null,
      relayHost: event.relayHost,
      sender: event.message?.sender ?? null,
      senderDomain: this.senderDomainOf(event.message?.sender ?? null),
      origin: null,
      host: event.message?.host ?? null,
      server: null,
    });
    return classified;
  }

  /** Explains a reply in full, for evidence kept by other analysers. */
  explainFully(text: string, hints: ReplyHints): ExplainedReply {
    return this.cache.explain(text, hints);
  }

  /**
   * Explains the latest block signal and the first failure of the open connection-failure run
   * of each provider in full, and dates the latest failure that no retry delivered; call once,
   * at the end.
   */
  finish(): void {
    this.settleLaterRelayHosts();
    for (const [facts, sites] of this.suspendedSites) this.blockFromSuspended(facts, sites);
    for (const [facts, sites] of this.lastBlockSites) {
      facts.lastBlock = this.occurrenceAt(sites.latest);
      if (sites.permanent !== null) facts.lastPermanentBlock = this.occurrenceAt(sites.permanent);
      if (sites.temporary !== null) facts.lastTemporaryBlock = this.occurrenceAt(sites.temporary);
    }
    for (const { run, site } of this.failureRuns.values()) run.first ??= this.occurrenceAt(site);
    for (const facts of this.providers.values()) {
      for (const [domain, streak] of facts.failedDomains) {
        const site = this.streakSites.get(streak);
        if (site !== undefined && !facts.reachedDomains.has(domain)) {
          streak.firstFailure = this.occurrenceAt(site);
        }
      }
    }
    for (const recipients of this.pendingFailures.values()) {
      for (const pending of recipients.values()) {
        this.markUnretried(pending.facts, pending.lastTime);
      }
    }
  }

  /**
   * Gives each relay host after the first `MAX_RELAY_HOST_ROWS` that deferred or rejected mail a
   * row of its own, and adds the others, which accepted all their mail, to the shared row
   * `relay-host:*`. A blocked relay host then never shares a row with a healthy one, unless it
   * came after `MAX_LATER_RELAY_HOSTS` others.
   */
  private settleLaterRelayHosts(): void {
    for (const facts of this.laterRelayHosts.values()) {
      if (acceptedAllMail(facts)) {
        addAcceptedMail(this.relayHostFacts(OTHER_RELAY_HOSTS_KEY, OTHER_RELAY_HOSTS_LABEL), facts);
      } else {
        this.providers.set(facts.key, facts);
      }
    }
    this.laterRelayHosts.clear();
    const untracked = this.untrackedRelayHosts;
    if (untracked !== null) {
      const shared = this.relayHostFacts(OTHER_RELAY_HOSTS_KEY, OTHER_RELAY_HOSTS_LABEL);
      shared.relayHostCount += untracked.size;
      this.untrackedRelayHosts = null;
    }
  }

  /** Keeps the earliest and latest suspended deferral of a provider without attempts. */
  private keepSuspendedSite(facts: ProviderFacts, delivery: Delivery): void {
    const { event } = delivery;
    if (event.response === null) return;
    const site: ReplySite = {
      time: event.time,
      position: event.position,
      response: event.response,
      hints: { relayHost: event.relayHost, recipient: event.recipient, dsn: event.dsn },
      recipient: event.recipient,
      recipientHash: delivery.recipientHash,
      relayHost: event.relayHost,
      sender: event.message.sender,
      senderDomain: this.senderDomainOf(event.message.sender),
      origin: delivery.state.origin,
      host: event.message.host,
      server: delivery.state.host?.name ?? null,
    };
    const sites = this.suspendedSites.get(facts);
    if (sites === undefined) {
      this.suspendedSites.set(facts, { first: site, last: site });
      return;
    }
    if (site.time < sites.first.time) sites.first = site;
    if (site.time >= sites.last.time) sites.last = site;
  }

  /**
   * Takes the block of a provider that the log shows only through suspended deferrals, as when
   * it starts inside a block: the earlier reply that those lines quote sets `firstBlock` and
   * `lastBlock` when it is a block signal. Connection failures that the lines quote set
   * nothing, so they make no outage.
   */
  private blockFromSuspended(facts: ProviderFacts, sites: SuspendedSites): void {
    if (facts.attempts > 0 || facts.rules.size > 0) return;
    const { first, last } = sites;
    const classified = this.cache.classify(first.response, facts.provider, first.hints);
    if (!classified.blockSignal) return;
    // A suspended line is a deferral, so it sets no permanent block whatever it quotes.
    facts.firstBlock = this.occurrenceAt(first);
    facts.lastBlock = this.occurrenceAt(last);
    facts.firstTemporaryBlock = facts.firstBlock;
    facts.lastTemporaryBlock = facts.lastBlock;
  }

  /** Adds a connection failure to the provider's current run, which may become its outage. */
  private addConnectionFailure(facts: ProviderFacts, rule: ReplyRule, site: ReplySite): void {
    facts.connectionFailures += 1;
    if (facts.firstConnectionFailure === null || site.time < facts.firstConnectionFailure) {
      facts.firstConnectionFailure = site.time;
    }
    if (facts.lastConnectionFailure === null || site.time >= facts.lastConnectionFailure) {
      facts.lastConnectionFailure = site.time;
      facts.sentAfterLastFailure = 0;
    }
    let current = this.failureRuns.get(facts);
    if (current === undefined) {
      current = {
        run: {
          first: null,
          rule,
          failures: 0,
          lastTime: site.time,
          endedAt: null,
          deliveredAfter: 0,
          recipientDomains: new Set(),
          failuresByHost: new Map(),
        },
        site,
      };
      this.failureRuns.set(facts, current);
      facts.openRun = current.run;
    }
    const { run } = current;
    run.failures += 1;
    const domain = site.recipient === null ? null : domainOf(site.recipient);
    if (domain !== null && facts.provider === "other") {
      this.addDomainFailure(facts, domain, rule, site);
    }
    if (domain !== null && run.recipientDomains.size < MAX_RUN_DOMAINS) {
      run.recipientDomains.add(domain);
    }
    if (site.server !== null) increment(run.failuresByHost, site.server);
    if (site.time > run.lastTime) run.lastTime = site.time;
    // The first failure is explained in full only once the run counts as an outage.
    if (run.failures === OUTAGE_MIN_FAILURES) {
      run.first = this.occurrenceAt(current.site);
      facts.outage = run;
    }
  }

  /**
   * Counts a failed connection to `domain` in its streak. A domain that a delivery or reply
   * reached since its latest failure starts a new streak.
   */
  private addDomainFailure(
    facts: ProviderFacts,
    domain: string,
    rule: ReplyRule,
    site: ReplySite,
  ): void {
    const time = site.time;
    const known = facts.failedDomains.get(domain);
    if (known === undefined || facts.reachedDomains.has(domain)) {
      if (known === undefined && facts.failedDomains.size >= MAX_FAILED_DOMAINS) return;
      if (known !== undefined) this.streakSites.delete(known);
      const streak: DomainFailures = {
        first: time,
        last: time,
        failures: 1,
        rule,
        failuresByHost: new Map(),
        firstFailure: null,
      };
      if (site.server !== null) increment(streak.failuresByHost, site.server);
      facts.failedDomains.set(domain, streak);
      this.streakSites.set(streak, site);
      facts.reachedDomains.delete(domain);
      return;
    }
    known.failures += 1;
    if (site.server !== null) increment(known.failuresByHost, site.server);
    known.first = Math.min(known.first, time);
    known.last = Math.max(known.last, time);
  }

  /** Ends the provider's run of connection failures: it accepted mail or replied at `time`. */
  private endFailureRun(facts: ProviderFacts, time: number): void {
    if (facts.firstContact === null || time < facts.firstContact) facts.firstContact = time;
    if (facts.lastContact === null || time > facts.lastContact) facts.lastContact = time;
    facts.openRun = null;
    const current = this.failureRuns.get(facts);
    if (current === undefined) return;
    current.run.endedAt = time;
    this.failureRuns.delete(facts);
  }

  /** Counts a delivery accepted after the provider's latest connection failure. */
  private countSentAfterFailure(facts: ProviderFacts, time: number): void {
    if (facts.lastConnectionFailure === null || time < facts.lastConnectionFailure) return;
    facts.sentAfterLastFailure += 1;
  }

  /**
   * Keeps a failed recipient until a later attempt of the same message delivers it. Past
   * `MAX_PENDING_FAILURES` the failure counts as never delivered.
   */
  private addPendingFailure(facts: ProviderFacts, delivery: Delivery, time: number): void {
    let recipients = this.pendingFailures.get(delivery.state);
    const pending = recipients?.get(delivery.recipientHash);
    if (pending !== undefined) {
      pending.failures += 1;
      pending.lastTime = Math.max(pending.lastTime, time);
      return;
    }
    if (this.pendingFailureCount >= MAX_PENDING_FAILURES) {
      this.markUnretried(facts, time);
      return;
    }
    if (recipients === undefined) {
      recipients = new Map();
      this.pendingFailures.set(delivery.state, recipients);
    }
    recipients.set(delivery.recipientHash, { facts, failures: 1, lastTime: time });
    this.pendingFailureCount += 1;
  }

  /** Counts the failed attempts of a recipient that this delivery reached as retried. */
  private retryDelivered(delivery: Delivery): void {
    const pending = this.takePendingFailure(delivery);
    if (pending !== null) pending.facts.retriedConnectionFailures += pending.failures;
  }

  /**
   * Ends the failed attempts of a recipient whose later attempt was not delivered. An attempt
   * that got an SMTP reply (`replied`) reached the provider, so the connection works again and
   * the failures are over, even when the reply rejects the recipient (`550 5.1.1`). A bounce or
   * expiry that the MTA made itself (`relay=none`, a time-out) keeps them as never delivered.
   * A deferral without a reply changes nothing, because a later retry may still deliver.
   */
  private settlePendingFailure(delivery: Delivery, replied: boolean): void {
    const status = delivery.event.status;
    if (replied) {
      const pending = this.takePendingFailure(delivery);
      if (pending !== null) pending.facts.answeredConnectionFailures += pending.failures;
    } else if (status === "bounced" || status === "expired") {
      this.dropPendingFailure(delivery);
    }
  }

  /** Keeps the failures of a recipient that bounced or expired as never delivered. */
  private dropPendingFailure(delivery: Delivery): void {
    const pending = this.takePendingFailure(delivery);
    if (pending !== null) this.markUnretried(pending.facts, pending.lastTime);
  }

  /**
   * Counts a message that expired in the queue. The expiry line repeats the last attempt's
   * reply, which that attempt already counted, so it is no attempt, connection failure or
   * reply of its own. The failures of its recipient stay never delivered. The reply is still
   * classified and returned, for the analysers of recipients and sender domains.
   */
  private addQueueExpiry(facts: ProviderFacts, delivery: Delivery): ClassifiedReply | null {
    const { event } = delivery;
    facts.expired += 1;
    facts.deferralDetail?.addFinalResult(event);
    if (this.pendingFailureCount > 0) this.dropPendingFailure(delivery);
    if (event.response === null) return null;
    const hints = { relayHost: event.relayHost, recipient: event.recipient, dsn: event.dsn };
    return this.cache.classify(event.response, delivery.provider, hints);
  }

  private takePendingFailure(delivery: Delivery): PendingFailure | null {
    const recipients = this.pendingFailures.get(delivery.state);
    const pending = recipients?.get(delivery.recipientHash);
    if (recipients === undefined || pending === undefined) return null;
    recipients.delete(delivery.recipientHash);
    if (recipients.size === 0) this.pendingFailures.delete(delivery.state);
    this.pendingFailureCount -= 1;
    return pending;
  }

  private markUnretried(facts: ProviderFacts, time: number): void {
    if (facts.lastUnretriedFailure === null || time > facts.lastUnretriedFailure) {
      facts.lastUnretriedFailure = time;
    }
  }

  private tally(facts: ProviderFacts, classified: ClassifiedReply, site: ReplySite): void {
    const { time } = site;
    const reply = classified.reply;
    this.tallySite = site;
    this.tallyOccurrence = null;
    const occurrenceNow = this.occurrenceNow;

    const tally = facts.rules.get(reply.ruleId);
    if (tally === undefined) {
      const created = new RuleTally(reply, occurrenceNow());
      created.add(classified, occurrenceNow, time, site.recipientHash, site);
      facts.rules.set(reply.ruleId, created);
    } else {
      tally.add(classified, occurrenceNow, time, site.recipientHash, site);
    }

    if (!classified.blockSignal) return;
    if (facts.firstBlock === null || time < facts.firstBlock.time) {
      facts.firstBlock = occurrenceNow();
    }
    if (reply.permanent) {
      if (facts.firstPermanentBlock === null || time < facts.firstPermanentBlock.time) {
        facts.firstPermanentBlock = occurrenceNow();
      }
    } else if (facts.firstTemporaryBlock === null || time < facts.firstTemporaryBlock.time) {
      facts.firstTemporaryBlock = occurrenceNow();
    }
    this.keepLastBlockSite(facts, site, reply.permanent);
  }

  /** Keeps the site of the provider's latest block signal, and of its latest of each kind. */
  private keepLastBlockSite(facts: ProviderFacts, site: ReplySite, permanent: boolean): void {
    const time = site.time;
    let sites = this.lastBlockSites.get(facts);
    if (sites === undefined) {
      sites = { latest: site, permanent: null, temporary: null };
      this.lastBlockSites.set(facts, sites);
    }
    if (time >= sites.latest.time) {
      sites.latest = site;
      if (facts.lastBlockTime === null || time > facts.lastBlockTime) facts.sentAfterLastBlock = 0;
      facts.lastBlockTime = time;
      facts.blockSignalReadLate =
        facts.lastSent !== null && facts.lastSent > time + LATE_BLOCK_SIGNAL_MS;
    }
    const kind = permanent ? "permanent" : "temporary";
    const last = sites[kind];
    if (last === null || time >= last.time) sites[kind] = site;
  }

  /**
   * Starts the count of accepted deliveries again for the host and outgoing source of a block
   * signal. A signal whose line names no source (Exim's `==` lines and session replies of both
   * MTAs) may concern any source of its host, so it starts the count again for each of them and
   * for the host as a whole. A signal that names no host does so for every host.
   * The key is the outgoing source, not the IP that the provider names in its reply (Gmail's
   * `[203.0.113.5 12]`), because accepted deliveries name no judged IP. Behind NAT the
   * provider judges the public address, not the interface that Exim logs. A source that is no
   * IP is narrowed by the address family of the blocked connection (`family`), and a signal
   * of one family leaves the blocks of the other as they are.
   */
  private recordHostBlock(
    facts: ProviderFacts,
    host: string | null,
    source: string | null,
    family: AddressFamily | null,
    time: number,
  ): void {
    if (host === null) {
      for (const state of facts.blockedHosts.values()) {
        if (sameFamily(state.family, family)) restartBlock(state, time);
      }
      if (facts.blockedHosts.size === 0) this.addHostBlock(facts, "", null, family, time);
      return;
    }
    let found = false;
    for (const state of facts.blockedSources.get(host) ?? []) {
      const concerned = source === null || state.source === source;
      if (concerned && sameFamily(state.family, family)) restartBlock(state, time);
      if (state.source === source && state.family === family) found = true;
    }
    if (!found) this.addHostBlock(facts, host, source, family, time);
  }

  /**
   * Adds a block state, keyed in `blockedHosts` by the host, then the source and the family
   * when they are known, each after a space (`mx1 postfix ipv6`).
   */
  private addHostBlock(
    facts: ProviderFacts,
    host: string,
    source: string | null,
    family: AddressFamily | null,
    time: number,
  ): void {
    const state: HostBlockState = {
      source,
      family,
      lastBlockTime: time,
      sentAfter: 0,
      lastSent: null,
      failedAfter: 0,
    };
    let key = host;
    if (source !== null) key += ` ${source}`;
    if (family !== null) key += ` ${family}`;
    facts.blockedHosts.set(key, state);
    const states = facts.blockedSources.get(host);
    if (states === undefined) facts.blockedSources.set(host, [state]);
    else states.push(state);
  }

  /**
   * Counts a delivery that the provider accepted after the latest block signal of its host and
   * outgoing source. A block whose line named no source counts deliveries from every source of
   * the host, because the line concerned the host as a whole. Counting only the deliveries that
   * name no source either would keep every Exim deferral open when the log names interfaces.
   * A block that named a source counts only deliveries from that source, so a delivery that
   * names none lifts it no more than one from another source. A block with an address family
   * counts only deliveries whose relay IP has that family. Each block of the host has to be
   * lifted before the provider's block counts as lifted.
   */
  private countSentAfterBlock(facts: ProviderFacts, event: DeliveryEvent): void {
    const states = facts.blockedSources.get(event.message.host);
    if (states === undefined) return;
    const source = event.outgoingSource ?? null;
    const family = relayFamilyOf(event.relayIp);
    const time = event.time;
    let counted = false;
    for (let i = 0; i < states.length; i++) {
      const state = states[i] as HostBlockState;
      if (state.source !== null && state.source !== source) continue;
      if (state.family !== null && state.family !== family) continue;
      if (time <= state.lastBlockTime) continue;
      state.sentAfter += 1;
      if (state.lastSent === null || time > state.lastSent) state.lastSent = time;
      counted = true;
    }
    if (counted && facts.lastBlockTime !== null && time > facts.lastBlockTime) {
      facts.sentAfterLastBlock += 1;
    }
  }

  // Retries and recipients of one message come in a row, so the last sender's domain is kept.
  private senderDomainOf(sender: string | null): string | null {
    if (sender === null) return null;
    if (sender !== this.lastSender) {
      this.lastSender = sender;
      this.lastSenderDomain = domainOf(sender);
    }
    return this.lastSenderDomain;
  }

  private occurrenceAt(site: ReplySite): ReplyOccurrence {
    const reply = this.cache.explain(site.response, site.hints);
    return occurrenceOf(reply, site.time, site.position, site.recipient, site.relayHost);
  }

  private countStatus(
    facts: ProviderFacts,
    delivery: Delivery,
    domainFacts: RecipientDomainFacts | null,
  ): void {
    switch (delivery.event.status) {
      case "sent":
        facts.sent += 1;
        if (domainFacts !== null) domainFacts.sent += 1;
        // Deleting the recipient counts it once, however many lines report its delivery.
        if (delivery.state.deferred?.delete(delivery.recipientHash) === true) {
          facts.deferredRecipientsDelivered += 1;
        }
        facts.deferralDetail?.addFinalResult(delivery.event);
        return;
      case "deferred": {
        facts.deferred += 1;
        const first = this.firstDeferral(facts, delivery);
        if (first) facts.deferredRecipients += 1;
        if (domainFacts !== null) countDomainDeferral(domainFacts, first);
        deferralDetailOf(facts)?.addDeferral(delivery.event);
        return;
      }
      case "bounced":
        facts.bounced += 1;
        if (domainFacts !== null) domainFacts.bounced += 1;
        facts.deferralDetail?.addFinalResult(delivery.event);
        return;
      case "expired":
        facts.expired += 1;
        return;
      case "other":
        facts.other += 1;
    }
  }

  /**
   * Returns true at the first deferral of the delivery's message and recipient pair, and counts
   * the message as deferred, once in all and once in the row `facts`.
   */
  private firstDeferral(facts: ProviderFacts, delivery: Delivery): boolean {
    const state = delivery.state;
    if (state.deferred === null) {
      state.deferred = new Set();
      this.deferredMessages += 1;
    }
    if (state.deferred.has(delivery.recipientHash)) return false;
    state.deferred.add(delivery.recipientHash);
    const rows = state.deferredRows;
    if (rows === null) {
      state.deferredRows = [facts];
      facts.deferredMessages += 1;
    } else if (!rows.includes(facts)) {
      rows.push(facts);
      facts.deferredMessages += 1;
    }
    return true;
  }

  /**
   * Returns the row of a delivery: that of its provider, or that of its relay host when the
   * provider is `relay-host`. The first relay host in the log gets the row `relay-host`, and each
   * further one a row of its own (see `ProviderKey`), up to `MAX_RELAY_HOST_ROWS`. The relay
   * hosts after that are counted apart until `finish` decides their rows.
   */
  private factsOfDelivery(delivery: Delivery): ProviderFacts {
    if (delivery.provider !== "relay-host") return this.factsOf(delivery.provider);
    const { event } = delivery;
    const label =
      relayHostLabel(event.relayHost, event.relayIp, event.relayPort) ?? UNNAMED_RELAY_HOST_LABEL;
    let key = this.relayHostKeys.get(label);
    if (key === undefined) {
      const rows = this.relayHostKeys.size;
      if (rows >= MAX_RELAY_HOST_ROWS) return this.laterRelayHostFacts(label);
      key = rows === 0 ? "relay-host" : `relay-host:${detach(label)}`;
      this.relayHostKeys.set(detach(label), key);
    }
    return this.relayHostFacts(key, label);
  }

  /**
   * Returns the facts of a relay host after the first `MAX_RELAY_HOST_ROWS`, or the shared row
   * for one past `MAX_LATER_RELAY_HOSTS` more.
   */
  private laterRelayHostFacts(label: string): ProviderFacts {
    const facts = this.laterRelayHosts.get(label);
    if (facts !== undefined) return facts;
    if (this.laterRelayHosts.size >= MAX_LATER_RELAY_HOSTS) {
      this.untrackedRelayHosts ??= new DistinctCounter();
      this.untrackedRelayHosts.add(label);
      return this.relayHostFacts(OTHER_RELAY_HOSTS_KEY, OTHER_RELAY_HOSTS_LABEL);
    }
    const stored = detach(label);
    const created = new ProviderFacts(`relay-host:${stored}`, stored);
    this.laterRelayHosts.set(stored, created);
    return created;
  }

  private relayHostFacts(key: ProviderKey, label: string): ProviderFacts {
    let facts = this.providers.get(key);
    if (facts === undefined) {
      facts = new ProviderFacts(key, detach(label));
      this.providers.set(key, facts);
    }
    return facts;
  }

  private factsOf(provider: ProviderId): ProviderFacts {
    let facts = this.providers.get(provider);
    if (facts === undefined) {
      facts = new ProviderFacts(provider);
      this.providers.set(provider, facts);
    }
    return facts;
  }

  private hourCounts(facts: ProviderFacts, time: number): HourCounts {
    const hour = hourOf(time);
    if (hour === facts.lastHour && facts.lastHourCounts !== null) return facts.lastHourCounts;
    let counts = facts.hourly.get(hour);
    if (counts === undefined) {
      counts = { attempts: 0, sent: 0, blocked: 0 };
      facts.hourly.set(hour, counts);
    }
    facts.lastHour = hour;
    facts.lastHourCounts = counts;
    return counts;
  }
}

/** Counts a deferral of a recipient domain; `first` marks the pair's first deferral. */
function countDomainDeferral(domainFacts: RecipientDomainFacts, first: boolean): void {
  domainFacts.deferred += 1;
  if (first) domainFacts.deferredRecipients += 1;
}

/**
 * True when every delivery attempt of a row was accepted: no deferral, bounce, expiry or
 * connection failure, and no reply that did not accept the mail, such as one to a probe.
 */
function acceptedAllMail(facts: ProviderFacts): boolean {
  return (
    facts.deferred === 0 &&
    facts.bounced === 0 &&
    facts.expired === 0 &&
    facts.connectionFailures === 0 &&
    facts.attemptsSinceSent === 0 &&
    facts.rules.size === 0
  );
}

/**
 * Adds the counts of `source`, a relay host's row for which `acceptedAllMail` holds, to
 * `target`, the shared row of relay hosts. Such a row has no reply, failure or block to add.
 * NOTE: when the target already counts failures of relay hosts past `MAX_LATER_RELAY_HOSTS`,
 * the deliveries added here do not count as accepted after those failures, so these read as
 * going on longer than they may have.
 */
function addAcceptedMail(target: ProviderFacts, source: ProviderFacts): void {
  target.relayHostCount += 1;
  target.attempts += source.attempts;
  target.sent += source.sent;
  target.other += source.other;
  target.fromBounces += source.fromBounces;
  target.deferredRecipientsDelivered += source.deferredRecipientsDelivered;
  target.recipients.addAll(source.recipients);
  for (const [domain, count] of source.recipientDomains) {
    addCapped(target.recipientDomains, domain, count);
  }
  for (const [hour, counts] of source.hourly) {
    const sum = target.hourly.get(hour);
    if (sum === undefined) {
      target.hourly.set(hour, { ...counts });
    } else {
      sum.attempts += counts.attempts;
      sum.sent += counts.sent;
      sum.blocked += counts.blocked;
    }
  }
  target.lastHour = NaN;
  target.lastHourCounts = null;
  if (source.lastSent !== null && (target.lastSent === null || source.lastSent > target.lastSent)) {
    target.lastSent = source.lastSent;
  }
  const contact = source.firstContact;
  if (contact !== null && (target.firstContact === null || contact < target.firstContact)) {
    target.firstContact = contact;
  }
  const last = source.lastContact;
  if (last !== null && (target.lastContact === null || last > target.lastContact)) {
    target.lastContact = last;
  }
}

/** True for an enhanced status code of a temporary or permanent failure (4.x.x or 5.x.x). */
function isFailureDsn(dsn: string | null): boolean {
  return dsn !== null && (dsn.startsWith("4.") || dsn.startsWith("5."));
}

/** Counts an attempt that the provider did not accept, unless it came before the latest accepted one. */
function countUnaccepted(facts: ProviderFacts, event: DeliveryEvent): void {
  if (facts.lastSent !== null && event.time < facts.lastSent) return;
  facts.attemptsSinceSent += 1;
  if (event.status === "bounced") facts.bouncedSinceSent += 1;
  if (facts.lastAttemptSinceSent === null || event.time > facts.lastAttemptSinceSent) {
    facts.lastAttemptSinceSent = event.time;
  }
}

/**
 * Counts an attempt that the provider did not accept for the block states of its host and
 * outgoing source, matched as `ProviderAnalyser.countSentAfterBlock` matches a delivery. A
 * block signal among them starts its states again right after. An attempt whose relay IP is
 * unknown, such as a connection failure before any MX answered, counts for both families,
 * because it may have been the blocked one.
 */
function countFailedAfterBlock(facts: ProviderFacts, event: DeliveryEvent): void {
  const states = facts.blockedSources.get(event.message.host);
  if (states === undefined) return;
  const source = event.outgoingSource ?? null;
  const family = relayFamilyOf(event.relayIp);
  for (const state of states) {
    if (state.source !== null && state.source !== source) continue;
    if (state.family !== null && family !== null && state.family !== family) continue;
    if (event.time > state.lastBlockTime) state.failedAfter += 1;
  }
}

/** Starts the count of accepted deliveries after a block again, unless `time` is older. */
function restartBlock(state: HostBlockState, time: number): void {
  if (time < state.lastBlockTime) return;
  state.lastBlockTime = time;
  state.sentAfter = 0;
  state.lastSent = null;
  state.failedAfter = 0;
}

/** True when a block signal of family `signal` concerns a block state of family `state`. */
function sameFamily(state: AddressFamily | null, signal: AddressFamily | null): boolean {
  return state === null || signal === null || state === signal;
}

/**
 * Returns the address family of the blocked connection when `source` is no IP address: that of
 * the IP the reply names as judged, or else that of the relay. Returns null when `source` is an
 * IP, because it then names the sending address itself, or when neither IP is known.
 */
function blockFamilyOf(
  source: string | null,
  judgedIp: string | null,
  relayIp: string | null,
): AddressFamily | null {
  if (source !== null && mayBeIp(source) && isIP(source) !== 0) return null;
  return relayFamilyOf(judgedIp) ?? relayFamilyOf(relayIp);
}

/**
 * True unless `text` cannot be an IP address, because an IPv4 address starts with a digit and
 * an IPv6 address has a colon. It spares `isIP`, a large regular expression, the syslog names
 * (`postfix`) that Postfix deliveries give as their outgoing source.
 */
function mayBeIp(text: string): boolean {
  const first = text.charCodeAt(0);
  return (first >= 48 && first <= 57) || text.includes(":");
}

/**
 * Returns the address family of an IP as a log writes it, without parsing it, because it runs
 * for every accepted delivery. A colon makes it IPv6 (Sendmail's `IPv6:2001:db8::1` too),
 * except for an IPv4-mapped address (`::ffff:192.0.2.1`), which is IPv4. A dot makes it IPv4.
 */
function relayFamilyOf(ip: string | null): AddressFamily | null {
  if (ip === null) return null;
  if (ip.includes(":")) return ip.startsWith("::ffff:") && ip.includes(".") ? "ipv4" : "ipv6";
  return ip.includes(".") ? "ipv4" : null;
}

/** Applies {@link isBlockSignalOf} to a reply that the cache classified for a relay host. */
function relayHostReply(classified: ClassifiedReply, relayHost: boolean): ClassifiedReply {
  if (!relayHost || classified.blockSignal) return classified;
  if (!isBlockSignalOf(classified.reply, "relay-host")) return classified;
  return { ...classified, blockSignal: true };
}
