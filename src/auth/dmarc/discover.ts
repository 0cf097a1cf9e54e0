import { getDomain } from "tldts";
import type { DnsContext } from "../../dns/context.js";
import { isVoidFailure, joinTxt, type DnsFailure } from "../../dns/types.js";
import { isDmarcRecord, isMalformedDmarcRecord } from "./record.js";

/** Method for finding the organisational domain: the RFC 9989 DNS tree walk, or the public suffix list. */
export type OrgDomainMethod = "tree-walk" | "psl";

/** The DMARC records found at one name during discovery. */
export interface DmarcLookup {
  readonly name: string;
  readonly records: readonly string[];
  /** TXT strings that mention `v=DMARC` but are no valid record, which receivers skip. */
  readonly malformed: readonly string[];
  readonly failure: DnsFailure | null;
}

/** Result of policy discovery. */
export interface DmarcDiscovery {
  /** The domain whose `_dmarc` record applies, or null when none was found. */
  readonly recordDomain: string | null;
  readonly records: readonly string[];
  readonly organisationalDomain: string;
  readonly method: OrgDomainMethod;
  readonly lookups: readonly DmarcLookup[];
  /** Malformed records on the walk up to the record found, or on the whole walk without one. */
  readonly malformed: readonly { readonly name: string; readonly record: string }[];
  /**
   * The DNS error of a query that could hide the policy: one before the record found, or any
   * when no record was found. NXDOMAIN and NODATA are no errors.
   */
  readonly failure: DnsFailure | null;
}

/** RFC 9989 tree walk: at most this many `_dmarc` queries. */
const MAX_WALK_QUERIES = 8;

/**
 * Lists the names the tree walk queries for a domain, longest first (RFC 9989, DNS tree walk).
 * After the domain itself comes its seven right-most labels when it has eight or more. Each
 * further step drops one label, down to the top-level domain.
 */
export function treeWalkNames(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, "").split(".");
  const names = [labels.join(".")];
  let count = labels.length >= 8 ? 7 : labels.length - 1;
  while (count >= 1 && names.length < MAX_WALK_QUERIES) {
    names.push(labels.slice(labels.length - count).join("."));
    count--;
  }
  return names;
}

async function lookupAt(name: string, dns: DnsContext): Promise<DmarcLookup> {
  const answer = await dns.lookup(`_dmarc.${name}`, "TXT");
  if (answer.ok) {
    const texts = answer.records.map(joinTxt);
    return {
      name,
      records: texts.filter(isDmarcRecord),
      malformed: texts.filter(isMalformedDmarcRecord),
      failure: null,
    };
  }
  return { name, records: [], malformed: [], failure: isVoidFailure(answer.kind) ? null : answer };
}

/**
 * Finds the DMARC record that applies to a From domain and the domain's organisational domain.
 * The policy is the first record on the walk up from the domain. With the tree walk, the
 * organisational domain is the first name with `psd=n`, the name below a `psd=y` record, or
 * else the shortest name with a record; with the PSL it is the registrable domain.
 */
export async function discoverDmarc(
  domain: string,
  dns: DnsContext,
  method: OrgDomainMethod = "tree-walk",
): Promise<DmarcDiscovery> {
  const lookups: DmarcLookup[] = [];
  const lower = domain.toLowerCase().replace(/\.$/, "");
  const names =
    method === "psl" ? [...new Set([lower, pslOrganisationalDomain(lower)])] : treeWalkNames(lower);
  for (const name of names) {
    const lookup = await lookupAt(name, dns);
    // Zone files hold the domains checked, so a name above them that the files do not cover
    // ends the walk as a name without a record would.
    if (name !== names[0] && lookup.failure?.kind === "not-in-zone") break;
    lookups.push(lookup);
    if (lookup.failure !== null) break;
    if (method === "psl" && lookup.records.length > 0) break;
  }
  const foundIndex = lookups.findIndex((lookup) => lookup.records.length > 0);
  const found = lookups[foundIndex] ?? null;
  // A failed query above the record found cannot change the policy, which is the first record
  // on the walk. It only ends the search for the organisational domain early.
  // NOTE: the organisational domain is then taken from the names answered so far.
  const failedIndex = lookups.findIndex((lookup) => lookup.failure !== null);
  const hidesPolicy = failedIndex >= 0 && (foundIndex < 0 || failedIndex < foundIndex);
  const failure = hidesPolicy ? (lookups[failedIndex]?.failure ?? null) : null;
  const walked = foundIndex < 0 ? lookups : lookups.slice(0, foundIndex + 1);
  const malformed = walked.flatMap((lookup) =>
    lookup.malformed.map((record) => ({ name: lookup.name, record })),
  );
  return {
    recordDomain: found?.name ?? null,
    records: found?.records ?? [],
    organisationalDomain:
      method === "psl"
        ? pslOrganisationalDomain(domain)
        : walkOrganisationalDomain(domain, lookups),
    method,
    lookups,
    malformed,
    failure,
  };
}

function walkOrganisationalDomain(domain: string, lookups: readonly DmarcLookup[]): string {
  const start = domain.toLowerCase().replace(/\.$/, "");
  let shortest: string | null = null;
  for (const lookup of lookups) {
    const psd = /(?:^|;)\s*psd\s*=\s*([yn])/i.exec(lookup.records[0] ?? "")?.[1]?.toLowerCase();
    if (psd === "n") return lookup.name;
    if (psd === "y" && lookup.name !== start) return oneLabelBelow(start, lookup.name);
    if (lookup.records.length > 0) shortest = lookup.name;
  }
  return shortest ?? start;
}

function oneLabelBelow(start: string, parent: string): string {
  const labels = start.split(".");
  const parentLabels = parent.split(".").length;
  return labels.slice(labels.length - parentLabels - 1).join(".");
}

/** Returns the registrable domain by the public suffix list (RFC 7489, 3.2), or the domain itself. */
export function pslOrganisationalDomain(domain: string): string {
  const lower = domain.toLowerCase().replace(/\.$/, "");
  return registrableDomain(lower) ?? lower;
}

/**
 * The registrable domain (public suffix plus one label) by the public suffix list bundled with
 * `tldts`, private entries included; null for a public suffix itself or a name with a leading dot.
 */
export function registrableDomain(domain: string): string | null {
  if (domain.startsWith(".")) return null;
  return getDomain(domain.toLowerCase(), { allowPrivateDomains: true });
}
