import { listNames } from "./findings/build.js";
import type { ReadinessItem } from "./types.js";

/** The providers that keep the "Rejections and deferrals have stopped" item open. */
export interface OpenBlocks {
  /** Names of the providers that still reject or defer mail. */
  readonly rejecting: readonly string[];
  /**
   * Names of the providers whose block replies stopped before the last two hours of the log
   * and that accepted too few deliveries since to call their block lifted.
   */
  readonly undecided?: readonly string[];
  /**
   * The verb of the block replies in the last two hours of the log when one provider is in
   * `rejecting`, past tense as `recentBlockVerb` gives it ("deferred"), else null.
   */
  readonly rejectingVerb?: string | null;
  /** Names of the providers that this server's connections still fail to reach. */
  readonly unreachable: readonly string[];
}

/** A readiness item that is not passed, with the clause that describes what keeps it open. */
export interface OpenItem {
  readonly id: string;
  /** The clause for a sentence after "Still open:", such as "Gmail still rejects or defers mail". */
  readonly clause: string;
}

/** The clause of each item whose text does not depend on the log's providers. */
const OPEN_CLAUSES: Readonly<Record<string, string>> = {
  "cause-identified": "the cause is not found",
  "cause-stopped": "the suspect sending goes on",
  "volume-normal": "outbound volume is still above its usual level",
  "spf-dkim-dmarc": "SPF, DKIM or DMARC needs fixing",
  ptr: "the PTR record or forward-confirmed reverse DNS needs fixing",
  blocklists: "the IP is on a blocklist",
  "sending-route": "mail still goes out directly from an IP range that receivers reject",
};

/** The items about the cause of a block, which a removal request must wait for. */
const CAUSE_ITEMS: readonly string[] = ["cause-identified", "cause-stopped"];

/**
 * Describes what keeps each of `items` open. An item's title states its goal ("Rejections and
 * deferrals have stopped"), so a summary that quoted it after "Still open:" would read as if the
 * goal were met.
 */
export function openItems(items: readonly ReadinessItem[], blocks: OpenBlocks): OpenItem[] {
  return items.map((item) => ({ id: item.id, clause: openClause(item, blocks) }));
}

/** Joins the clauses of `open` for a sentence: "a, b and c". */
export function openList(open: readonly OpenItem[]): string {
  return listNames(open.map((item) => item.clause));
}

/** Returns true when an item about the cause of the block is still open. */
export function causeOpen(open: readonly OpenItem[]): boolean {
  return open.some((item) => CAUSE_ITEMS.includes(item.id));
}

function openClause(item: ReadinessItem, blocks: OpenBlocks): string {
  if (item.id === "blocks-ended") return blocksClause(blocks);
  return OPEN_CLAUSES[item.id] ?? `"${item.title}" is not met yet`;
}

/**
 * Names the providers that still reject or defer mail, those that accepted too few deliveries
 * since to call their block lifted, and those that connections still fail to reach, such as
 * "Gmail still rejects or defers mail".
 */
function blocksClause(blocks: OpenBlocks): string {
  const clauses: string[] = [];
  if (blocks.rejecting.length > 0) {
    const subject = listNames(blocks.rejecting);
    const plural = blocks.rejecting.length > 1 || subject === "other receivers";
    const verb = plural ? "reject or defer" : presentVerb(blocks.rejectingVerb);
    clauses.push(`${subject} still ${verb} mail`);
  }
  const undecided = blocks.undecided ?? [];
  if (undecided.length > 0) {
    const subject = listNames(undecided);
    const plural = undecided.length > 1 || subject === "other receivers";
    const [have, blocksOf] = plural ? ["have", "their blocks"] : ["has", "its block"];
    clauses.push(`${subject} ${have} accepted too few deliveries since ${blocksOf}`);
  }
  if (blocks.unreachable.length > 0) {
    clauses.push(`connections to ${listNames(blocks.unreachable)} still fail`);
  }
  if (clauses.length === 0) return "rejections or deferrals go on at the end of the log";
  return clauses.join(", and ");
}

/** Turns a past-tense block verb ("rejected or deferred") into the present ("rejects or defers"). */
function presentVerb(past: string | null | undefined): string {
  if (past === "rejected") return "rejects";
  if (past === "deferred") return "defers";
  return "rejects or defers";
}
