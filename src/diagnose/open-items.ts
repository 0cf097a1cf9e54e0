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
   * Names of the providers whose latest block reply came in the last two hours of the log and
   * that accepted deliveries after it, too soon to call their block lifted. They are in none of
   * `rejecting` and `undecided`.
   */
  readonly acceptingAgain?: readonly string[];
  /**
   * The verb of the block replies in the last two hours of the log when one provider is in
   * `rejecting`, past tense as `recentBlockVerb` gives it ("deferred"), else null.
   */
  readonly rejectingVerb?: string | null;
  /** The same verb for each provider in `rejecting`, by name, so that each gets its own state. */
  readonly rejectingVerbs?: Readonly<Record<string, string>>;
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

/**
 * Joins the clauses of `open` for a sentence: "a, b and c". When a clause has a list of its
 * own, semicolons separate the clauses, so that "and the IP is on a blocklist" cannot read as
 * part of the provider clause before it.
 */
export function openList(open: readonly OpenItem[]): string {
  const clauses = open.map((item) => item.clause);
  const nested = clauses.length > 1 && clauses.some((clause) => /,| and |;/.test(clause));
  return nested ? clauses.join("; ") : listNames(clauses);
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
 * Names the state of each provider that keeps the item open, one state per provider: those that
 * still reject or defer mail (grouped by verb when `rejectingVerbs` gives one per provider),
 * those that accepted deliveries since too soon or too few to call their block lifted, and those
 * that connections still fail to reach, such as "Gmail still defers mail; Outlook.com still
 * rejects mail". Several states are separated by semicolons because a state can list names.
 */
function blocksClause(blocks: OpenBlocks): string {
  const clauses = rejectingClauses(blocks);
  const acceptingAgain = blocks.acceptingAgain ?? [];
  if (acceptingAgain.length > 0) {
    const [have, blocksOf, them] = isPluralSubject(acceptingAgain)
      ? ["have", "their blocks", "them"]
      : ["has", "its block", "it"];
    clauses.push(
      `${listNames(acceptingAgain)} ${have} accepted deliveries since ${blocksOf}, too soon to call ${them} lifted`,
    );
  }
  const undecided = blocks.undecided ?? [];
  if (undecided.length > 0) {
    const [have, blocksOf] = isPluralSubject(undecided)
      ? ["have", "their blocks"]
      : ["has", "its block"];
    clauses.push(`${listNames(undecided)} ${have} accepted too few deliveries since ${blocksOf}`);
  }
  if (blocks.unreachable.length > 0) {
    clauses.push(`connections to ${listNames(blocks.unreachable)} still fail`);
  }
  if (clauses.length === 0) return "rejections or deferrals go on at the end of the log";
  return clauses.join("; ");
}

/**
 * Builds "Gmail still defers mail" for the providers in `rejecting`: one clause per verb when
 * `rejectingVerbs` names each provider's verb, else one clause with "reject or defer".
 */
function rejectingClauses(blocks: OpenBlocks): string[] {
  if (blocks.rejecting.length === 0) return [];
  const verbs = blocks.rejectingVerbs;
  if (verbs === undefined) {
    const plural = isPluralSubject(blocks.rejecting);
    const verb = plural ? "reject or defer" : presentVerb(blocks.rejectingVerb);
    return [`${listNames(blocks.rejecting)} still ${verb} mail`];
  }
  const byVerb = new Map<string, string[]>();
  for (const name of blocks.rejecting) {
    const past = verbs[name] ?? "rejected or deferred";
    byVerb.set(past, [...(byVerb.get(past) ?? []), name]);
  }
  return [...byVerb].map(([past, names]) => {
    const verb = presentVerb(past);
    const subject = listNames(names);
    return `${subject} still ${isPluralSubject(names) ? pluralVerb(verb) : verb} mail`;
  });
}

function isPluralSubject(names: readonly string[]): boolean {
  return names.length > 1 || names[0] === "other receivers";
}

/** Turns "rejects or defers" into "reject or defer". */
function pluralVerb(verb: string): string {
  return verb.replace(/s\b/g, "");
}

/** Turns a past-tense block verb ("rejected or deferred") into the present ("rejects or defers"). */
function presentVerb(past: string | null | undefined): string {
  if (past === "rejected") return "rejects";
  if (past === "deferred") return "defers";
  return "rejects or defers";
}
