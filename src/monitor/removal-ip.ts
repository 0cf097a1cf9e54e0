/**
 * The check that a removal request names an IP that receivers can see. A receiver judges the
 * address that mail arrives from, so a request for an address that never reaches it (private,
 * loopback, link-local and the like) cannot lift a block.
 */
import ipaddr from "ipaddr.js";
import { parseIp } from "../dns/names.js";

/**
 * Ranges, by their ipaddr.js 2.5 names, that never reach a receiver as the source of mail, with
 * their names for people: addresses that are not unicast, that stay inside one host or network,
 * or that a NAT64 translator replaces. Routed tunnel ranges such as 6to4 (2002::/16) and Teredo
 * (2001::/32) are not listed, because mail can arrive from them.
 */
const NON_GLOBAL_RANGES: Readonly<Record<string, string>> = {
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address (100.64.0.0/10, RFC 6598)",
  private: "a private address (RFC 1918)",
  uniqueLocal: "a unique local address (fc00::/7, RFC 4193)",
  deprecatedSiteLocal: "a site-local address (fec0::/10, RFC 3879)",
  discard: "a discard-only address (100::/64, RFC 6666)",
  rfc6145: "an IPv4-translated address (::ffff:0:0:0/96, RFC 6145)",
  rfc6052: "a NAT64 translation address (64:ff9b::/96, RFC 6052)",
  benchmarking: "a benchmarking address",
  deprecatedOrchid: "an ORCHID identifier (2001:10::/28, RFC 4843)",
  segmentRouting: "a segment routing address (5f00::/16, RFC 9602)",
  reserved: "an address reserved for special use",
};

// ipaddr.js files the documentation ranges under "reserved" with others.
const DOCUMENTATION_RANGES = [
  "192.0.2.0/24",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "2001:db8::/32",
  "3fff::/20",
].map((cidr) => ipaddr.parseCIDR(cidr));

/**
 * Describes the range of `ip` when receivers never see mail from it, such as "a private
 * address (RFC 1918)"; returns null for a global address. An IPv4-mapped IPv6 address is
 * judged as its IPv4 address.
 *
 * The documentation ranges (RFC 5737 for IPv4, RFC 3849 and RFC 9637 for IPv6) count as
 * global. The bundled example, the README and the tests use them as the server's public IP,
 * and `delist diagnose` prints `delist removal request` commands for the IPs of its log, so
 * rejecting them would break the documented first steps.
 */
export function nonGlobalRange(ip: string): string | null {
  const address = parseIp(ip);
  const isDocumentation = DOCUMENTATION_RANGES.some(
    ([network, prefix]) => network.kind() === address.kind() && address.match(network, prefix),
  );
  if (isDocumentation) return null;
  return NON_GLOBAL_RANGES[address.range()] ?? null;
}
