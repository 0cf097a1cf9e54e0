import { topDomainCode, type RecipientDomainTable } from "../analysis/recipient-domains.js";
import type { ProviderId } from "../knowledge/providers.js";

/** Maximum number of recipient domains that the JSON reports list. */
export const RECIPIENT_DOMAINS_LISTED = 100;

/** Delivery results of one recipient domain. */
export interface RecipientDomainReport {
  readonly domain: string;
  /** The provider row of the domain's first counted result, such as `other`. */
  readonly provider: ProviderId;
  readonly attempts: number;
  readonly sent: number;
  /** Deferrals, every retry counted, including those made without an attempt. */
  readonly deferred: number;
  readonly deferredRecipients: number;
  readonly bounced: number;
  /** Attempts rejected or deferred for a sender-side reason (a block signal). */
  readonly blockedAttempts: number;
  /** The most frequent non-2xx reply code and its count, or null when there was none. */
  readonly topCode: { readonly code: string; readonly count: number } | null;
  /**
   * Results (attempts and deferrals made without an attempt) that the domain may have had
   * before it entered the table, which none of its counts include. 0 when the counts are exact.
   */
  readonly maxUncountedResults: number;
}

/** The busiest recipient domains of all provider rows. */
export interface RecipientDomainsReport {
  /**
   * True once the table was full and dropped a domain for a new one. Domains with few results
   * may then be missing, and rows whose `maxUncountedResults` is above 0 may count too little.
   */
  readonly approximate: boolean;
  /** Maximum number of domains counted at once. */
  readonly capacity: number;
  /** Up to `RECIPIENT_DOMAINS_LISTED` domains, most results first. */
  readonly domains: readonly RecipientDomainReport[];
}

/** Lists the busiest recipient domains of a log run. */
export function recipientDomainsReport(table: RecipientDomainTable): RecipientDomainsReport {
  return {
    approximate: !table.isExact,
    capacity: table.capacity,
    domains: table.top(RECIPIENT_DOMAINS_LISTED).map(({ key, overcount, value }) => ({
      domain: key,
      provider: value.provider,
      attempts: value.attempts,
      sent: value.sent,
      deferred: value.deferred,
      deferredRecipients: value.deferredRecipients,
      bounced: value.bounced,
      blockedAttempts: value.blockedAttempts,
      topCode: topDomainCode(value),
      maxUncountedResults: overcount,
    })),
  };
}
