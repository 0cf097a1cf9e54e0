import type { DnsResult } from "../dns/types.js";
import { interpretAnswer } from "./interpret.js";
import type { BlocklistEntry, Interpretation, RefusalKind } from "./types.js";

/**
 * Whether a list can be trusted in this run. Only `usable` and `unprobed` lists are asked
 * about the targets. The other states turn every target's result into `refused`, `timeout`,
 * `error` or `not-checked`, so a broken list never makes a target look clean or listed.
 * `outside-zones` is a list whose test entries are outside the zone files of an offline run.
 */
export type ListHealthState =
  | "usable"
  | "unprobed"
  | "answers-everything"
  | "answers-nothing"
  | "refused"
  | "timeout"
  | "error"
  | "outside-zones"
  | "defunct"
  | "legacy"
  | "needs-key"
  | "public-resolver";

/** A list's state for this run and the reason, for people. */
export interface ListHealth {
  readonly state: ListHealthState;
  readonly detail: string;
  /** For `refused`: why the answer was taken as a refusal, and the codes returned. */
  readonly refusal: RefusalKind | null;
  readonly codes: readonly string[];
}

/** Builds a health value without a refusal. */
export function health(state: ListHealthState, detail: string): ListHealth {
  return { state, detail, refusal: null, codes: [] };
}

/** True when the list's answers about targets are read at all. */
export function isQueried(health: ListHealth): boolean {
  return health.state === "usable" || health.state === "unprobed";
}

/**
 * Judges a list by its two test entries (RFC 5782 section 5): the entry that must be listed
 * has to answer with an address in 127.0.0.0/8 that is no error code, and the entry that
 * must not be listed has to answer NXDOMAIN. A list that lists the second answers every
 * query (a lapsed domain's parking wildcard does this); a list that does not list the first
 * answers nothing, so its "not listed" means nothing either. `viaDqs` is true when the list
 * was asked in a Spamhaus Data Query Service zone, whose name contains the user's key.
 */
export function judgeProbes(
  entry: BlocklistEntry,
  mustList: DnsResult<"A">,
  mustNotList: DnsResult<"A">,
  viaDqs = false,
): ListHealth {
  const tests = entry.testEntries ?? { listed: "?", notListed: "?" };
  const positive = interpretAnswer(entry, mustList);
  const negative = interpretAnswer(entry, mustNotList);

  if (negative.status === "listed" || undocumented(negative)) {
    const detail =
      `its test entry ${tests.notListed}, which must not be listed, is listed ` +
      `(${negative.codes.join(", ")}): the list answers every query, so its listings mean ` +
      "nothing in this run";
    return health("answers-everything", viaDqs ? `${detail}. ${DQS_KEY_CHECK}` : detail);
  }
  const refusal = [negative, positive].find((reading) => blocked(reading));
  if (refusal !== undefined) {
    return {
      state: "refused",
      detail: refusal.meaning ?? "the list refused the query",
      refusal: refusal.refusal,
      codes: refusal.codes,
    };
  }
  if (positive.status === "not-listed") {
    return health("answers-nothing", unlistedTestEntryDetail(tests.listed, viaDqs));
  }
  if (positive.status === "not-checked" || negative.status === "not-checked") {
    return health("outside-zones", OUTSIDE_ZONES_DETAIL);
  }
  const failure = [positive, negative].find(
    (reading) => reading.status === "timeout" || reading.status === "error",
  );
  if (failure !== undefined) {
    return health(
      failure.status === "timeout" ? "timeout" : "error",
      `its test queries got no answer: ${failure.meaning ?? failure.status}`,
    );
  }
  return health("usable", `lists ${tests.listed} and not ${tests.notListed}, as RFC 5782 requires`);
}

/** Detail of a list whose test entries are outside the zone files, so it was not checked. */
export const OUTSIDE_ZONES_DETAIL = "the zone files given with --zone contain no zone of this list";

/**
 * The step for a Data Query Service zone that fails its test entries. The user's key is part
 * of the zone name, so a mistyped or inactive key is the cause to rule out before the list.
 */
const DQS_KEY_CHECK =
  "It was asked through the Spamhaus Data Query Service, so check the key first: it must " +
  "match the key in your Spamhaus account, and the key must be active";

/** Explains a test entry that must be listed but is not. */
function unlistedTestEntryDetail(testEntry: string, viaDqs: boolean): string {
  const start = `its test entry ${testEntry}, which must be listed, is not`;
  const meaning = "so its 'not listed' answers mean nothing in this run";
  if (viaDqs) return `${start}, ${meaning}. ${DQS_KEY_CHECK}`;
  return `${start}: the list is empty or retired, ${meaning}`;
}

/** An answer in 127.0.0.0/8 with a code the list does not document: still an answer. */
function undocumented(reading: Interpretation): boolean {
  return reading.status === "refused" && reading.refusal === "undocumented-code";
}

/** A refusal other than an undocumented code: the test entry of a list may use any code. */
function blocked(reading: Interpretation): boolean {
  return reading.status === "refused" && reading.refusal !== "undocumented-code";
}
