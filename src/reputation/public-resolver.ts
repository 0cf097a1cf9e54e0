import ipaddr from "ipaddr.js";

/** A well-known public resolver that blocklist operators refuse to answer. */
export interface PublicResolver {
  readonly address: string;
  readonly operator: string;
}

// The anycast addresses these operators publish for their public DNS services. Spamhaus,
// URIBL, SURBL, dnswl.org and Validity refuse queries from them, or answer an error code.
const PUBLIC_RESOLVERS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["Google Public DNS", ["8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844"]],
  ["Cloudflare", ["1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001"]],
  ["Quad9", ["9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9"]],
  [
    "OpenDNS",
    ["208.67.222.222", "208.67.220.220", "208.67.222.123", "2620:119:35::35", "2620:119:53::53"],
  ],
  ["AdGuard DNS", ["94.140.14.14", "94.140.15.15"]],
  ["Level 3", ["4.2.2.1", "4.2.2.2", "4.2.2.3", "4.2.2.4"]],
];

/**
 * Returns the first of `addresses` (resolver IPs, optionally with `:port`) that is a
 * well-known public resolver, or null. NOTE: a local resolver that forwards to a public one
 * is not recognised here; the error codes in the answers reveal it instead.
 */
export function findPublicResolver(addresses: readonly string[]): PublicResolver | null {
  for (const address of addresses) {
    const host = hostOf(address);
    if (host === null) continue;
    for (const [operator, known] of PUBLIC_RESOLVERS) {
      if (known.some((candidate) => sameAddress(candidate, host))) return { address, operator };
    }
  }
  return null;
}

function hostOf(address: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  const hostPort = /^([^:]+):\d+$/.exec(address);
  const host = bracketed?.[1] ?? hostPort?.[1] ?? address;
  return ipaddr.isValid(host) ? host : null;
}

function sameAddress(a: string, b: string): boolean {
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}

/** What to do when Spamhaus refuses the resolver, for notices and findings. */
export const SPAMHAUS_RESOLVER_ADVICE =
  "Query through your own recursive resolver (for example unbound on the mail server, whose " +
  "IP has reverse DNS that names you) with --resolver, or get a free Spamhaus Data Query " +
  "Service key and pass --spamhaus-dqs-key KEY.";
