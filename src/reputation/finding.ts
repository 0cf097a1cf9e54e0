import { finding } from "../diagnose/findings/build.js";
import type { Finding, ReadinessItem } from "../diagnose/types.js";
import { isUncheckedStatus } from "./status.js";
import type { BlocklistEntry, BlocklistResult, Relevance } from "./types.js";

const RFC_5782 = "https://www.rfc-editor.org/rfc/rfc5782";

/** Lists whose listing matters for removal readiness: block lists that many receivers use. */
function isMajor(entry: BlocklistEntry): boolean {
  return (
    (entry.listType === "block" || entry.listType === "mixed") &&
    (entry.relevance === "high" || entry.relevance === "medium")
  );
}

function isBlockList(entry: BlocklistEntry | undefined): entry is BlocklistEntry {
  return entry !== undefined && (entry.listType === "block" || entry.listType === "mixed");
}

/** Results on block lists (not allow lists or scores) that list their target. */
export function blockListings(
  results: readonly BlocklistResult[],
  entries: ReadonlyMap<string, BlocklistEntry>,
): BlocklistResult[] {
  return results.filter(
    (result) => result.status === "listed" && isBlockList(entries.get(result.list)),
  );
}

const SEVERITY_OF: Readonly<Record<Relevance, Finding["severity"]>> = {
  high: "critical",
  medium: "warning",
  low: "info",
  none: "info",
};

/**
 * Builds the `ip-blocklisted` finding from the listings on block lists: critical when a list
 * of high relevance (Spamhaus) lists a target, a warning for medium ones, info otherwise.
 * Null when no block list lists any target.
 */
export function blocklistFinding(
  results: readonly BlocklistResult[],
  entries: ReadonlyMap<string, BlocklistEntry>,
): Finding | null {
  const listings = blockListings(results, entries);
  if (listings.length === 0) return null;
  const listed = listings.map((result) => ({
    result,
    entry: entries.get(result.list) as BlocklistEntry,
  }));
  const severity = worstSeverity(listed.map(({ entry }) => SEVERITY_OF[entry.relevance]));
  const targets = [...new Set(listings.map((result) => result.target))];
  const names = [...new Set(listed.map(({ entry }) => entry.name))];
  const notChecked = results.filter(
    (result) => isUnchecked(result) && isBlockList(entries.get(result.list)),
  );
  const first = listed[0] as (typeof listed)[number];

  return finding("ip-blocklisted", {
    severity,
    role: severity === "info" ? "contributing" : "cause",
    title: `${targets.join(", ")} ${targets.length === 1 ? "is" : "are"} on ${names.length === 1 ? names[0] : `${names.length} blocklists`}`,
    summary:
      `${listings.length} ${listings.length === 1 ? "listing" : "listings"} on ` +
      `${names.join(", ")}; first: ${first.result.target} on ${first.entry.name} ` +
      `(${first.result.meaning ?? first.result.codes.join(", ")}).`,
    evidence: {
      source: "dnsbl",
      lists: names,
      listings: listed.map(({ result, entry }) => ({
        target: result.target,
        list: entry.id,
        name: entry.name,
        relevance: entry.relevance,
        codes: result.codes,
        meaning: result.meaning,
        delisting: entry.delisting.url,
      })),
      notChecked: notChecked.map((result) => ({
        target: result.target,
        list: result.list,
        status: result.status,
        meaning: result.meaning,
      })),
    },
    fix: [
      "Find and stop what got the address listed first (a compromised account, a script, a bought list); a delisted address that keeps sending spam is listed again.",
      ...delistingSteps(listed.map(({ entry }) => entry)),
      "Run delist blocklists again after the removal to confirm it.",
    ],
    references: [
      ...new Set([
        ...listed.flatMap(({ entry }) =>
          entry.delisting.url === null ? [] : [entry.delisting.url],
        ),
        RFC_5782,
      ]),
    ],
  });
}

function delistingSteps(entries: readonly BlocklistEntry[]): string[] {
  const unique = [...new Map(entries.map((entry) => [entry.id, entry])).values()];
  return unique.map((entry) => {
    const { delisting } = entry;
    if (delisting.url === null) return `${entry.name}: ${delisting.reason}`;
    const note = delisting.note === null ? "" : ` ${delisting.note}`;
    return `${entry.name}: request removal at ${delisting.url}.${note}`;
  });
}

function worstSeverity(levels: readonly Finding["severity"][]): Finding["severity"] {
  if (levels.includes("critical")) return "critical";
  return levels.includes("warning") ? "warning" : "info";
}

/**
 * Names why a row gave no answer to trust: "not asked" for a look-up never sent, because the
 * list's test queries got no answer or showed the list unusable, else the failure of the query.
 */
function uncheckedWord(result: BlocklistResult): string {
  if (result.query === null) return "not asked";
  if (result.status === "timeout") return "timed out";
  if (result.status === "not-checked") return "not in the zone files";
  return result.status === "refused" ? "refused" : "failed";
}

function isUnchecked(result: BlocklistResult): boolean {
  return isUncheckedStatus(result.status);
}

/**
 * Builds the `blocklists` readiness item: `fail` when a major block list lists a target,
 * `not-checked` when a major list could not be asked (or none applied), `pass` otherwise.
 * Listings on minor lists are named in the detail but do not fail the item.
 */
export function blocklistReadiness(
  results: readonly BlocklistResult[],
  entries: ReadonlyMap<string, BlocklistEntry>,
): ReadinessItem {
  const item = { id: "blocklists", title: "Not on the major blocklists" } as const;
  const major = results.filter((result) => {
    const entry = entries.get(result.list);
    return entry !== undefined && isMajor(entry);
  });
  const describe = (result: BlocklistResult): string =>
    `${result.target} on ${result.list}${result.meaning === null ? "" : ` (${result.meaning})`}`;

  const listed = major.filter((result) => result.status === "listed");
  if (listed.length > 0) {
    return { ...item, status: "fail", detail: `Listed: ${listed.map(describe).join("; ")}.` };
  }
  const unchecked = major.filter(isUnchecked);
  if (major.length === 0 || unchecked.length > 0) {
    const detail =
      major.length === 0
        ? "No major blocklist was asked."
        : `Could not check: ${unchecked.map((r) => `${r.target} on ${r.list} (${uncheckedWord(r)})`).join("; ")}.`;
    return { ...item, status: "not-checked", detail };
  }
  const minor = blockListings(results, entries).filter((result) => !major.includes(result));
  const lists = [...new Set(major.map((result) => result.list))];
  const minorText =
    minor.length === 0 ? "" : ` Listed on minor lists: ${minor.map(describe).join("; ")}.`;
  return { ...item, status: "pass", detail: `Not listed on ${lists.join(", ")}.${minorText}` };
}

/**
 * Builds the `spam-traps` finding from listings on lists that list an address only for mail
 * to their spam traps (PSBL, UCEPROTECT level 1). Such a listing proves that the address sent
 * to addresses that never asked for mail: an old or bought list, or spam from a compromised
 * account or script. Null when no such list lists a target.
 */
export function spamTrapFinding(
  results: readonly BlocklistResult[],
  entries: ReadonlyMap<string, BlocklistEntry>,
): Finding | null {
  const listed = blockListings(results, entries).flatMap((result) => {
    const entry = entries.get(result.list);
    return entry?.trapDriven === true ? [{ result, entry }] : [];
  });
  const first = listed[0];
  if (first === undefined) return null;
  const targets = [...new Set(listed.map(({ result }) => result.target))];
  const names = [...new Set(listed.map(({ entry }) => entry.name))];
  return finding("spam-traps", {
    severity: "warning",
    role: "cause",
    title: `${targets.join(", ")} sent mail to spam traps`,
    summary: `${names.join(" and ")} ${names.length === 1 ? "lists" : "list"} ${targets.join(", ")}, and ${names.length === 1 ? "it lists" : "they list"} an address only for mail that reached their spam traps.`,
    evidence: {
      source: "dnsbl",
      listings: listed.map(({ result, entry }) => ({
        target: result.target,
        list: entry.id,
        name: entry.name,
        meaning: result.meaning,
        delisting: entry.delisting.url,
      })),
    },
    fix: [
      "Find who sent to addresses that never asked for mail: a compromised account or script (see the other findings), or a mailing list that was bought, scraped or not cleaned for a long time.",
      "Send newsletters only to confirmed (double opt-in) addresses, and drop every address that bounced as unknown: an address that stays dead for months can be turned into a trap.",
      ...delistingSteps(listed.map(({ entry }) => entry)),
    ],
    references: [RFC_5782],
  });
}
