import ipaddr from "ipaddr.js";

/** An inclusive range of IPv4 addresses as 32-bit numbers. */
export interface CodeRange {
  readonly first: number;
  readonly last: number;
}

/** Returns the 32-bit number of a dotted-quad IPv4 address, or null for anything else. */
export function ipv4Number(text: string): number | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const bytes = ipaddr.IPv4.parse(text).toByteArray();
  return bytes.reduce((value, byte) => value * 256 + byte, 0);
}

/**
 * Parses a return code as the catalogue writes it: one address (`127.0.0.2`) or an inclusive
 * range (`127.0.0.5-127.0.0.7`). Returns null when the text is neither, or when the range is
 * reversed.
 */
export function parseCode(code: string): CodeRange | null {
  const [start, end, extra] = code.split("-");
  if (start === undefined || extra !== undefined) return null;
  const first = ipv4Number(start.trim());
  const last = end === undefined ? first : ipv4Number(end.trim());
  if (first === null || last === null || last < first) return null;
  return { first, last };
}

/** True when `address` is one of the codes in `code` (an address or a range). */
export function codeMatches(code: string, address: string): boolean {
  const range = parseCode(code);
  const value = ipv4Number(address);
  return range !== null && value !== null && value >= range.first && value <= range.last;
}

/** True for an IPv4 address in 127.0.0.0/8, the only block DNSBLs answer from (RFC 5782). */
export function isLoopbackCode(address: string): boolean {
  const value = ipv4Number(address);
  return value !== null && Math.floor(value / 2 ** 24) === 127;
}

/** The four octets of a dotted-quad address; throws a TypeError on anything else. */
export function octets(address: string): readonly [number, number, number, number] {
  if (!ipaddr.IPv4.isValidFourPartDecimal(address)) {
    throw new TypeError(`invalid IPv4 address "${address}"`);
  }
  const [a, b, c, d] = ipaddr.IPv4.parse(address).toByteArray();
  return [a ?? 0, b ?? 0, c ?? 0, d ?? 0];
}
