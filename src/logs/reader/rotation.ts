/**
 * Rotated log sets. logrotate and newsyslog rename `mail.log` to `mail.log.1`, then compress
 * older copies (`mail.log.2.gz`, `mail.log.3.gz`); with `dateext` the copies are named by date
 * (`maillog-20240301.gz`). A run reads each set oldest first, so that the year of classic
 * syslog stamps and the parsers' correlation state carry from one file to the next.
 */
import { basename, dirname } from "node:path";

/** Where a file stands in its rotated set. */
export type RotationRank =
  /** The live file (`mail.log`), the newest. */
  | { readonly kind: "live" }
  /** `mail.log.N[.gz]`: a larger N is older. */
  | { readonly kind: "numbered"; readonly index: number }
  /** `maillog-YYYYMMDD[HH…][.gz]` or `maillog-YYYY-MM-DD[.gz]`: the digits in date order. */
  | { readonly kind: "dated"; readonly stamp: string };

/** A file name split into its set (directory and base name) and its rank in the set. */
export interface RotationName {
  readonly setKey: string;
  /** The file name without directory, rotation suffix and compression suffix: `mail.log`. */
  readonly baseName: string;
  readonly rank: RotationRank;
}

const COMPRESSION_SUFFIX = /\.(?:gz|xz|zst|bz2|Z)$/;
const NUMBERED = /^(.+)\.(\d{1,4})$/;
const DATED_COMPACT = /^(.+)[-.](\d{8}(?:\d{2}){0,3})$/;
const DATED_DASHED = /^(.+)[-.](\d{4})-(\d{2})-(\d{2})$/;

/** Splits `path` into its rotated set and rank; a name without a rotation suffix is live. */
export function parseRotationName(path: string): RotationName {
  const directory = dirname(path);
  const name = basename(path).replace(COMPRESSION_SUFFIX, "");
  const named = (baseName: string, rank: RotationRank): RotationName => ({
    setKey: `${directory}\0${baseName}`,
    baseName,
    rank,
  });

  const dashed = DATED_DASHED.exec(name);
  if (dashed !== null) {
    const stamp = `${dashed[2] ?? ""}${dashed[3] ?? ""}${dashed[4] ?? ""}`;
    return named(dashed[1] ?? "", { kind: "dated", stamp });
  }
  const compact = DATED_COMPACT.exec(name);
  if (compact !== null) {
    return named(compact[1] ?? "", { kind: "dated", stamp: compact[2] ?? "" });
  }
  const numbered = NUMBERED.exec(name);
  if (numbered !== null) {
    return named(numbered[1] ?? "", { kind: "numbered", index: Number(numbered[2]) });
  }
  return named(name, { kind: "live" });
}

/**
 * Orders files oldest first: numbered copies from the highest number down, then dated copies
 * in date order, then the live file. Equal ranks keep their input order (the sort is stable).
 */
export function compareRotationAge(a: RotationRank, b: RotationRank): number {
  const group = rankGroup(a) - rankGroup(b);
  if (group !== 0) return group;
  if (a.kind === "numbered" && b.kind === "numbered") return b.index - a.index;
  if (a.kind === "dated" && b.kind === "dated") return compareStamps(a.stamp, b.stamp);
  return 0;
}

function rankGroup(rank: RotationRank): number {
  if (rank.kind === "numbered") return 0;
  if (rank.kind === "dated") return 1;
  return 2;
}

// `20240301` sorts before `2024030112`: compare the shared digits, then the shorter first.
function compareStamps(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  const headA = a.slice(0, shared);
  const headB = b.slice(0, shared);
  if (headA !== headB) return headA < headB ? -1 : 1;
  return a.length - b.length;
}

/**
 * Groups items into rotated sets and orders each set oldest first. A set takes the place of
 * its member that came first in `items`; items outside any set keep their order. Returns
 * each item with `continuesPrevious` true for the second and later file of a set.
 */
export function orderRotatedSets<T>(
  items: readonly T[],
  pathOf: (item: T) => string | null,
): { item: T; continuesPrevious: boolean }[] {
  const members = new Map<string, { item: T; rank: RotationRank; position: number }[]>();
  const setOf: (string | null)[] = items.map((item, position) => {
    const path = pathOf(item);
    if (path === null) return null;
    const { setKey, rank } = parseRotationName(path);
    const list = members.get(setKey) ?? [];
    list.push({ item, rank, position });
    members.set(setKey, list);
    return setKey;
  });

  const ordered: { item: T; continuesPrevious: boolean }[] = [];
  const placed = new Set<string>();
  items.forEach((item, position) => {
    const key = setOf[position];
    if (key === null || key === undefined) {
      ordered.push({ item, continuesPrevious: false });
      return;
    }
    if (placed.has(key)) return;
    placed.add(key);
    const set = [...(members.get(key) ?? [])];
    set.sort((a, b) => compareRotationAge(a.rank, b.rank) || a.position - b.position);
    set.forEach((member, index) =>
      ordered.push({ item: member.item, continuesPrevious: index > 0 }),
    );
  });
  return ordered;
}
