/**
 * The DNS port: the record types delist asks for, the answers, and the closed set of ways a
 * query can fail. Every resolver (system, a given server, zone file, replay) returns these, so
 * the checks above them tell NXDOMAIN from NODATA from SERVFAIL from a timeout the same way.
 */

/** An MX record: lower `priority` is tried first (RFC 5321, section 5.1). */
export interface MxRecord {
  readonly priority: number;
  readonly exchange: string;
}

/** The data of one record of each type that delist queries. */
export interface RecordDataMap {
  readonly A: string;
  readonly AAAA: string;
  /** The character-strings of one TXT record, not yet joined (RFC 7208, section 3.3). */
  readonly TXT: readonly string[];
  readonly MX: MxRecord;
  readonly PTR: string;
  readonly CNAME: string;
  readonly NS: string;
}

export type RecordType = keyof RecordDataMap;

export const RECORD_TYPES: readonly RecordType[] = ["A", "AAAA", "TXT", "MX", "PTR", "CNAME", "NS"];

/**
 * Why a query returned no records. `nxdomain` and `nodata` are answers (the name does not
 * exist, or has no record of that type); the others mean the answer is unknown.
 * `unreachable` is a network error, and a query not sent after one; a query not sent because
 * earlier queries timed out with no answer at all in this run is a `timeout`. `not-recorded`
 * is a replay file without this query; `offline` is a query not sent at all because the run
 * is offline (`--offline`). `not-in-zone` is what a zone-file resolver returns for a name that
 * is neither at nor below any zone origin in its files, so the files cannot show whether it
 * exists. `truncated` is an answer too big for UDP (TC bit set) whose retry over TCP failed
 * or was truncated again, so the server answered but its records are unknown. `malformed` is
 * a reply to the query (its id, the QR bit set) that is not a valid DNS message.
 */
export type DnsFailureKind =
  | "nxdomain"
  | "nodata"
  | "servfail"
  | "refused"
  | "timeout"
  | "unreachable"
  | "truncated"
  | "malformed"
  | "invalid-name"
  | "not-recorded"
  | "offline"
  | "not-in-zone";

export interface DnsFailure {
  readonly kind: DnsFailureKind;
  readonly name: string;
  readonly type: RecordType;
  /** What the server or the network reported, for people. */
  readonly detail: string;
  /**
   * For `truncated`: true when the retry over TCP got an answer that was truncated too, so
   * DNS over TCP works but the server sent no usable answer over it. Absent otherwise.
   */
  readonly tcpAnswered?: boolean;
}

/** The records of one successful query; `canonicalName` is the end of any CNAME chain. */
export interface DnsAnswer<T extends RecordType> {
  readonly ok: true;
  readonly name: string;
  readonly type: T;
  readonly records: readonly RecordDataMap[T][];
  readonly ttlSeconds: number;
  readonly canonicalName: string;
  /** The CNAME targets followed, in order, when the name is an alias. */
  readonly cnameChain: readonly string[];
}

export type DnsResult<T extends RecordType> = DnsAnswer<T> | ({ readonly ok: false } & DnsFailure);

/**
 * A source of DNS answers. Implementations return failures as values and reject only when
 * called wrongly; the `DnsContext` adds caching, counting and tracing on top.
 */
export interface Resolver {
  /** A short description for traces and reports, such as `server 127.0.0.1:5353`. */
  readonly description: string;
  resolve<T extends RecordType>(name: string, type: T): Promise<DnsResult<T>>;
  /** Releases sockets or writes files; the context calls it once at the end of a run. */
  close?(): Promise<void>;
}

/** True for the failures that say the name or the record does not exist. */
export function isVoidFailure(kind: DnsFailureKind): boolean {
  return kind === "nxdomain" || kind === "nodata";
}

/** True for failures after which nothing can be said about the records (RFC 7208 temperror). */
export function isTemporaryFailure(kind: DnsFailureKind): boolean {
  return (
    kind === "servfail" ||
    kind === "refused" ||
    kind === "timeout" ||
    kind === "unreachable" ||
    kind === "truncated" ||
    kind === "not-recorded" ||
    kind === "offline" ||
    kind === "not-in-zone"
  );
}

/** Builds a failure result. */
export function dnsFailure<T extends RecordType>(
  name: string,
  type: T,
  kind: DnsFailureKind,
  detail: string,
): DnsResult<T> {
  return { ok: false, kind, name, type, detail };
}

/** Lower-cases a query name and drops a trailing dot, the form the cache and zones key on. */
export function normaliseName(name: string): string {
  const trimmed = name.endsWith(".") ? name.slice(0, -1) : name;
  return trimmed.toLowerCase();
}

/** Joins a TXT record's character-strings with nothing between them (RFC 7208, section 3.3). */
export function joinTxt(strings: readonly string[]): string {
  return strings.join("");
}
