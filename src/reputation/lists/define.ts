import type { BlocklistEntry, ReturnCode } from "../types.js";

/** RFC 5782 section 5: IP lists must list 127.0.0.2 and must not list 127.0.0.1. */
export const RFC5782_IP_TESTS = { listed: "127.0.0.2", notListed: "127.0.0.1" } as const;

/** RFC 5782 section 5: domain lists must list the name TEST and must not list INVALID. */
export const RFC5782_DOMAIN_TESTS = { listed: "test", notListed: "invalid" } as const;

/** The fields every entry spells out; the others have the defaults of `defineList`. */
export type ListDraft = Pick<
  BlocklistEntry,
  | "id"
  | "name"
  | "zone"
  | "targets"
  | "listType"
  | "description"
  | "codes"
  | "usage"
  | "delisting"
  | "relevance"
> &
  Partial<BlocklistEntry>;

/**
 * Completes a catalogue entry: an active list queried with its public zone, read with a code
 * table, not queried by default, with the RFC 5782 test entries of its kind.
 */
export function defineList(draft: ListDraft): BlocklistEntry {
  const domainOnly = draft.targets.every((kind) => kind === "domain");
  return {
    otherZones: [],
    dqsLabel: null,
    keyRequired: null,
    decoder: "codes",
    testEntries: domainOnly ? RFC5782_DOMAIN_TESTS : RFC5782_IP_TESTS,
    status: "active",
    statusNote: null,
    defaultEnabled: false,
    trapDriven: false,
    refusesPublicResolvers: false,
    queriesPerSecond: null,
    unconfirmed: [],
    ...draft,
  };
}

/** A code that means the target is listed. */
export function listed(code: string, meaning: string): ReturnCode {
  return { code, effect: "listed", meaning };
}

/** A code that answers the query without listing the target (an allow-list grade). */
export function notListed(code: string, meaning: string): ReturnCode {
  return { code, effect: "not-listed", meaning };
}

/** A code that says the list refused or could not serve the query: never a listing. */
export function refused(code: string, meaning: string): ReturnCode {
  return { code, effect: "refused", meaning };
}
