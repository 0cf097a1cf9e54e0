/**
 * The running DNS lookup counts of one SPF walk, in the order a receiver evaluates the terms.
 * RFC 7208, section 4.6.4, lets a receiver stop with permerror at the 11th DNS-querying term
 * or the 3rd void lookup. The walk notes where a receiver stops and goes on counting up to
 * `MAX_WALKED_LOOKUPS`, so that the report shows how far a record is over the limit. A record
 * reached again is not walked again (see `analyseSpf`). The cap ends the count of an include
 * cycle with fan-out, which grows exponentially.
 */
export interface LookupBudget {
  /** DNS-querying terms counted so far (include, a, mx, ptr, exists, redirect). */
  lookups: number;
  /** Lookups of `a` and `mx` terms that returned NXDOMAIN or no records. */
  voidLookups: number;
  /** The term at which a receiver stops for too many lookups, or null while within the limit. */
  lookupStop: LookupStop | null;
  /** The term at which a receiver stops for too many void lookups, or null while within it. */
  voidStop: LookupStop | null;
}

/** The term that passed a limit, and the records the walk went through to reach it. */
export interface LookupStop {
  /** Domains from the checked domain to the record that has the term, lower-cased. */
  readonly chain: readonly string[];
  readonly term: string;
}

/** Maximum number of DNS-querying mechanisms and modifiers per evaluation. */
export const MAX_LOOKUPS = 10;
/** Maximum number of lookups per evaluation that return NXDOMAIN or no records. */
export const MAX_VOID_LOOKUPS = 2;
/**
 * Lookups after which the walk stops counting. By estimate, a record that passes the limit by
 * mistake needs well under this, so a higher count comes from a cycle or a record built to be
 * expensive.
 */
export const MAX_WALKED_LOOKUPS = 100;

export function newLookupBudget(): LookupBudget {
  return { lookups: 0, voidLookups: 0, lookupStop: null, voidStop: null };
}

/** True once the walk counted more than `MAX_WALKED_LOOKUPS` and must resolve nothing more. */
export function isSpent(budget: LookupBudget): boolean {
  return budget.lookups > MAX_WALKED_LOOKUPS;
}

/**
 * Counts `count` lookups spent at `term`, notes the term when it passes the receivers' limit,
 * and returns false when the walk must stop without resolving the term (see `isSpent`).
 */
export function spendLookups(
  budget: LookupBudget,
  chain: readonly string[],
  term: string,
  count = 1,
): boolean {
  budget.lookups += count;
  if (budget.lookups > MAX_LOOKUPS) budget.lookupStop ??= { chain: [...chain], term };
  return !isSpent(budget);
}

/** Counts one void lookup at `term`, and notes the term when it passes the receivers' limit. */
export function spendVoidLookup(
  budget: LookupBudget,
  chain: readonly string[],
  term: string,
): void {
  budget.voidLookups++;
  if (budget.voidLookups > MAX_VOID_LOOKUPS) budget.voidStop ??= { chain: [...chain], term };
}
