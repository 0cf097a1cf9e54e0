import { domainToASCII } from "node:url";
import { hostNameProblem, isIpAddress, parseIp, reverseName } from "../dns/names.js";
import { normaliseName } from "../dns/types.js";
import { KEY_PLACEHOLDER } from "../knowledge/dqs.js";
import type { BlocklistEntry, TargetKind } from "./types.js";

/** An IP address or domain to look up, in canonical form. */
export interface Target {
  /** IPv4 dotted quad, compressed lower-case IPv6, or a lower-case domain without final dot. */
  readonly value: string;
  readonly kind: TargetKind;
}

export { KEY_PLACEHOLDER };

/**
 * Parses a target. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) becomes the IPv4 address, as lists
 * key on it, and an internationalised domain its `xn--` form. Throws a TypeError naming the
 * value when it is neither an IP address nor a valid domain name with at least two labels.
 */
export function parseTarget(text: string): Target {
  if (isIpAddress(text)) {
    const address = parseIp(text);
    return { value: address.toString(), kind: address.kind() === "ipv4" ? "ipv4" : "ipv6" };
  }
  const domain = asciiName(normaliseName(text.trim()));
  const problem = domainProblem(text, domain);
  if (problem !== null) throw new TypeError(`invalid target "${text}": ${problem}`);
  return { value: domain, kind: "domain" };
}

/**
 * Parses targets and drops repeats in another spelling: `::ffff:192.0.2.1` repeats
 * `192.0.2.1`, `2001:DB8:0::1` repeats `2001:db8::1` and `EXAMPLE.COM.` repeats `example.com`.
 */
export function uniqueTargets(texts: readonly string[]): Target[] {
  const byValue = new Map<string, Target>();
  for (const text of texts) {
    const target = parseTarget(text);
    if (!byValue.has(target.value)) byValue.set(target.value, target);
  }
  return [...byValue.values()];
}

/** Returns the `xn--` form of a name with non-ASCII labels, or the name as it is. */
function asciiName(name: string): string {
  // domainToASCII returns "" for a name it cannot convert; the syntax check then rejects it.
  return /\P{ASCII}/u.test(name) ? domainToASCII(name) : name;
}

function domainProblem(text: string, domain: string): string | null {
  const [base, prefix] = text.trim().split("/");
  if (prefix !== undefined && isIpAddress(base ?? "")) {
    return "give single IP addresses, not a CIDR range";
  }
  const problem = hostNameProblem(domain);
  if (problem !== null) return problem;
  // No top-level domain is all digits, so "192.0.2" is a mistyped address.
  if (/\.\d+$/.test(domain)) return "it is no complete IP address";
  if (!domain.includes(".")) return "give an IP address or a domain such as example.com";
  return null;
}

/**
 * Returns the labels put in front of a list's zone (RFC 5782). IPv4 gives its octets in
 * reverse order, and IPv6 the 32 nibbles of the expanded address in reverse order. A domain
 * is used as it is.
 */
export function queryPrefix(target: Target): string {
  if (target.kind === "domain") return target.value;
  const reverse = reverseName(target.value);
  return reverse.replace(/\.(in-addr|ip6)\.arpa$/, "");
}

/**
 * Builds the fully qualified query name. Names are always sent as they are: a relative name
 * would let a resolver append its search domain and turn an error into a false hit.
 */
export function queryName(target: Target, zone: string): string {
  return `${queryPrefix(target)}.${zone}`;
}

/**
 * Checks a Spamhaus Data Query Service key: one DNS label of letters and digits. Throws a
 * TypeError that does not repeat the key, since it is a secret.
 */
export function checkDqsKey(key: string): string {
  if (!/^[A-Za-z0-9]{8,63}$/.test(key)) {
    throw new TypeError(
      "invalid Spamhaus DQS key: it must be 8 to 63 letters and digits, as shown in your " +
        "Spamhaus account",
    );
  }
  return key.toLowerCase();
}

/** The zone to query for a list, and the same zone as output may show it. */
export interface ListZone {
  readonly zone: string;
  readonly shown: string;
  /** True for a Spamhaus Data Query Service zone, whose name contains the user's key. */
  readonly viaDqs: boolean;
}

/**
 * Returns the zone a list is queried in: `<key>.<label>.dq.spamhaus.net` when a Data Query
 * Service key is given and the list is served there, else the public zone. Null when the
 * list needs a key that was not given.
 */
export function listZone(entry: BlocklistEntry, dqsKey: string | null): ListZone | null {
  if (dqsKey !== null && entry.dqsLabel !== null) {
    const suffix = `${entry.dqsLabel}.dq.spamhaus.net`;
    return { zone: `${dqsKey}.${suffix}`, shown: `${KEY_PLACEHOLDER}.${suffix}`, viaDqs: true };
  }
  if (entry.keyRequired !== null) return null;
  return { zone: entry.zone, shown: entry.zone, viaDqs: false };
}

/** Builds the query name for a test entry of a list (an address or a domain-list name). */
export function testQueryName(entryText: string, zone: string): string {
  if (isIpAddress(entryText)) return queryName(parseTarget(entryText), zone);
  return `${entryText.toLowerCase()}.${zone}`;
}

/** True when the list is asked about the target's kind. */
export function listApplies(entry: BlocklistEntry, target: Target): boolean {
  return entry.targets.includes(target.kind);
}
