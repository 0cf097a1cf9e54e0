import { isIpAddress, parseIp } from "../dns/names.js";

/**
 * The records of the history database: watched states, their changes, incidents, removal
 * requests and the alert outbox. Times are milliseconds since the Unix epoch.
 */

/**
 * The kind of thing a state describes: a provider's treatment of one IP, one blocklist entry,
 * one DNS check, or whether this server can connect to a provider.
 */
export type StateKind = "block" | "blocklist" | "dns" | "connection";

/**
 * The values of each kind. `block`: `ok`, `rate-limited` or `blocked`; `blocklist`: `listed`
 * or `not-listed`; `dns`: a check verdict, `pass`, `warn` or `fail`; `connection`: `reachable`
 * or `unreachable`.
 */
export type StateValue = string;

/** One look at a watched thing, as a probe, a log window or a check saw it. */
export interface Observation {
  /** Stable key such as `block:gmail:192.0.2.1`; build it with the `*Key` functions. */
  readonly key: string;
  readonly kind: StateKind;
  /** The thing observed, for people: `gmail 192.0.2.1`, `192.0.2.1 on spamhaus-zen`. */
  readonly subject: string;
  readonly value: StateValue;
  /** When the value was observed: the time of the check. */
  readonly at: number;
  /**
   * When the evidence shows the value began, if that is before `at`: the first block reply of a
   * log window. A change is dated then, and so is the incident it opens.
   */
  readonly occurredAt?: number;
  /**
   * True for the two observations of a value that began and ended before it was observed: a
   * block that a log window shows from its first reply to its lift. The change into the value
   * queues no alert, and the change out of it queues one that names both ends.
   */
  readonly past?: boolean;
  readonly runId: number | null;
  /** The evidence of the value (a reply, a probe id, a blocklist code), stored as JSON. */
  readonly evidence: object;
}

/**
 * The kinds of change. Each raises an alert except `target-removed`, which records that the
 * incident of a target removed from the monitor's configuration was closed unchecked.
 */
export type ChangeKind =
  | "block-seen"
  | "block-changed"
  | "block-lifted"
  | "listed"
  | "delisted"
  | "dns-broken"
  | "dns-fixed"
  | "outage-started"
  | "outage-ended"
  | "target-removed";

/** A recorded change of a watched state. */
export interface StateChange {
  readonly id: number;
  readonly key: string;
  readonly kind: StateKind;
  readonly subject: string;
  readonly change: ChangeKind;
  /** The value before, or null when the thing had not been observed before. */
  readonly previous: StateValue | null;
  readonly value: StateValue;
  readonly at: number;
  readonly runId: number | null;
  readonly incidentId: number | null;
  readonly evidence: object;
}

/** A block, listing or outage from the time it was first seen until it ended. */
export interface Incident {
  readonly id: number;
  readonly key: string;
  readonly kind: StateKind;
  readonly subject: string;
  readonly openedAt: number;
  /** Null while the block, listing or outage lasts. */
  readonly closedAt: number | null;
  readonly openEvidence: object;
  readonly closeEvidence: object | null;
}

/** A removal request that the operator sent to a provider, as recorded by delist. */
export interface RemovalRequest {
  readonly id: number;
  readonly provider: string;
  readonly ip: string;
  readonly incidentId: number | null;
  readonly requestedAt: number;
  /** True when it was recorded with `--force` inside the waiting period. */
  readonly forced: boolean;
  readonly note: string | null;
}

/**
 * The delivery state of an alert in the outbox. `superseded`: a held alert that a newer change
 * of its key replaced, or that would report the state the last sent alert already reported.
 */
export type AlertStatus = "pending" | "sent" | "failed" | "superseded";

/** One alert of one change on one channel (`webhook` or `email`). */
export interface AlertRecord {
  readonly id: number;
  readonly changeId: number;
  readonly channel: string;
  readonly payload: AlertPayload;
  readonly status: AlertStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly sentAt: number | null;
  readonly lastError: string | null;
  /** True when the alert was queued inside the flap window and waits for its end. */
  readonly held: boolean;
}

/** The JSON body of an alert; docs/alert.schema.json describes it. */
export interface AlertPayload {
  readonly schemaVersion: 1;
  /** Stable per change and channel, so a receiver can drop a repeated delivery. */
  readonly alertKey: string;
  readonly change: ChangeKind;
  readonly key: string;
  readonly kind: StateKind;
  readonly subject: string;
  readonly previous: StateValue | null;
  readonly value: StateValue;
  readonly at: string;
  readonly summary: string;
  readonly incident: {
    readonly id: number;
    readonly openedAt: string;
    readonly closedAt: string | null;
  } | null;
  readonly evidence: object;
}

/** Builds the state key of a provider's treatment of one sending IP, in canonical form. */
export function blockKey(provider: string, ip: string): string {
  return `block:${provider}:${canonicalIp(ip)}`;
}

/**
 * Returns an IP address in one spelling, so that `2001:DB8:0::5` and `2001:db8::5` name the
 * same state, incident and removal request: IPv6 lower-case and compressed (RFC 5952), an
 * IPv4-mapped IPv6 address as IPv4. Text that is not an address is returned unchanged.
 */
export function canonicalIp(ip: string): string {
  return isIpAddress(ip) ? parseIp(ip).toString() : ip;
}

/**
 * Builds the state key of this server's connections to a provider from `source`: the sending
 * IP (in canonical form), or the path of the log when the log does not show the IP.
 */
export function connectionKey(provider: string, source: string): string {
  return `connection:${provider}:${canonicalIp(source)}`;
}

/** Builds the state key of one target (IP or domain) on one blocklist. */
export function blocklistKey(target: string, list: string): string {
  return `blocklist:${target}:${list}`;
}

/** Builds the state key of one DNS check (`spf`, `dkim`, `dmarc`, `mx`, `ptr`) of a subject. */
export function dnsKey(subject: string, check: string): string {
  return `dns:${subject}:${check}`;
}
