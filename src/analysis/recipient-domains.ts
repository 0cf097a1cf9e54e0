import type { ProviderId } from "../knowledge/providers.js";
import type { Delivery } from "./delivery.js";
import { SpaceSaving, type SpaceSavingEntry } from "./top-counts.js";
import { detach } from "./time.js";

/**
 * Maximum number of recipient domains counted at once. A bulk sender can reach a million
 * domains, so the table keeps the busiest ones (see {@link RecipientDomainTable}). The number
 * is an estimate: 4,096 rows cost an estimated 2 MB, and a domain with more than a 4,096th of all
 * results is sure to be in the table.
 */
export const RECIPIENT_DOMAIN_CAPACITY = 4096;

/** Maximum number of reply codes counted per domain; later codes are left out. */
const MAX_CODES_PER_DOMAIN = 8;

/** Delivery results of one recipient domain since it last entered the table. */
export interface RecipientDomainFacts {
  /** The provider row of the first result counted, such as `other` or `relay-host`. */
  provider: ProviderId;
  /** Delivery attempts, as `ProviderFacts.attempts` counts them. */
  attempts: number;
  sent: number;
  /** Deferrals, every retry counted, including those the MTA made without an attempt. */
  deferred: number;
  /** Message and recipient pairs deferred at least once, as `ProviderFacts` counts them. */
  deferredRecipients: number;
  bounced: number;
  /** Attempts rejected or deferred for a sender-side reason (a block signal). */
  blockedAttempts: number;
  /** Non-2xx replies by `421 4.7.28`-style code, at most `MAX_CODES_PER_DOMAIN` codes. */
  codes: Map<string, number> | null;
}

/**
 * Counts delivery results per recipient domain in bounded memory. It is a Space-Saving table
 * of `RECIPIENT_DOMAIN_CAPACITY` domains, ranked by results (attempts and deferrals made
 * without an attempt). While the table has room, every count is exact. Once it is full, a new
 * domain replaces the one with the fewest results, and its counts start at zero. So a domain's
 * counts are exact when it entered the table before the first replacement and stayed. Else
 * they miss at most `overcount` results from before it entered.
 * NOTE: each domain that enters the full table costs a copy of its name (`detach`). On a log
 * of a million deliveries to a million domains that made the CPU time about a third longer.
 */
export class RecipientDomainTable {
  private readonly table: SpaceSaving<RecipientDomainFacts>;
  // The provider of the result being counted, read by `newFacts`, so that no closure is made
  // per delivery.
  private provider: ProviderId = "other";

  constructor(readonly capacity = RECIPIENT_DOMAIN_CAPACITY) {
    this.table = new SpaceSaving(capacity, (_domain, replaced) => this.newFacts(replaced));
  }

  /**
   * Counts a result of `delivery` and returns its domain's counters, or null when the
   * recipient has no domain. `attempt` is false for a deferral the MTA made without trying.
   */
  add(delivery: Delivery, attempt: boolean): RecipientDomainFacts | null {
    const domain = delivery.recipientDomain;
    if (domain === null) return null;
    this.provider = delivery.provider;
    const facts = this.table.add(domain);
    if (attempt) facts.attempts += 1;
    return facts;
  }

  /** True while no domain was replaced, so every count is exact and no domain is missing. */
  get isExact(): boolean {
    return this.table.isExact;
  }

  /** Returns up to `limit` domains, most results first (see {@link SpaceSaving.top}). */
  top(limit: number): Array<SpaceSavingEntry<RecipientDomainFacts>> {
    return this.table.top(limit);
  }

  // A replaced domain's counters are reset and reused, so a spray of new domains allocates no
  // counters.
  private newFacts(replaced: RecipientDomainFacts | null): RecipientDomainFacts {
    if (replaced !== null) {
      replaced.provider = this.provider;
      replaced.attempts = 0;
      replaced.sent = 0;
      replaced.deferred = 0;
      replaced.deferredRecipients = 0;
      replaced.bounced = 0;
      replaced.blockedAttempts = 0;
      replaced.codes = null;
      return replaced;
    }
    return {
      provider: this.provider,
      attempts: 0,
      sent: 0,
      deferred: 0,
      deferredRecipients: 0,
      bounced: 0,
      blockedAttempts: 0,
      codes: null,
    };
  }
}

/** Counts a non-2xx reply code of a domain, unless the domain already has its maximum of codes. */
export function countDomainCode(facts: RecipientDomainFacts, code: string): void {
  facts.codes ??= new Map();
  const current = facts.codes.get(code);
  if (current !== undefined) facts.codes.set(code, current + 1);
  else if (facts.codes.size < MAX_CODES_PER_DOMAIN) facts.codes.set(detach(code), 1);
}

/** Returns the most frequent reply code of a domain and its count, or null when it has none. */
export function topDomainCode(
  facts: RecipientDomainFacts,
): { readonly code: string; readonly count: number } | null {
  let top: { code: string; count: number } | null = null;
  for (const [code, count] of facts.codes ?? []) {
    if (top === null || count > top.count) top = { code, count };
  }
  return top;
}
