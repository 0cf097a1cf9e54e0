/**
 * The blocklist catalogue's entry type and the closed sets a blocklist run reports in: what a
 * list lists, how far it can be trusted, and what one answer means.
 */

import type { BlocklistStatus } from "./status.js";

/** What a list is queried with: IPv4 or IPv6 addresses, or domains (RFC 5782). */
export type TargetKind = "ipv4" | "ipv6" | "domain";

/**
 * What a listing means: `block` lists name bad senders, `allow` lists good ones, `mixed`
 * lists return both kinds of code, and `score` zones return a reputation number.
 */
export type ListType = "block" | "allow" | "mixed" | "score";

/**
 * The operator's state of a list. `restricted` lists refuse many non-subscribers, `uncertain`
 * ones have no documented interface, `legacy` ones were merged into another list, and
 * `defunct` ones are switched off. Legacy and defunct lists are never queried.
 */
export type ListStatus = "active" | "restricted" | "uncertain" | "legacy" | "defunct";

/** How much a listing says about the reputation that large mailbox providers see. */
export type Relevance = "high" | "medium" | "low" | "none";

/**
 * How an answer's A records are read: a table of return codes, the last octet as bits
 * (SURBL, URIBL), dnswl.org's category and trust octets, or a score in the last octet.
 */
export type Decoder = "codes" | "bitmask" | "dnswl" | "score";

/** What a return code tells about the queried target. */
export type CodeEffect = "listed" | "not-listed" | "refused";

/** One documented return code, or an inclusive range such as `127.0.0.5-127.0.0.7`. */
export interface ReturnCode {
  readonly code: string;
  readonly effect: CodeEffect;
  readonly meaning: string;
}

/** Where to ask for removal, or why a list has no such page. */
export type Delisting =
  | { readonly url: string; readonly note: string | null }
  | { readonly url: null; readonly reason: string };

/** A secret that some lists need in the query name. */
export type ListKey = "spamhaus-dqs" | "abusix";

/** One DNS blocklist, allow list or reputation zone. */
export interface BlocklistEntry {
  /** Stable id used by `--list`, config files and JSON output, such as `spamhaus-zen`. */
  readonly id: string;
  readonly name: string;
  /** The public zone, without a trailing dot. */
  readonly zone: string;
  /** Further zones of the same list, so a config naming one of them is recognised. */
  readonly otherZones: readonly string[];
  /** The list's label in Spamhaus's Data Query Service: `<key>.<label>.dq.spamhaus.net`. */
  readonly dqsLabel: string | null;
  /** A key the list cannot be queried without; null when the public zone answers. */
  readonly keyRequired: ListKey | null;
  readonly targets: readonly TargetKind[];
  readonly listType: ListType;
  /** What the list contains, in one sentence. */
  readonly description: string;
  readonly decoder: Decoder;
  /** Documented codes, listings and errors alike; anything else is never a listing. */
  readonly codes: readonly ReturnCode[];
  /**
   * Entries the list must and must not contain (RFC 5782 section 5): an address for IP lists,
   * a name (queried as `<name>.<zone>`) for domain lists. Null when the list has none.
   */
  readonly testEntries: { readonly listed: string; readonly notListed: string } | null;
  /** Terms of use and volume limits. */
  readonly usage: string;
  readonly delisting: Delisting;
  readonly status: ListStatus;
  /** Why the list is legacy, defunct or uncertain; null for active lists. */
  readonly statusNote: string | null;
  readonly relevance: Relevance;
  /** Whether a run without `--list` queries it. */
  readonly defaultEnabled: boolean;
  /** True when the list adds an address only for mail that reached its spam traps. */
  readonly trapDriven: boolean;
  /** True for operators known to refuse queries from public resolvers (8.8.8.8, 1.1.1.1…). */
  readonly refusesPublicResolvers: boolean;
  /** Upper limit of queries per second to this list; null for the run's default. */
  readonly queriesPerSecond: number | null;
  /** Facts not yet confirmed from an operator document. */
  readonly unconfirmed: readonly string[];
}

export { BLOCKLIST_STATUSES, isUncheckedStatus, type BlocklistStatus } from "./status.js";

/** Why an answer was taken as a refusal rather than a listing. */
export type RefusalKind =
  | "error-code"
  | "reserved-address"
  | "outside-loopback"
  | "undocumented-code"
  | "server-refused"
  | "public-resolver";

/** One answer read against one list's codes. */
export interface Interpretation {
  readonly status: BlocklistStatus;
  /** The meaning of the returned codes, or what went wrong; null for a plain "not listed". */
  readonly meaning: string | null;
  /** The A records returned, in answer order. */
  readonly codes: readonly string[];
  /** The reputation score of `score` zones (0 to 100), else null. */
  readonly score: number | null;
  readonly refusal: RefusalKind | null;
}

/** The result of one target on one list: one row of the `delist blocklists` table. */
export interface BlocklistResult extends Interpretation {
  readonly target: string;
  readonly targetKind: TargetKind;
  readonly list: string;
  readonly listType: ListType;
  /** The name asked for, with any access key replaced by `<dqs-key>`; null when not sent. */
  readonly query: string | null;
  /** The removal page, shown for listings. */
  readonly delisting: string | null;
}
