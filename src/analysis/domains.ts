import { domainOf } from "../knowledge/providers.js";
import type { DeliveryEvent } from "../logs/events.js";
import type { ExplainedReply } from "../reply/types.js";
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
 * Outbound results by envelope sender domain, so a diagnosis can say which of the hosted
 * domains fail authentication and which do not.
 */
export class SenderDomainAnalyser {
  readonly domains = new Map<string, SenderDomainFacts>();
  // Consecutive deliveries usually belong to one message, so the last sender's domain is kept.
  private lastSender: string | null = null;
  private lastDomain: string | null = null;

  addDelivery(event: DeliveryEvent, reply: ExplainedReply | null): void {
    const sender = event.message.sender;
    if (event.message.isBounce || sender === null) return;
    if (sender !== this.lastSender) {
      this.lastSender = sender;
      this.lastDomain = domainOf(sender);
    }
    const domain = this.lastDomain;
    if (domain === null) return;
    let facts = this.domains.get(domain);
    if (facts === undefined) {
      if (this.domains.size >= MAX_DOMAINS) return;
      facts = { attempts: 0, sent: 0, authenticationRejections: 0 };
      this.domains.set(detach(domain), facts);
    }
    facts.attempts += 1;
    if (event.status === "sent") facts.sent += 1;
    if (reply !== null && reply.findings.includes("authentication")) {
      facts.authenticationRejections += 1;
    }
  }
}
