import type { DnsResult } from "../dns/types.js";
import { interpretAnswer } from "./interpret.js";
import { health, isQueried, type ListHealth } from "./probe.js";
import type { PublicResolver } from "./public-resolver.js";
import {
  listApplies,
  listZone,
  queryName,
  testQueryName,
  type ListZone,
  type Target,
} from "./query-name.js";
import type { ScheduledQuery } from "./scheduler.js";
import type { BlocklistEntry, BlocklistResult, Interpretation } from "./types.js";

/** One list in a run: where it is asked and, once known, whether it can be trusted. */
export interface ListPlan {
  readonly entry: BlocklistEntry;
  readonly zone: ListZone | null;
  /** Null until the test entries have been asked. */
  health: ListHealth | null;
}

/**
 * Plans a list: retired lists, lists without their key and lists that refuse the public
 * resolver in use get their final state at once and are never queried.
 */
export function planList(
  entry: BlocklistEntry,
  dqsKey: string | null,
  publicResolver: PublicResolver | null,
): ListPlan {
  const zone = listZone(entry, dqsKey);
  const plan = (state: ListHealth | null): ListPlan => ({ entry, zone, health: state });
  if (entry.status === "defunct" || entry.status === "legacy") {
    return plan(health(entry.status, entry.statusNote ?? `${entry.name} is ${entry.status}`));
  }
  if (zone === null) return plan(health("needs-key", keyAdvice(entry)));
  if (publicResolver !== null && entry.refusesPublicResolvers && !zone.viaDqs) {
    return plan(
      health(
        "public-resolver",
        `not asked: ${publicResolver.address} is ${publicResolver.operator}'s public ` +
          `resolver, which ${entry.name} refuses`,
      ),
    );
  }
  if (entry.testEntries === null) {
    return plan(
      health(
        "unprobed",
        "the list has no test entries, so it was not checked before use; only its documented codes count",
      ),
    );
  }
  return plan(null);
}

function keyAdvice(entry: BlocklistEntry): string {
  return entry.keyRequired === "spamhaus-dqs"
    ? `${entry.name} is served only through Spamhaus's Data Query Service: pass --spamhaus-dqs-key KEY`
    : `${entry.name} needs an access key in its zone: add it in a config file as a list whose zone contains the key`;
}

/** Builds the two test-entry queries of every list still to be judged. */
export function probeQueries(plans: readonly ListPlan[]): ScheduledQuery[] {
  return plans.flatMap((plan) => {
    const tests = plan.entry.testEntries;
    if (plan.health !== null || plan.zone === null || tests === null) return [];
    return [
      { group: plan.entry.id, name: testQueryName(tests.listed, plan.zone.zone) },
      { group: plan.entry.id, name: testQueryName(tests.notListed, plan.zone.zone) },
    ];
  });
}

/** Builds the query of every target on every list that can be trusted and applies to it. */
export function targetQueries(
  plans: readonly ListPlan[],
  targets: readonly Target[],
): ScheduledQuery[] {
  const queries: ScheduledQuery[] = [];
  for (const target of targets) {
    for (const plan of plans) {
      if (plan.zone === null || plan.health === null || !isQueried(plan.health)) continue;
      if (!listApplies(plan.entry, target)) continue;
      queries.push({ group: plan.entry.id, name: queryName(target, plan.zone.zone) });
    }
  }
  return queries;
}

/**
 * Builds one result per target and applicable list. Retired lists and lists without their key
 * get no row.
 */
export function buildResults(
  plans: readonly ListPlan[],
  targets: readonly Target[],
  answers: ReadonlyMap<string, DnsResult<"A">>,
): BlocklistResult[] {
  const results: BlocklistResult[] = [];
  for (const target of targets) {
    for (const plan of plans) {
      if (!listApplies(plan.entry, target) || plan.health === null) continue;
      const reading = readingFor(plan, target, answers);
      if (reading === null) continue;
      const delisting = plan.entry.delisting.url;
      results.push({
        target: target.value,
        targetKind: target.kind,
        list: plan.entry.id,
        listType: plan.entry.listType,
        query:
          plan.zone !== null && isQueried(plan.health) ? queryName(target, plan.zone.shown) : null,
        delisting: reading.status === "listed" ? delisting : null,
        ...reading,
      });
    }
  }
  return results;
}

function readingFor(
  plan: ListPlan,
  target: Target,
  answers: ReadonlyMap<string, DnsResult<"A">>,
): Interpretation | null {
  const state = plan.health as ListHealth;
  if (isQueried(state) && plan.zone !== null) {
    const answer = answers.get(queryName(target, plan.zone.zone));
    if (answer !== undefined) return interpretAnswer(plan.entry, answer);
    return notAsked("error", "no answer was recorded for this query", null);
  }
  return unqueriedReading(plan.entry, state);
}

/** Builds a target's row when its list was not asked about it; null for no row. */
function unqueriedReading(entry: BlocklistEntry, state: ListHealth): Interpretation | null {
  switch (state.state) {
    case "defunct":
    case "legacy":
    case "needs-key":
      return null;
    case "public-resolver":
      return notAsked("refused", state.detail, "public-resolver");
    case "refused":
      return {
        ...notAsked(
          "refused",
          `not asked because the list refused its test query: ${state.detail}`,
          state.refusal,
        ),
        codes: state.codes,
      };
    case "timeout":
      return notAsked("timeout", `not asked because ${state.detail}`, null);
    case "error":
      return notAsked("error", `not asked because ${state.detail}`, null);
    case "outside-zones":
      return notAsked("not-checked", state.detail, null);
    default:
      return notAsked(
        "error",
        `not asked because ${entry.name} is unusable in this run: ${state.detail}`,
        null,
      );
  }
}

function notAsked(
  status: Interpretation["status"],
  meaning: string,
  refusal: Interpretation["refusal"],
): Interpretation {
  return { status, meaning, codes: [], score: null, refusal };
}
