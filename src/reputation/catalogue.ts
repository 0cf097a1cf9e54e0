import { DEFUNCT_LISTS } from "./lists/defunct.js";
import { IP_LISTS } from "./lists/ip-lists.js";
import { OTHER_LISTS } from "./lists/other-lists.js";
import { SPAMHAUS_LISTS } from "./lists/spamhaus.js";
import type { BlocklistEntry, TargetKind } from "./types.js";

/**
 * The built-in catalogue of DNS blocklists, allow lists and reputation zones, defunct ones
 * included. Facts come from operator documentation where it was available, otherwise from
 * SpamAssassin and rspamd configurations; `unconfirmed` names what still needs an operator
 * document.
 */
export const CATALOGUE: readonly BlocklistEntry[] = [
  ...SPAMHAUS_LISTS,
  ...IP_LISTS,
  ...OTHER_LISTS,
  ...DEFUNCT_LISTS,
];

/** True for lists that may be queried: neither defunct nor merged into another list. */
export function isLive(entry: BlocklistEntry): boolean {
  return entry.status !== "defunct" && entry.status !== "legacy";
}

/** True when the list is queried with targets of this kind. */
export function listsKind(entry: BlocklistEntry, kind: TargetKind): boolean {
  return entry.targets.includes(kind);
}

/**
 * Returns the defunct or legacy catalogue entry whose zone is `zone` or a parent of it, so a
 * user-added `dnsbl.sorbs.net` is recognised as SORBS. Null when no retired list matches.
 */
export function retiredListOfZone(
  zone: string,
  catalogue: readonly BlocklistEntry[] = CATALOGUE,
): BlocklistEntry | null {
  const name = zone.toLowerCase();
  const matches = (candidate: string): boolean =>
    name === candidate || name.endsWith(`.${candidate}`);
  const retired = catalogue.filter((entry) => !isLive(entry));
  return retired.find((entry) => [entry.zone, ...entry.otherZones].some(matches)) ?? null;
}
