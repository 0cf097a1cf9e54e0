import type { BlocklistReport, ListReport } from "../reputation/index.js";
import { KEY_PLACEHOLDER } from "../knowledge/dqs.js";
// The status module imports nothing, so an offline diagnose still loads no blocklist module.
import { isUncheckedStatus } from "../reputation/status.js";
import type { BlocklistsSummary } from "./types.js";

/**
 * Why lists were not used, for lists that failed their RFC 5782 test entries (section 5: the
 * entry 127.0.0.2 or TEST must be listed, 127.0.0.1 or INVALID must not). Such a list's
 * answers for the real targets mean nothing either.
 */
const UNUSABLE_CAUSES: Partial<Record<ListReport["health"], (single: boolean) => string>> = {
  "answers-everything": (single) =>
    `${single ? "It lists" : "They list"} the test entry that must not be listed, so ${single ? "it answers" : "they answer"} every query and ${single ? "its" : "their"} listings mean nothing. A resolver that rewrites answers often causes this.`,
  "answers-nothing": (single) =>
    `${single ? "It does" : "They do"} not list the test entry that must be listed, so ${single ? "its" : "their"} "not listed" answers mean nothing. The resolver may filter these zones, or the lists are empty.`,
};

/** Shortens a blocklist report to its listings and what could not be checked. */
export function blocklistsSummary(report: BlocklistReport): BlocklistsSummary {
  const unanswered = report.results.filter((result) => isUncheckedStatus(result.status));
  return {
    targets: report.targets.map((target) => target.value),
    listsUsed: answeringBlockLists(report),
    listed: report.results
      .filter((result) => result.status === "listed")
      .map((result) => ({
        target: result.target,
        list: result.list,
        meaning: result.meaning,
        delisting: result.delisting,
      })),
    unanswered: unanswered.length,
    notAsked: unanswered.filter((result) => result.query === null).length,
    notices: [
      ...report.notices
        .filter((notice) => notice.kind !== "list-unusable")
        .map((notice) =>
          notice.advice === null ? notice.message : `${notice.message} ${notice.advice}`,
        ),
      ...unusableListNotices(report.lists),
    ],
  };
}

/**
 * Counts the block lists that gave at least one answer to trust: listed or not listed, from a
 * list whose test entries behaved. Score zones such as SenderScore rate a sender rather than
 * block it, and allow lists name good senders, so neither counts as a blocklist check.
 */
function answeringBlockLists(report: BlocklistReport): number {
  const trusted = new Set(
    report.lists
      .filter((list) => list.listType === "block" || list.listType === "mixed")
      .filter((list) => list.health === "usable" || list.health === "unprobed")
      .map((list) => list.id),
  );
  const answering = new Set(
    report.results
      .filter((result) => result.status === "listed" || result.status === "not-listed")
      .map((result) => result.list)
      .filter((list) => trusted.has(list)),
  );
  return answering.size;
}

// The user's key is part of a Data Query Service zone, so a wrong key is the first cause to rule
// out when such a zone fails its test entries.
const DQS_KEY_CHECK =
  "For a list asked through the Spamhaus Data Query Service, check the DQS key first.";

/** Returns one note per cause that made lists unusable, naming the lists, in place of one each. */
function unusableListNotices(lists: readonly ListReport[]): string[] {
  const notes: string[] = [];
  for (const [health, cause] of Object.entries(UNUSABLE_CAUSES)) {
    const unusable = lists.filter((list) => list.health === health);
    if (unusable.length === 0) continue;
    const names = unusable.map((list) => list.id);
    const count = names.length === 1 ? "1 list" : `${names.length} lists`;
    const keyCheck = unusable.some(isDqsZone) ? ` ${DQS_KEY_CHECK}` : "";
    notes.push(
      `Not used in this run (${count}): ${names.join(", ")}. ${cause(names.length === 1)}` +
        keyCheck,
    );
  }
  return notes;
}

/** True when the list was asked in a Data Query Service zone, shown with the key replaced. */
function isDqsZone(list: ListReport): boolean {
  return list.zone?.startsWith(`${KEY_PLACEHOLDER}.`) === true;
}
