import { domainOf } from "../knowledge/providers.js";
import type { DeliveryEvent, LinePosition } from "../logs/events.js";
import { detach } from "./time.js";

/** Deferrals after this many seconds in the queue make a recipient "long deferred". */
export const LONG_DEFERRAL_SECONDS = 24 * 60 * 60;

/**
 * Caps per row, which keep the memory of a row at an estimated 10 to 20 kB however long the log
 * is. There are at most about 1,020 such rows (the `other` row and one per relay host), so all
 * rows together stay at an estimated 20 MB at worst.
 */
const MAX_TEXTS = 20;
const MAX_TEXT_LENGTH = 160;
const MAX_DOMAINS_PER_TEXT = 3;
const MAX_LONG_DEFERRED = 20;

/** The deferrals of one reply text. */
export interface DeferralText {
  count: number;
  /** The first `MAX_DOMAINS_PER_TEXT` recipient domains of the text. */
  readonly domains: Set<string>;
  /** True when the text had more domains than `domains` contains. */
  moreDomains: boolean;
  /** Longest `delay=` among the text's deferrals, in seconds, or null when none had one. */
  maxDelaySeconds: number | null;
}

/** A message and recipient pair deferred after more than `LONG_DEFERRAL_SECONDS` in the queue. */
export interface LongDeferral {
  readonly recipient: string;
  maxDelaySeconds: number;
  lastTime: number;
  lastPosition: LinePosition;
}

/**
 * The deferrals of a row of small receivers or relay hosts, which the big providers' rules do
 * not explain. It keeps the reply texts with counts and domains, the longest delay in the queue
 * and the recipients deferred for more than a day. Every table is capped (see `MAX_TEXTS`).
 */
export class DeferralDetail {
  /** Deferrals by reply text, without the `host … said:` and `(in reply to …)` wrapper. */
  readonly texts = new Map<string, DeferralText>();
  /** Deferrals whose text was not kept, because `texts` was full. */
  untrackedTexts = 0;
  /** Longest `delay=` of any deferral of the row, in seconds, or null. */
  maxDelaySeconds: number | null = null;
  /** Long-deferred pairs by queue id and recipient, removed again at their final result. */
  readonly longDeferred = new Map<string, LongDeferral>();
  /** True once a long-deferred pair was left out, because `longDeferred` was full. */
  longDeferredCapped = false;

  addDeferral(event: DeliveryEvent): void {
    const delay = event.delaySeconds ?? null;
    if (delay !== null && (this.maxDelaySeconds === null || delay > this.maxDelaySeconds)) {
      this.maxDelaySeconds = delay;
    }
    this.countText(event, delay);
    if (delay !== null && delay > LONG_DEFERRAL_SECONDS) this.keepLongDeferral(event, delay);
  }

  /** Forgets a long-deferred pair that the row delivered, bounced or expired after all. */
  addFinalResult(event: DeliveryEvent): void {
    if (this.longDeferred.size === 0) return;
    this.longDeferred.delete(pairKey(event));
  }

  private countText(event: DeliveryEvent, delay: number | null): void {
    const text = deferralText(event.response);
    let entry = this.texts.get(text);
    if (entry === undefined) {
      if (this.texts.size >= MAX_TEXTS) {
        this.untrackedTexts += 1;
        return;
      }
      entry = { count: 0, domains: new Set(), moreDomains: false, maxDelaySeconds: null };
      this.texts.set(detach(text), entry);
    }
    entry.count += 1;
    if (delay !== null && (entry.maxDelaySeconds === null || delay > entry.maxDelaySeconds)) {
      entry.maxDelaySeconds = delay;
    }
    const domain = domainOf(event.recipient);
    if (domain === null || entry.domains.has(domain)) return;
    if (entry.domains.size < MAX_DOMAINS_PER_TEXT) entry.domains.add(detach(domain));
    else entry.moreDomains = true;
  }

  private keepLongDeferral(event: DeliveryEvent, delay: number): void {
    const key = pairKey(event);
    const kept = this.longDeferred.get(key);
    if (kept !== undefined) {
      kept.maxDelaySeconds = Math.max(kept.maxDelaySeconds, delay);
      kept.lastTime = event.time;
      kept.lastPosition = { ...event.position };
      return;
    }
    if (this.longDeferred.size >= MAX_LONG_DEFERRED) {
      this.longDeferredCapped = true;
      return;
    }
    this.longDeferred.set(detach(key), {
      recipient: detach(event.recipient),
      maxDelaySeconds: delay,
      lastTime: event.time,
      lastPosition: { ...event.position },
    });
  }
}

function pairKey(event: DeliveryEvent): string {
  return `${event.message.host} ${event.message.id} ${event.recipient}`;
}

/**
 * An address in angle brackets inside a reply (`<anna@example.net>: Recipient address rejected:
 * Greylisted`). Replacing it lets the replies of many recipients count as one text.
 */
const ADDRESS_IN_REPLY = /<[^<>\s@]*@[^<>\s]*>/g;

/**
 * Returns the reply text of a deferral without Postfix's wrapper: `host mx.example.net[192.0.2.1]
 * said: 451 … (in reply to RCPT TO command)` gives `451 …`. Other texts, such as `connect to …:
 * Connection timed out`, stay as they are. Addresses in angle brackets become `<address>`, and
 * the result is cut at `MAX_TEXT_LENGTH` characters.
 */
export function deferralText(response: string | null): string {
  if (response === null) return "(no reason logged)";
  let start = 0;
  if (response.startsWith("host ")) {
    const said = response.indexOf(" said: ");
    if (said > 0) start = said + 7;
  }
  let end = response.lastIndexOf(" (in reply to ");
  if (end < start) end = response.length;
  const text = response.slice(start, end).replace(ADDRESS_IN_REPLY, "<address>");
  return text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH - 1)}…` : text;
}
