import { parseIp } from "../../dns/names.js";
import { parseSpfRecord, type Directive } from "./record.js";
import { WIDEST_IPV4_PREFIX, WIDEST_IPV6_PREFIX } from "./policy.js";

/** Inputs of the corrected record. */
export interface CorrectionInput {
  /** Every `v=spf1` record at the domain. */
  readonly records: readonly string[];
  /** Sending IPs to add: those that fail today, and those that pass only through dropped terms. */
  readonly missingIps: readonly string[];
  /** Total DNS lookups of the current record. */
  readonly lookups: number;
  /** Addresses behind top-level `a` and `mx` terms, by term. */
  readonly addresses: Readonly<Record<string, readonly string[]>>;
  /**
   * Include and redirect targets whose terms are dropped, because they have no usable record or
   * pass every IP through `+all`.
   */
  readonly brokenTargets: readonly string[];
}

const MAX_LOOKUPS = 10;

/**
 * Writes one SPF record that fixes what was found. Several records are merged into one. Invalid
 * terms, `ptr`, over-wide ranges and broken includes are dropped, and the failing sending IPs
 * added. Over the lookup limit, `a` and `mx` become their addresses. The record ends in
 * the term that `mergedEnding` returns. A domain without a record gets `v=spf1 ip4:… ~all`.
 */
export function correctedRecord(input: CorrectionInput): string {
  const terms: string[] = [];
  const ending = mergedEnding(input.records);
  let redirect: string | null = null;
  for (const record of input.records) {
    for (const term of record
      .split(" ")
      .slice(1)
      .filter((t) => t !== "")) {
      const parsed = parseSpfRecord(`v=spf1 ${term}`);
      if (!parsed.ok) continue;
      const directive = parsed.record.directives[0];
      const target = parsed.record.redirect?.text.toLowerCase();
      if (target !== undefined && !input.brokenTargets.includes(target)) redirect = term;
      if (directive === undefined) continue;
      if (directive.mechanism.kind === "all") continue;
      for (const kept of keep(directive, input)) if (!terms.includes(kept)) terms.push(kept);
    }
  }
  for (const ip of input.missingIps) {
    const term = ipTerm(ip);
    if (!terms.includes(term)) terms.push(term);
  }
  const hasAll = input.records.some((record) => / [-~?+]?all( |$)/i.test(record));
  const last = redirect !== null && !hasAll ? redirect : ending;
  return ["v=spf1", ...terms, last].join(" ");
}

/**
 * Returns the `all` term that ends the corrected record: `-all` when every record has `-all`,
 * else `~all`. When merged records disagree, the softer `~all` wins: receivers return
 * permerror for several records and apply no ending today, so `-all` could start failing mail
 * that no record's terms cover.
 */
export function mergedEnding(records: readonly string[]): "-all" | "~all" {
  const hard = records.length > 0 && records.every((record) => allTerm(record) === "-all");
  return hard ? "-all" : "~all";
}

/**
 * Returns the sentence that names the `all` term the merge of several records kept, with the
 * reason, or null for one record or none.
 */
export function mergedEndingSentence(records: readonly string[]): string | null {
  if (records.length < 2) return null;
  const endings = [...new Set(records.map((record) => allTerm(record) ?? "none"))];
  if (endings.length === 1 && (endings[0] === "-all" || endings[0] === "~all")) {
    return `It ends in ${endings[0]}, as every record does.`;
  }
  return (
    `The records' endings are ${endings.join(" and ")}, and the merged record ends in ~all: ` +
    "receivers return permerror for several records and apply no ending today, so -all " +
    "could start failing mail at once. Change it to -all once DMARC reports show that all " +
    "your mail passes SPF."
  );
}

/** Returns the record's `all` term with its qualifier (`~all`, `-all`), or null without one. */
function allTerm(record: string): string | null {
  const term = record
    .split(" ")
    .slice(1)
    .find((t) => /^[-~?+]?all$/i.test(t));
  if (term === undefined) return null;
  const lower = term.toLowerCase();
  return lower === "all" ? "+all" : lower;
}

/**
 * Writes the `ip4:` or `ip6:` term for one sending IP. An IPv4-mapped IPv6 address gets `ip4:`,
 * because the SPF evaluation compares it as IPv4 (see `parseIp`), so an `ip6:` term never
 * matches it. IPv6 is written in the RFC 5952 form, so two spellings of one address give one
 * term.
 */
function ipTerm(ip: string): string {
  const address = parseIp(ip);
  const text = address.toString();
  return address.kind() === "ipv4" ? `ip4:${text}` : `ip6:${text}`;
}

function keep(directive: Directive, input: CorrectionInput): string[] {
  const mechanism = directive.mechanism;
  if (mechanism.kind === "ptr") return [];
  if (
    mechanism.kind === "include" &&
    input.brokenTargets.includes(mechanism.domain.text.toLowerCase())
  )
    return [];
  if (mechanism.kind === "ip4" && mechanism.prefix < WIDEST_IPV4_PREFIX) return [];
  if (mechanism.kind === "ip6" && mechanism.prefix < WIDEST_IPV6_PREFIX) return [];
  const flatten =
    input.lookups > MAX_LOOKUPS && (mechanism.kind === "a" || mechanism.kind === "mx");
  const addresses = input.addresses[directive.text];
  if (flatten && addresses !== undefined && addresses.length > 0) {
    return addresses.map(ipTerm);
  }
  return [directive.text];
}
