import type { Finding, ReadinessItem } from "../diagnose/types.js";
import type { ListHealthState } from "./probe.js";
import type { Target } from "./query-name.js";
import type { BlocklistResult, ListStatus, ListType, Relevance, TargetKind } from "./types.js";

/** One list as a run used it: where it was asked and whether it could be trusted. */
export interface ListReport {
  readonly id: string;
  readonly name: string;
  /** The zone asked, with any access key replaced by `<dqs-key>`; null when not queried. */
  readonly zone: string | null;
  readonly listType: ListType;
  readonly targets: readonly TargetKind[];
  /** The catalogue's state of the list. */
  readonly status: ListStatus;
  readonly relevance: Relevance;
  readonly health: ListHealthState;
  readonly detail: string;
  readonly delisting: string | null;
}

/** Something about the whole run, said once instead of on every row. */
export type NoticeKind =
  | "dns-unreachable"
  | "offline"
  | "timeouts"
  | "public-resolver"
  | "spamhaus-refused"
  | "spamhaus-over-quota"
  | "resolver-rewrites"
  | "list-unusable"
  | "list-retired"
  | "needs-key"
  | "no-lists"
  | "special-address";

export interface Notice {
  readonly kind: NoticeKind;
  /** The list concerned, or null for the whole run. */
  readonly list: string | null;
  readonly message: string;
  /** What to do about it; null when there is nothing to do. */
  readonly advice: string | null;
}

/** Everything a blocklist run found; `delist blocklists` and `delist diagnose` render it. */
export interface BlocklistReport {
  readonly targets: readonly Target[];
  readonly lists: readonly ListReport[];
  /** One result per target and applicable list, targets in input order, lists in catalogue order. */
  readonly results: readonly BlocklistResult[];
  readonly notices: readonly Notice[];
  /** The `ip-blocklisted` finding, or null when no block list lists a target. */
  readonly finding: Finding | null;
  /** The `spam-traps` finding, or null when no list driven by spam traps lists a target. */
  readonly trapFinding: Finding | null;
  /** The `blocklists` item of the removal-readiness checklist. */
  readonly readiness: ReadinessItem;
  /** True when the resolver answered no query at all. */
  readonly unreachable: boolean;
}
