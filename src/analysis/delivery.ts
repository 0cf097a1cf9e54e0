import type { ProviderId } from "../knowledge/providers.js";
import type { DeliveryEvent, LoggedMessage } from "../logs/events.js";
import type { SenderDomainFacts } from "./domains.js";
import type { ClientIpUse, OriginFacts } from "./origins.js";
import type { SenderCounts } from "./recipients.js";
import type { HostCounts } from "./server.js";
import type { ProviderFacts } from "./providers.js";
import type { HourVolume } from "./volume.js";

/**
 * Analysis state of one message, worked out at its first event. The counters it
 * points to are looked up once per message instead of once per delivery attempt, which
 * matters when a log has millions of attempts.
 */
export interface MessageState {
  /** The analyser that created this state; a message's `analysisState` slot is one analyser's. */
  readonly analyser: object;
  readonly message: LoggedMessage;
  /**
   * The account, local program or relay client that submitted it, or null. A relay client is
   * set at the first remote delivery result (see `OriginAnalyser.claimRelayClient`).
   */
  origin: OriginFacts | null;
  /** The row of the hour the message was submitted in `origin.hourly`, or -1. */
  originHourRow: number;
  /** The origin's counters for the client address it was submitted from. */
  readonly clientIp: ClientIpUse | null;
  /** Counters of the server that logged the message; null for bounce messages. */
  readonly host: HostCounts | null;
  /** Outbound volume counters for the hour the message was submitted; null for bounces. */
  readonly volumeHour: HourVolume | null;
  /** Counters of the envelope sender and its domain. */
  readonly sender: SenderCounts | null;
  readonly senderDomain: SenderDomainFacts | null;
  /** True once the message counted in its volume hour. */
  counted: boolean;
  /** Hashes of the recipients deferred at least once, or null before the first deferral. */
  deferred: Set<number> | null;
  /**
   * The provider rows whose `deferredMessages` count this message, or null before its first
   * deferral. Most messages go to one provider, so a list is cheaper than a set.
   */
  deferredRows: ProviderFacts[] | null;
  /** True once the message counted as forwarded. */
  forwarded: boolean;
}

/** A remote delivery attempt with what every analyser needs, worked out once per event. */
export interface Delivery {
  readonly event: DeliveryEvent;
  readonly state: MessageState;
  readonly provider: ProviderId;
  /** The company behind the provider: `google`, `microsoft`, `yahoo`… */
  readonly operator: string;
  /** `hashString` of the recipient, for the distinct counters. */
  readonly recipientHash: number;
  /** The recipient's domain in lower case (`ProviderResolver.recipientDomain`), or null. */
  readonly recipientDomain: string | null;
}
