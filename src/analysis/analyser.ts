import { domainOf, PROVIDER_OPERATORS, type ProviderId } from "../knowledge/providers.js";
import type {
  DeliveryEvent,
  FilterCopyEvent,
  LogEvent,
  LoggedMessage,
  MessageEvent,
  SessionReplyEvent,
} from "../logs/events.js";
import { isLoopback } from "../logs/postfix/fields.js";
import type { ReplyExplainer } from "./explainer.js";
import type { Delivery, MessageState } from "./delivery.js";
import { hashString } from "./distinct.js";
import type { BounceResult } from "../bounce/types.js";
import { BounceInputAnalyser, ComplaintAnalyser, bounceDelivery, resultTime } from "./bounces.js";
import { SmtpBypassAnalyser } from "./bypass.js";
import { SenderDomainAnalyser } from "./domains.js";
import { addCapped } from "./replies.js";
import { ForwardingAnalyser } from "./forwarding.js";
import { FrozenAnalyser } from "./frozen.js";
import { OriginAnalyser } from "./origins.js";
import { ProviderResolver } from "./provider-resolver.js";
import type { ClassifiedReply } from "./reply-cache.js";
import { deliveryProvider } from "./relay-host.js";
import { ProviderAnalyser } from "./providers.js";
import { QueueSpaceAnalyser } from "./queue-space.js";
import type { RecipientDomainTable } from "./recipient-domains.js";
import { UnknownRecipientAnalyser } from "./recipients.js";
import { ServerAnalyser, serverOf } from "./server.js";
import { VolumeAnalyser } from "./volume.js";

/** Everything the analysers gathered from a log run; the diagnosis is computed from it. */
export interface LogFacts {
  readonly providers: ProviderAnalyser["providers"];
  /** Results per recipient domain, for the busiest domains. */
  readonly recipientDomains: RecipientDomainTable;
  /** Remote messages with at least one deferred recipient, each counted once. */
  readonly deferredMessages: number;
  readonly volume: VolumeAnalyser;
  readonly origins: OriginAnalyser;
  readonly forwarding: ForwardingAnalyser;
  readonly unknownRecipients: UnknownRecipientAnalyser;
  readonly server: ServerAnalyser;
  readonly senderDomains: SenderDomainAnalyser;
  /** Spam complaints and counts from bounce messages (`diagnose --bounces`). */
  readonly complaints: ComplaintAnalyser;
  readonly bounceInput: BounceInputAnalyser;
  /** Firewall-logged SMTP connections next to the MTA's own attempts. */
  readonly bypass: SmtpBypassAnalyser;
  /** Messages frozen in the MTA's queue (Exim). */
  readonly frozen: FrozenAnalyser;
  /** Lines that show the queue file system short of free space (Postfix). */
  readonly queueSpace: QueueSpaceAnalyser;
  /** Time of the first and last event, or null when there were none. */
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  /** Remote delivery attempts and session replies seen. */
  readonly remoteAttempts: number;
  readonly sessionReplies: number;
  /** Events of MTA lines (not Dovecot or OpenDKIM): zero means the input held no mail log. */
  readonly mtaEvents: number;
}

const BOUNCE_BEFORE_LOG_MS = 24 * 60 * 60 * 1000;
const BOUNCE_AFTER_LOG_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Feeds log events to the analysers. It keeps no per-event list: every analyser counts into
 * bounded structures, so memory does not grow with the size of the log.
 */
export class LogAnalyser {
  private readonly providers: ProviderAnalyser;
  private readonly volume = new VolumeAnalyser();
  private readonly origins = new OriginAnalyser();
  private readonly forwarding = new ForwardingAnalyser();
  private readonly unknownRecipients: UnknownRecipientAnalyser;
  private readonly server = new ServerAnalyser();
  private readonly senderDomains = new SenderDomainAnalyser();
  private readonly complaints = new ComplaintAnalyser();
  private readonly bounceInput = new BounceInputAnalyser();
  private readonly bypass = new SmtpBypassAnalyser();
  private readonly frozen = new FrozenAnalyser();
  private readonly queueSpace = new QueueSpaceAnalyser();
  private readonly resolver = new ProviderResolver();
  // States of messages whose slot already contains another analyser's state. That case is
  // rare, so it gets the slower WeakMap. Either way the state dies with the message object.
  private otherStates: WeakMap<LoggedMessage, MessageState> | null = null;
  private firstTime: number | null = null;
  private lastTime: number | null = null;
  // The time span of the mail log, taken at the first bounce result, before bounces widen
  // `firstTime` and `lastTime`. Null when no mail log was read.
  private logSpan: { first: number; last: number } | null | undefined;
  private remoteAttempts = 0;
  private sessionReplies = 0;
  private mtaEvents = 0;

  constructor(explainer: ReplyExplainer) {
    this.providers = new ProviderAnalyser(explainer, this.resolver);
    this.unknownRecipients = new UnknownRecipientAnalyser((text, hints) =>
      this.providers.explainFully(text, hints),
    );
  }

  /** Takes one event; bind it (`analyser.handle.bind(analyser)`) to use it as an EventSink. */
  handle(event: LogEvent): void {
    this.track(event.time);
    if (isMtaEvent(event)) this.mtaEvents += 1;
    switch (event.type) {
      case "delivery":
        this.addDelivery(event);
        return;
      case "session-reply":
        this.addSessionReply(event);
        return;
      case "message":
        this.addMessage(event);
        return;
      case "reject":
        this.server.addReject(event);
        return;
      case "auth-failure":
        this.server.addAuthFailure(event);
        return;
      case "login":
        this.server.addLogin(event);
        return;
      case "tls":
        this.server.addTls(event);
        return;
      case "lifecycle":
        this.server.addLifecycle(event);
        return;
      case "fatal-error":
        this.server.addFatalError(event);
        return;
      case "dkim-signing":
        this.server.addDkim(event);
        return;
      case "filter-copy":
        this.addFilterCopy(event);
        return;
      case "smtp-connection":
        this.bypass.addConnection(event);
        return;
      case "frozen":
        this.frozen.add(event);
        return;
      case "hold":
        this.server.putOnHold[event.kind] += 1;
        return;
      case "hold-released":
        this.server.releasedFromHold += 1;
        return;
      case "queue-space":
        this.queueSpace.add(event);
        return;
      case "postfix-instance":
        this.queueSpace.addSyslogName(event);
    }
  }

  /** Returns the gathered facts; the analyser should not be fed afterwards. */
  finish(): LogFacts {
    this.providers.finish();
    this.server.finish();
    this.bypass.finish();
    return {
      providers: this.providers.providers,
      recipientDomains: this.providers.recipientDomains,
      deferredMessages: this.providers.deferredMessages,
      volume: this.volume,
      origins: this.origins,
      forwarding: this.forwarding,
      unknownRecipients: this.unknownRecipients,
      server: this.server,
      senderDomains: this.senderDomains,
      complaints: this.complaints,
      bounceInput: this.bounceInput,
      bypass: this.bypass,
      frozen: this.frozen,
      queueSpace: this.queueSpace,
      firstTime: this.firstTime,
      lastTime: this.lastTime,
      remoteAttempts: this.remoteAttempts,
      sessionReplies: this.sessionReplies,
      mtaEvents: this.mtaEvents,
    };
  }

  /**
   * Takes one recipient result of a bounce message. Call it after the last log event. Failures
   * and delays join the delivery evidence of their provider (verdict, reasons, unknown
   * recipients, authentication) but not the volume and sender analyses, which only logs can
   * show completely. Complaints feed the spam-complaints evidence. Results dated well outside
   * the mail log, and results that `logged` marks as reporting an attempt the log shows, are
   * counted and left out.
   */
  addBounce(result: BounceResult, logged = false): void {
    const input = this.bounceInput;
    input.results += 1;
    if (result.kind === "feedback") {
      input.complaints += 1;
      // A complaint without a date cannot be placed in time, so it stays in the finding.
      // NOTE: a report with neither a readable Arrival-Date nor a readable Date header stays in
      // however old it is.
      const time = resultTime(result);
      if (time !== null && this.isOutsideLog(time)) {
        input.complaintsOutsideLog += 1;
        return;
      }
      this.complaints.add(result);
      return;
    }
    if (result.kind === "auto-reply") {
      input.autoReplies += 1;
      return;
    }
    const event = bounceDelivery(result);
    if (event === null) {
      input.undated += 1;
      return;
    }
    const failedOrDelayed = event.status === "bounced" || event.status === "deferred";
    if (event.status === "bounced") input.failed += 1;
    else if (event.status === "deferred") input.delayed += 1;
    const senderDomain = domainOf(result.originalSender ?? "");
    if (failedOrDelayed && senderDomain !== null) addCapped(input.senderDomains, senderDomain);
    if (this.isOutsideLog(event.time)) {
      // Recipients that neither failed nor were delayed (delivered, relayed) are not counted,
      // because the input report counts failures and delays only.
      if (failedOrDelayed) input.outsideLog += 1;
      return;
    }
    if (logged) {
      input.alreadyLogged += 1;
      return;
    }
    this.track(event.time);

    const provider = result.provider ?? this.providerOf(event);
    const delivery: Delivery = {
      event,
      state: this.stateOf(event.message),
      provider,
      operator: PROVIDER_OPERATORS[provider],
      recipientHash: hashString(event.recipient),
      recipientDomain: this.resolver.recipientDomain(event.recipient),
    };
    const classified = this.providers.addDelivery(delivery);
    this.addJudgedIp(classified, delivery);
    this.unknownRecipients.addDelivery(delivery, classified);
    this.senderDomains.addDelivery(delivery, classified);
  }

  /**
   * True when mail logs were read and `time` lies more than a day before their first event
   * or more than a week after their last. A bounce comes after its attempt, and a deferred
   * message may bounce days later (Postfix gives up after five days by default). The span is
   * the logs' own, so the bounces inside it do not widen it for the ones after them.
   */
  private isOutsideLog(time: number): boolean {
    if (this.logSpan === undefined) this.logSpan = this.currentLogSpan();
    if (this.logSpan === null) return false;
    return (
      time < this.logSpan.first - BOUNCE_BEFORE_LOG_MS ||
      time > this.logSpan.last + BOUNCE_AFTER_LOG_MS
    );
  }

  private currentLogSpan(): { first: number; last: number } | null {
    if (this.mtaEvents === 0 || this.firstTime === null || this.lastTime === null) return null;
    return { first: this.firstTime, last: this.lastTime };
  }

  private addMessage(event: MessageEvent): void {
    const message = event.message;
    if (event.nothingQueued === true) {
      this.addEmptyTransaction(message);
      return;
    }
    this.server.messagesAccepted += 1;
    if (message.mta !== "bounce") this.server.mtas.add(message.mta);
    if (message.host !== "") addCapped(this.server.hostnames, message.host);
    const state = this.stateOf(message);
    if (state.host !== null) state.host.messages += 1;
    this.origins.addMessage(state, event.time);
    this.queueSpace.addMessage(message);
  }

  /**
   * Notes the MTA, host and hour of a transaction that queued nothing, so that a log of rejects
   * only still shows them. It counts as no message of the server, its host or its hour.
   */
  private addEmptyTransaction(message: LoggedMessage): void {
    if (message.mta !== "bounce") this.server.mtas.add(message.mta);
    if (message.host !== "") addCapped(this.server.hostnames, message.host);
    this.server.hostCountsOf(message);
    this.volume.hourFor(message);
  }

  // A linked copy's `message` event counted it for its host too, so it comes out of both counts.
  private addFilterCopy(event: FilterCopyEvent): void {
    this.server.addFilterCopy(event);
    if (event.copy === null) return;
    const host = this.stateOf(event.copy).host;
    if (host !== null) host.messages -= 1;
  }

  private addDelivery(event: DeliveryEvent): void {
    if (event.status === "other") {
      this.addProbe(event);
      return;
    }
    if (event.withoutAttempt !== undefined) {
      this.addResultWithoutAttempt(event);
      return;
    }
    if (!event.remote) {
      if (isExpiryWithoutRecipient(event)) this.server.expiredWithoutRecipient += 1;
      else if (event.status === "sent") this.addLocalSent(event);
      else if (event.handoff === "filter") this.addFilterFailure(event);
      else if (isMailboxDelivery(event) || event.queueExpiry === true) {
        // An expiry of mail that stayed here names no transport (Exim's `** a@example.com:
        // retry timeout exceeded` after local deferrals), but it is a failed local delivery.
        this.server.localDeliveryFailures.add(event);
      }
      return;
    }
    const delivery = this.deliveryOf(event);
    this.origins.claimRelayClient(delivery.state, event);
    // An expiry line reports that the MTA gave up, without connecting to anyone.
    if (event.queueExpiry !== true) {
      this.remoteAttempts += 1;
      if (delivery.state.host !== null) delivery.state.host.remoteAttempts += 1;
      this.bypass.addMtaConnection(event.time);
    }
    const classified = this.providers.addDelivery(delivery);
    this.addJudgedIp(classified, delivery);
    this.volume.addDelivery(delivery);
    this.origins.addDelivery(delivery, classified);
    this.forwarding.addDelivery(delivery, classified);
    this.unknownRecipients.addDelivery(delivery, classified);
    this.senderDomains.addDelivery(delivery, classified);
  }

  /**
   * Counts a delivery result that carried no mail (see `ServerAnalyser.addressProbes`). It is
   * no attempt and no outbound mail, but a receiver's refusal of a probe to it still shows how
   * that receiver treats this server, so the reply counts for its provider.
   */
  private addProbe(event: DeliveryEvent): void {
    this.server.addressProbes += 1;
    if (!event.remote) return;
    const delivery = this.deliveryOf(event);
    this.addJudgedIp(this.providers.addProbeReply(delivery), delivery);
  }

  /** Counts the IP that a classified reply to `delivery` names as the one the receiver judged. */
  private addJudgedIp(classified: ClassifiedReply | null, delivery: Delivery): void {
    const judgedIp = classified?.judgedIp;
    if (!judgedIp) return;
    const event = delivery.event;
    const server = serverOf(event.message);
    this.server.addJudgedIp(judgedIp, event.time, delivery.provider, event.relayIp, server);
  }

  /**
   * Counts a deferral or bounce that the MTA logged without trying to deliver. A suspended
   * deferral of mail for another server counts for its provider, its volume hour and its
   * origin, but as no attempt, because no receiver saw the mail. A suspended deferral of mail
   * for this host is a failed local delivery, and one for a loopback address is a content
   * filter's (see `addFilterFailure`). The MTA's own decisions count for the origin and in
   * `undeliveredByServer`, never as a provider's reply. A deliberate refusal by this server's
   * own rules (`policy`) counts in `localPolicyRejections` instead, because it is no mail that
   * the server holds back.
   */
  private addResultWithoutAttempt(event: DeliveryEvent): void {
    if (event.status !== "deferred" && event.status !== "bounced") return;
    const suspended = event.withoutAttempt === "suspended";
    if (suspended && !event.remote) {
      // A socket path (Dovecot's `private/dovecot-lmtp`) has no IP, so it stays a mailbox.
      // NOTE: an LMTP server on 127.0.0.1 reads as a filter here, because the suspended line
      // names no transport. Only outbound mail counts for the origin, which limits the harm.
      if (isLoopback(event.relayIp)) this.addFilterFailure(event);
      else this.server.localDeliveryFailures.add(event);
      return;
    }
    const delivery = this.deliveryOf(event);
    this.origins.claimRelayClient(delivery.state, event);
    if (suspended) {
      this.providers.addSuspendedDeferral(delivery);
      this.volume.addDelivery(delivery);
    } else if (event.withoutAttempt === "policy") {
      this.server.localPolicyRejections.add(event);
    } else {
      this.server.undeliveredByServer.add(event, delivery.state.host?.name ?? null);
      this.server.unroutableDomains.add(event);
    }
    this.origins.addResultWithoutAttempt(delivery);
  }

  /**
   * Counts a delivery that stayed on this host. The recipient of a local submission that was
   * handed to an MTA whose copy the log does not link counts for the origin here, because no
   * later delivery will count it. A recipient without a domain is a user of this host, so its
   * hand-off is no outbound mail and does not count for the origin.
   */
  private addLocalSent(event: DeliveryEvent): void {
    this.server.addLocalSent(event);
    if (event.submissionHandoff === true && hasDomain(event.recipient)) {
      this.origins.addHandedOver(this.deliveryOf(event));
    }
  }

  /**
   * Counts a deferral or bounce at a hand-off to a content filter on this host (amavis down or
   * rejecting) as a failed local delivery. Mail from a known account or local program, or to a
   * named provider, was outbound: it also counts in `outboundFilterFailures` and for its
   * origin, as the result the filter held back instead of a receiver. A recipient without a
   * domain (`to=report` of a local `mail` command) is a local user, so its failure is no
   * outbound mail and counts for neither.
   */
  private addFilterFailure(event: DeliveryEvent): void {
    if (event.status !== "deferred" && event.status !== "bounced") return;
    this.server.localDeliveryFailures.add(event);
    if (!hasDomain(event.recipient)) return;
    const delivery = this.deliveryOf(event);
    if (delivery.state.origin === null && delivery.provider === "other") return;
    this.server.outboundFilterFailures.add(event, delivery.state.host?.name ?? null);
    this.origins.addHeldResult(delivery);
  }

  /** Returns the provider whose reply a delivery shows (see `deliveryProvider`). */
  private providerOf(event: DeliveryEvent): ProviderId {
    return deliveryProvider(event, this.resolver);
  }

  /** Returns the delivery with its provider and per-message state, as the analysers take it. */
  private deliveryOf(event: DeliveryEvent): Delivery {
    const provider = this.providerOf(event);
    return {
      event,
      state: this.stateOf(event.message),
      provider,
      operator: PROVIDER_OPERATORS[provider],
      recipientHash: hashString(event.recipient),
      recipientDomain: this.resolver.recipientDomain(event.recipient),
    };
  }

  private addSessionReply(event: SessionReplyEvent): void {
    this.sessionReplies += 1;
    this.server.addSessionReply(event);
    this.bypass.addMtaConnection(event.time);
    const provider = this.resolver.resolve(event.relayHost, null);
    const reply = this.providers.addSessionReply(event, provider);
    if (reply.judgedIp !== null) {
      const server = serverOf(event.message);
      this.server.addJudgedIp(reply.judgedIp, event.time, provider, event.relayIp, server);
    }
  }

  // The message's counters are found at its first event and kept in its `analysisState` slot,
  // which is cheaper than a WeakMap look-up on every event.
  private stateOf(message: LoggedMessage): MessageState {
    const slot = message.analysisState as MessageState | null;
    if (slot !== null && slot.analyser === this) return slot;
    if (slot === null) {
      const state = this.newState(message);
      message.analysisState = state;
      return state;
    }
    this.otherStates ??= new WeakMap();
    let state = this.otherStates.get(message);
    if (state === undefined) {
      state = this.newState(message);
      this.otherStates.set(message, state);
    }
    return state;
  }

  // Fields are copied one by one because V8 builds a spread literal on a slow path, which made
  // a spread of the origin parts the costliest line of the analysis.
  private newState(message: LoggedMessage): MessageState {
    const parts = this.origins.partsFor(message);
    return {
      analyser: this,
      message,
      host: this.server.hostCountsOf(message),
      origin: parts.origin,
      originHourRow: parts.originHourRow,
      clientIp: parts.clientIp,
      volumeHour: this.volume.hourFor(message),
      sender: this.unknownRecipients.countsFor(message),
      senderDomain: this.senderDomains.factsFor(message),
      counted: false,
      deferred: null,
      deferredRows: null,
      forwarded: false,
    };
  }

  private track(time: number): void {
    if (!Number.isFinite(time)) return;
    if (this.firstTime === null || time < this.firstTime) this.firstTime = time;
    if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
  }
}

/**
 * Tells whether a delivery that stayed on this host went to a mailbox or program, as those of
 * Postfix `local`, `virtual`, `lmtp` and `pipe`, Exim's local transports and Sendmail's `local`
 * and `prog` mailers do. SMTP hand-offs to a content filter or another instance on this host
 * (Postfix `smtp`, Exim `remote_smtp`, Sendmail `relay`) are no mailbox delivery.
 */
function isMailboxDelivery(event: DeliveryEvent): boolean {
  const transport = event.transport;
  return transport !== null && !transport.includes("smtp") && transport !== "relay";
}

/**
 * True for the expiry of a message whose deferrals all came before the log, which the Postfix
 * and Sendmail parsers report with recipient "" and no relay.
 */
function isExpiryWithoutRecipient(event: DeliveryEvent): boolean {
  return event.queueExpiry === true && event.status === "expired" && event.recipient === "";
}

/**
 * True when a recipient names a domain. Sendmail's submission program logs local users as bare
 * names (`to=root`), which the MTA on this host delivers, so such a recipient is no outbound mail.
 */
function hasDomain(recipient: string): boolean {
  return recipient.includes("@");
}

/** True for events of MTA lines; Dovecot, OpenDKIM and firewall events alone make no mail log. */
function isMtaEvent(event: LogEvent): boolean {
  if (event.type === "login") return event.protocol === "smtp";
  if (event.type === "dkim-signing") return false;
  if (event.type === "smtp-connection") return false;
  return event.type !== "auth-failure" || !event.program.startsWith("dovecot");
}
