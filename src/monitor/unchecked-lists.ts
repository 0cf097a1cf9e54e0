import type { BlocklistReport } from "../reputation/index.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";
import type { JobOutcome } from "./unanswered.js";

/** The number of lists that the warning names with their reason. It counts the rest. */
const NAMED_LISTS = 3;

/**
 * Logs a warning naming the block lists whose answers could not be used in this run, and an
 * info line when all lists can be used again after such a warning. A list is unusable when its
 * test entries show that it answers nothing or everything, or when it answered with a refusal
 * code (such as a refusal of a public resolver). Lookups that got no DNS response are left to
 * `reportUnanswered`, so one cause is not warned about twice. Returns `incomplete` when a list
 * was unusable, because its targets then went unchecked. The same warning again is logged at
 * most once per REPEAT_LOG_INTERVAL_MS.
 */
export function reportUncheckedLists(context: JobContext, report: BlocklistReport): JobOutcome {
  const { logger, repeats } = context;
  const key = "lists:blocklists";
  const lists = uncheckedLists(report);
  if (lists.length === 0) {
    if (repeats.clear(key)) logger.info({ job: "blocklists" }, "every blocklist can be used again");
    return "complete";
  }

  const checked = new Set(
    report.results
      .filter((r) => r.status === "listed" || r.status === "not-listed")
      .map((r) => r.list),
  );
  const message = uncheckedMessage(lists, checked.size);
  warnUnlessRepeated(context, key, message, {
    job: "blocklists",
    lists: lists.map((list) => list.id),
    checkedLists: checked.size,
  });
  return "incomplete";
}

interface UncheckedList {
  readonly id: string;
  readonly detail: string;
}

/** Returns the block lists whose results for some target are unusable, in report order. */
function uncheckedLists(report: BlocklistReport): UncheckedList[] {
  const ids = new Set<string>();
  for (const result of report.results) {
    if (result.listType !== "block" && result.listType !== "mixed") continue;
    const list = report.lists.find((entry) => entry.id === result.list);
    const failedTestEntries =
      result.status === "error" &&
      (list?.health === "answers-nothing" || list?.health === "answers-everything");
    // A REFUSED response from the DNS server is a lookup without answer, not a list's refusal.
    const refusedByList = result.status === "refused" && result.refusal !== "server-refused";
    if (failedTestEntries || refusedByList) ids.add(result.list);
  }
  return report.lists
    .filter((list) => ids.has(list.id))
    .map((list) => ({ id: list.id, detail: list.detail }));
}

function uncheckedMessage(lists: readonly UncheckedList[], checkedLists: number): string {
  const named = lists
    .slice(0, NAMED_LISTS)
    .map((list) => `${list.id} (${list.detail})`)
    .join("; ");
  const more = lists.length > NAMED_LISTS ? `; and ${lists.length - NAMED_LISTS} more` : "";
  const start =
    checkedLists === 0
      ? "no blocklist check could be made"
      : `${lists.length} ${lists.length === 1 ? "blocklist was" : "blocklists were"} not checked`;
  return (
    `${start}, because the answers of these lists cannot be used: ${named}${more}. ` +
    "Their targets keep their last recorded state. Check with delist blocklists --list ID " +
    "--resolver SERVER, and use a resolver that the lists answer or remove the list from " +
    "blocklists.lists."
  );
}
