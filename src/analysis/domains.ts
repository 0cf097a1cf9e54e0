import { domainOf } from "../knowledge/providers.js";
import type { LoggedMessage } from "../logs/events.js";
import type { Delivery } from "./delivery.js";
import type { ClassifiedReply } from "./reply-cache.js";
import { detach } from "./time.js";

/** Outbound results of one envelope sender domain. */
export interface SenderDomainFacts {
  attempts: number;
  sent: number;
  /** Replies that blame SPF, DKIM or DMARC. */
  authenticationRejections: number;
}

const MAX_DOMAINS = 10_000;

/**
 * Outbound results by envelope sender domain, so that a diagnosis can name the hosted domains
 * that fail authentication and those that pass.
 */
export class SenderDomainAnalyser {
  readonly domains = new Map<string, SenderDomainFacts>();

  /** Returns the counters of the message's envelope sender domain, or null when it has none. */
  factsFor(message: LoggedMessage): SenderDomainFacts | null {
    if (message.isBounce || message.sender === null) return null;
    const domain = domainOf(message.sender);
    if (domain === null) return null;
    let facts = this.domains.get(domain);
    if (facts === undefined) {
      if (this.domains.size >= MAX_DOMAINS) return null;
      facts = { attempts: 0, sent: 0, authenticationRejections: 0 };
      this.domains.set(detach(domain), facts);
    }
    return facts;
  }

  addDelivery(delivery: Delivery, classified: ClassifiedReply | null): void {
    const facts = delivery.state.senderDomain;
    if (facts === null) return;
    facts.attempts += 1;
    if (delivery.event.status === "sent") facts.sent += 1;
    if (classified?.reply.findings.includes("authentication") === true) {
      facts.authenticationRejections += 1;
    }
  }
}
