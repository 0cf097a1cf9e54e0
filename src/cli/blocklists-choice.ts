import { isLive, type BlocklistEntry, type Target, type TargetKind } from "../reputation/index.js";
import { UsageError } from "./io.js";

/** The words for one target of a kind and for several. */
const KIND_WORDS: Readonly<Record<TargetKind, { one: string; many: string }>> = {
  ipv4: { one: "an IPv4 address", many: "IPv4 addresses" },
  ipv6: { one: "an IPv6 address", many: "IPv6 addresses" },
  domain: { one: "a domain", many: "domains" },
};

/** Maximum number of lists that the message suggests. */
const SUGGESTED_LISTS = 3;

/** The lists of a run and how they were chosen. */
export interface ListsOfRun {
  readonly chosen: readonly BlocklistEntry[];
  /** True when the lists were named with `--list`, false for the enabled defaults. */
  readonly explicit: boolean;
  /** The catalogue with the changes of `--config`, from which other lists are suggested. */
  readonly catalogue: readonly BlocklistEntry[];
}

/**
 * Throws a UsageError when the chosen lists include one that is still queried but none of
 * those applies to any target, because each takes other kinds of target (an IPv4-only list for
 * a domain). Such a run would check nothing. A run whose lists are all legacy or defunct is
 * left to the report, which names the reason for each list.
 */
export function rejectListsForOtherTargets(targets: readonly Target[], lists: ListsOfRun): void {
  const live = lists.chosen.filter(isLive);
  const applies = live.some((entry) => targets.some((t) => entry.targets.includes(t.kind)));
  if (live.length === 0 || targets.length === 0 || applies) return;

  const noList = lists.explicit ? "no list given with --list" : "no enabled list";
  const kinds = [...new Set(targets.map((target) => target.kind))];
  const kindWords = joinWords(
    kinds.map((kind) => KIND_WORDS[kind].many),
    "or",
  );
  const suggested = suggestLists(lists.catalogue, kinds);
  const examples = suggested.length === 0 ? "" : `, such as ${joinWords(suggested, "or")}`;
  throw new UsageError(
    `${noList} applies to ${describeTargets(targets)}: ${describeLists(lists.chosen)}. ` +
      `Give --list one or more lists that take ${kindWords}${examples}, or run ` +
      "delist blocklists --help to see the targets of each list.",
  );
}

/** Describes the targets by kind: `example.com (a domain)`. */
function describeTargets(targets: readonly Target[]): string {
  const kinds = [...new Set(targets.map((target) => target.kind))];
  const groups = kinds.map((kind) => {
    const values = targets.filter((target) => target.kind === kind).map((target) => target.value);
    const words = values.length === 1 ? KIND_WORDS[kind].one : KIND_WORDS[kind].many;
    return `${joinWords(values, "and")} (${words})`;
  });
  return joinWords(groups, "or");
}

/** Describes what each list takes, lists that take the same kinds together. */
function describeLists(lists: readonly BlocklistEntry[]): string {
  const byKinds = new Map<string, string[]>();
  const retired: string[] = [];
  for (const entry of lists) {
    if (!isLive(entry)) {
      retired.push(`${entry.id} is ${entry.status} and never queried`);
      continue;
    }
    const kinds = joinWords(
      entry.targets.map((kind) => KIND_WORDS[kind].many),
      "and",
    );
    byKinds.set(kinds, [...(byKinds.get(kinds) ?? []), entry.id]);
  }
  const taking = [...byKinds].map(([kinds, ids]) => {
    const verb = ids.length === 1 ? "takes" : "take";
    return `${joinWords(ids, "and")} ${verb} ${kinds} only`;
  });
  return [...taking, ...retired].join(", and ");
}

/**
 * Returns up to SUGGESTED_LISTS ids of active lists that need no key and take one of `kinds`,
 * default lists first.
 */
function suggestLists(
  catalogue: readonly BlocklistEntry[],
  kinds: readonly TargetKind[],
): string[] {
  const usable = catalogue.filter(
    (entry) =>
      entry.status === "active" &&
      entry.keyRequired === null &&
      entry.targets.some((kind) => kinds.includes(kind)),
  );
  const defaultsFirst = [
    ...usable.filter((entry) => entry.defaultEnabled),
    ...usable.filter((entry) => !entry.defaultEnabled),
  ];
  return defaultsFirst.slice(0, SUGGESTED_LISTS).map((entry) => entry.id);
}

/** Joins words as in prose: `a`, `a or b`, `a, b or c`. */
function joinWords(words: readonly string[], conjunction: "and" | "or"): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${conjunction} ${words.at(-1) ?? ""}`;
}
