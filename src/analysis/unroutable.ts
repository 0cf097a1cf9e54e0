import { domainOf } from "../knowledge/providers.js";
import type { DeliveryEvent, LinePosition } from "../logs/events.js";
import { detach } from "./time.js";

/** The bounces of one domain that this server found no route to. */
export interface UnroutableDomain {
  bounces: number;
  readonly first: LinePosition;
  readonly firstTime: number;
}

/**
 * Exim's wording when none of its routers accepts an address. For a remote domain this usually
 * means that DNS gives the domain no MX, A or AAAA record.
 */
const UNROUTABLE = /\bUnroutea?ble address\b/i;

const MAX_DOMAINS = 1_000;

/**
 * Domains that this server's own router could not route to, by recipient domain of its bounces.
 * When such a domain is also the envelope sender of outbound mail, receivers that check the
 * sender domain reject that mail.
 */
export class UnroutableDomainTally {
  readonly domains = new Map<string, UnroutableDomain>();

  /** Counts `event` when it is a bounce that this server decided for lack of a route. */
  add(event: DeliveryEvent): void {
    if (event.status !== "bounced" || event.response === null) return;
    if (!UNROUTABLE.test(event.response)) return;
    const domain = domainOf(event.recipient);
    if (domain === null) return;
    const counted = this.domains.get(domain);
    if (counted !== undefined) {
      counted.bounces += 1;
      return;
    }
    if (this.domains.size >= MAX_DOMAINS) return;
    this.domains.set(detach(domain), {
      bounces: 1,
      first: { file: event.position.file, line: event.position.line },
      firstTime: event.time,
    });
  }
}
