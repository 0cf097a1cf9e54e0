import ipaddr from "ipaddr.js";

/**
 * Returns the reverse-lookup name of an IPv4 or IPv6 address: `4.3.2.1.in-addr.arpa` for
 * 1.2.3.4 and the 32 nibbles under `ip6.arpa` for IPv6 (RFC 3596, section 2.5). An IPv4-mapped
 * IPv6 address is looked up as its IPv4 address. Throws a TypeError on text that is no address.
 */
export function reverseName(address: string): string {
  const parsed = parseIp(address);
  if (parsed.kind() === "ipv4") {
    return `${[...parsed.toByteArray()].reverse().join(".")}.in-addr.arpa`;
  }
  const nibbles = parsed
    .toByteArray()
    .flatMap((byte) => [byte >> 4, byte & 0x0f])
    .map((nibble) => nibble.toString(16));
  return `${nibbles.reverse().join(".")}.ip6.arpa`;
}

/**
 * Parses an IP address, turning IPv4-mapped IPv6 (`::ffff:192.0.2.1`) into IPv4 as SPF and
 * reverse DNS treat it. Throws a TypeError naming the value when it is not an address.
 */
export function parseIp(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  if (!ipaddr.isValid(address)) {
    throw new TypeError(`invalid IP address "${address}": give an IPv4 or IPv6 address`);
  }
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}

/** True when the text is an IPv4 address in dotted-quad form or any IPv6 form. */
export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

/**
 * Checks a domain name for DNS limits: labels 1 to 63 octets, 253 octets in all (RFC 1035,
 * section 2.3.4). Returns the problem in words, or null when the name fits.
 */
export function nameProblem(name: string): string | null {
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  if (bare === "") return "the name is empty";
  if (Buffer.byteLength(bare) > 253) return "the name is longer than 253 octets";
  for (const label of bare.split(".")) {
    if (label === "") return "the name has an empty label";
    if (Buffer.byteLength(label) > 63) return `the label "${label}" is longer than 63 octets`;
  }
  return null;
}

/**
 * Checks the syntax of a host or domain name as typed by a user: the DNS limits, then labels
 * of letters, digits and hyphens with no hyphen at either end (RFC 1123, section 2.1). An
 * underscore may only start a label, as in service names such as `_dmarc`. Returns the problem
 * in words, or null when the name is valid. Give non-ASCII names in their `xn--` form.
 */
export function hostNameProblem(name: string): string | null {
  const limits = nameProblem(name);
  if (limits !== null) return limits;
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  for (const label of bare.split(".")) {
    if (!HOST_LABEL.test(label)) return labelProblem(label);
  }
  return null;
}

const HOST_LABEL = /^_?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

function labelProblem(label: string): string {
  const character = /[^a-z0-9_-]/i.exec(label)?.[0];
  if (character !== undefined) {
    const shown = /\s/.test(character) ? "a space" : `"${character}"`;
    return `the label "${label}" contains ${shown}, which no host name may contain`;
  }
  if (label.slice(1).includes("_")) {
    return `the label "${label}" has an underscore after its first character`;
  }
  if (/^_?-|-$/.test(label)) {
    return `the label "${label}" starts or ends with a hyphen`;
  }
  return `the label "${label}" has no letter or digit`;
}
