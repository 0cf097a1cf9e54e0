/**
 * The running DNS lookup counts of one SPF walk, in the order a receiver evaluates the terms.
 * RFC 7208, section 4.6.4, lets a receiver stop with permerror at the 11th DNS-querying term
 * or the 3rd void lookup, so the walk stops there too. Without the stop, an include cycle with
 * fan-out is walked path by path and the work grows exponentially.
 */
export interface LookupBudget {
  /** DNS-querying terms counted so far (include, a, mx, ptr, exists, redirect). */
  lookups: number;
  /** Lookups of `a` and `mx` terms that returned NXDOMAIN or no records. */
  voidLookups: number;
  /** The term that stopped the walk, or null while the walk is within both limits. */
  stop: LookupStop | null;
}

/** The term that passed a limit, and the records the walk went through to reach it. */
export interface LookupStop {
  readonly limit: "lookups" | "void-lookups";
  /** Domains from the checked domain to the record that has the term, lower-cased. */
  readonly chain: readonly string[];
  readonly term: string;
}

/** Maximum number of DNS-querying mechanisms and modifiers per evaluation. */
export const MAX_LOOKUPS = 10;
/** Maximum number of lookups per evaluation that return NXDOMAIN or no records. */
export const MAX_VOID_LOOKUPS = 2;

export function newLookupBudget(): LookupBudget {
  return { lookups: 0, voidLookups: 0, stop: null };
}

/**
 * Counts `count` lookups spent at `term` and returns false when they pass the limit. The walk
 * must then stop without resolving the term, as a receiver does.
 */
export function spendLookups(
  budget: LookupBudget,
  chain: readonly string[],
  term: string,
  count = 1,
): boolean {
  budget.lookups += count;
  if (budget.lookups <= MAX_LOOKUPS) return true;
  budget.stop ??= { limit: "lookups", chain: [...chain], term };
  return false;
}

/** Counts one void lookup at `term` and returns false when it passes the limit. */
export function spendVoidLookup(
  budget: LookupBudget,
  chain: readonly string[],
  term: string,
): boolean {
  budget.voidLookups++;
  if (budget.voidLookups <= MAX_VOID_LOOKUPS) return true;
  budget.stop ??= { limit: "void-lookups", chain: [...chain], term };
  return false;
}
