import ipaddr from "ipaddr.js";
import { domainOf } from "../knowledge/providers.js";
import type { LinePosition, LoggedMessage } from "../logs/events.js";
import type { ClassifiedReply } from "./reply-cache.js";
import type { Delivery } from "./delivery.js";
import { localSourceKey } from "./origins.js";
import { addCapped } from "./replies.js";
import { detach, increment } from "./time.js";

const MAX_ALIASES = 200;
/** Keys kept per count when tallies are merged, as `addCapped` keeps per count. */
const MAX_MERGED_KEYS = 1000;
/** Recipient domains tallied one by one; forwards to further domains share one tally. */
const MAX_DOMAINS = 1000;

/**
 * Address ranges of the site's own network. A forward relayed to such an address goes to
 * another host of the same site (an internal smarthost or mailbox server), so no outside
 * receiver judges this server by it.
 */
const INTERNAL_RANGES: ReadonlySet<string> = new Set([
  "loopback",
  "private",
  "uniqueLocal",
  "linkLocal",
]);

/** Forwarded mail to one recipient domain, or to every domain past the tally cap. */
export class ForwardingTally {
  messages = 0;
  attempts = 0;
  sent = 0;
  blockedAttempts = 0;
  /** Messages whose envelope sender was rewritten with SRS (`SRS0=`/`SRS1=`). */
  srsMessages = 0;
  first: { time: number; position: LinePosition } | null = null;
  /** When the latest forwarded message entered the queue (epoch ms), or null. */
  lastMessage: number | null = null;
  readonly aliases = new Map<string, string>();
  readonly messagesByAlias = new Map<string, number>();
  readonly recipientsByOperator = new Map<string, number>();
  /** Envelope sender domains of forwarded messages. */
  readonly senderDomains = new Map<string, number>();
  readonly blockRules = new Map<string, number>();
  /** Messages counted in `messages`, so that retries and further recipients count once. */
  private readonly counted = new WeakSet<LoggedMessage>();

  add(delivery: Delivery, classified: ClassifiedReply | null, alias: string): void {
    const event = delivery.event;
    this.attempts += 1;
    if (event.status === "sent") this.sent += 1;
    if (classified?.blockSignal === true) {
      this.blockedAttempts += 1;
      increment(this.blockRules, classified.reply.ruleId);
    }
    if (this.first === null || event.time < this.first.time) {
      this.first = { time: event.time, position: { ...event.position } };
    }
    if (this.counted.has(event.message)) return;

    this.counted.add(event.message);
    this.messages += 1;
    const queued = event.message.firstTime;
    if (this.lastMessage === null || queued > this.lastMessage) this.lastMessage = queued;
    if (!this.aliases.has(alias) && this.aliases.size < MAX_ALIASES) {
      this.aliases.set(detach(alias), detach(event.recipient.toLowerCase()));
    }
    addCapped(this.messagesByAlias, alias);
    increment(this.recipientsByOperator, delivery.operator);
    const sender = event.message.sender ?? "";
    if (/^srs[01][=+-]/i.test(sender)) this.srsMessages += 1;
    const senderDomain = domainOf(sender);
    if (senderDomain !== null) addCapped(this.senderDomains, senderDomain);
  }

  /** Adds the counts of `other` to this tally. */
  merge(other: ForwardingTally): void {
    this.messages += other.messages;
    this.attempts += other.attempts;
    this.sent += other.sent;
    this.blockedAttempts += other.blockedAttempts;
    this.srsMessages += other.srsMessages;
    if (other.first !== null && (this.first === null || other.first.time < this.first.time)) {
      this.first = other.first;
    }
    const last = other.lastMessage;
    if (last !== null && (this.lastMessage === null || last > this.lastMessage)) {
      this.lastMessage = last;
    }
    for (const [alias, target] of other.aliases) {
      if (!this.aliases.has(alias) && this.aliases.size < MAX_ALIASES) {
        this.aliases.set(alias, target);
      }
    }
    mergeCounts(this.messagesByAlias, other.messagesByAlias);
    mergeCounts(this.recipientsByOperator, other.recipientsByOperator);
    mergeCounts(this.senderDomains, other.senderDomains);
    mergeCounts(this.blockRules, other.blockRules);
  }
}

/**
 * Mail that arrived for a local address and left again to another server because of an
 * alias or forward (Postfix `orig_to=`, Exim's `<parent>`). Forwarding spam to Gmail ruins
 * the forwarding server's reputation, and forwarding without SRS fails SPF and DMARC.
 *
 * Forwards that stay inside the site count only in `messages`. They are those relayed to a
 * private or loopback address, and those to the alias's own domain or a parent or subdomain of
 * it (`root@h2.example.com` to `admin@example.com`) at a receiver that delist does not name.
 * Forwards to the server's own domains can only be recognised once the whole log is read,
 * so the rest are tallied per recipient domain; see {@link ForwardingAnalyser.outside}.
 * Mail of SASL accounts, of local programs and bounces is not forwarding and counts nowhere
 * here, even when the MTA logs an original recipient (Exim's `<logcheck@host>` after `=>`).
 */
/** Recipients of this server's own bounces, and those outside its own domains. */
export interface Backscatter {
  readonly bounces: number;
  readonly outside: number;
  /** Up to 5 outside domains with the most bounce recipients, the most first. */
  readonly topDomains: ReadonlyArray<{ domain: string; count: number }>;
}

export class ForwardingAnalyser {
  /** All forwarded messages, also those that stayed inside the site. */
  messages = 0;
  /** The other forwards, by lower-cased recipient domain. */
  readonly byDomain = new Map<string, ForwardingTally>();
  /** Forwards to the domains past {@link MAX_DOMAINS}. */
  private readonly otherDomains = new ForwardingTally();
  /**
   * Recipients of this server's own bounces and delay warnings, by lower-cased recipient domain
   * (as many domains as `addCapped` keeps), so that `backscatter` can tell those sent to outside
   * domains. Only first attempts count.
   */
  readonly bouncesByDomain = new Map<string, number>();

  addDelivery(delivery: Delivery, classified: ClassifiedReply | null): void {
    const event = delivery.event;
    if (event.message.isBounce && event.firstAttempt) {
      addCapped(this.bouncesByDomain, (domainOf(event.recipient) ?? "").toLowerCase());
    }
    const original = event.originalRecipient;
    if (original === null || original.toLowerCase() === event.recipient.toLowerCase()) return;
    const message = event.message;
    if (message.saslUsername !== null || message.isBounce) return;
    if (localSourceKey(message) !== null) return;

    const alias = original.toLowerCase();
    if (!delivery.state.forwarded) this.messages += 1;
    delivery.state.forwarded = true;
    if (staysInside(delivery, alias)) return;
    this.tallyFor(domainOf(event.recipient) ?? "").add(delivery, classified, alias);
  }

  /**
   * Sums the forwards that left the site: all but those to one of `ownDomains`, or a parent or
   * subdomain of one, at receivers that delist does not name. Mail that Gmail or another named
   * provider receives counts even for an own domain, and so do the domains past the tally cap.
   */
  outside(ownDomains: ReadonlySet<string>): ForwardingTally {
    const total = new ForwardingTally();
    for (const [domain, tally] of this.byDomain) {
      if (!isOwnDomain(domain, tally, ownDomains)) total.merge(tally);
    }
    total.merge(this.otherDomains);
    return total;
  }

  /**
   * Counts the recipients of this server's bounces, and of them those outside `ownDomains` (not
   * one of them, nor a parent or subdomain of one), with the outside domains most bounced to.
   * Bounces to forged senders of rejected spam are backscatter.
   */
  backscatter(ownDomains: ReadonlySet<string>): Backscatter {
    let bounces = 0;
    let outside = 0;
    const domains: Array<[string, number]> = [];
    for (const [domain, count] of this.bouncesByDomain) {
      bounces += count;
      const own = [...ownDomains].some((name) => relatedDomains(name, domain));
      if (own || domain === "") continue;
      outside += count;
      domains.push([domain, count]);
    }
    const topDomains = domains
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([domain, count]) => ({ domain, count }));
    return { bounces, outside, topDomains };
  }

  private tallyFor(domain: string): ForwardingTally {
    const known = this.byDomain.get(domain);
    if (known !== undefined) return known;
    if (this.byDomain.size >= MAX_DOMAINS) return this.otherDomains;
    const created = new ForwardingTally();
    this.byDomain.set(detach(domain), created);
    return created;
  }
}

/**
 * True when a forward stays inside the site: relayed to a private or loopback address, or
 * sent to the alias's own domain at a receiver that delist does not name. Mail to a domain
 * hosted by Gmail or another named provider is judged there, so it always counts.
 */
function staysInside(delivery: Delivery, alias: string): boolean {
  const relayIp = delivery.event.relayIp;
  if (relayIp !== null && isInternalAddress(relayIp)) return true;
  if (delivery.provider !== "other") return false;
  const aliasDomain = domainOf(alias);
  const recipientDomain = domainOf(delivery.event.recipient);
  return aliasDomain !== null && recipientDomain !== null
    ? relatedDomains(aliasDomain, recipientDomain)
    : false;
}

function isOwnDomain(
  domain: string,
  tally: ForwardingTally,
  ownDomains: ReadonlySet<string>,
): boolean {
  const operators = [...tally.recipientsByOperator.keys()];
  if (operators.some((operator) => operator !== "other")) return false;
  return [...ownDomains].some((own) => relatedDomains(domain, own));
}

/** True for a loopback, private, unique-local or link-local IPv4 or IPv6 address. */
export function isInternalAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  return INTERNAL_RANGES.has(ipaddr.process(ip).range());
}

/**
 * True when two domains are the same, or one is a subdomain of the other. No public suffix
 * list is needed, because two registrable domains are never subdomains of one another.
 */
export function relatedDomains(a: string, b: string): boolean {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left === right || left.endsWith(`.${right}`) || right.endsWith(`.${left}`);
}

function mergeCounts(into: Map<string, number>, from: ReadonlyMap<string, number>): void {
  for (const [key, count] of from) {
    if (into.has(key) || into.size < MAX_MERGED_KEYS) increment(into, key, count);
  }
}
