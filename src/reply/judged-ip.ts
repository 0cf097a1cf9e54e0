import { isIP } from "node:net";
import { isIpAddress, parseIp } from "../dns/names.js";
import type { ParsedReply } from "./types.js";

/**
 * The IP that a receiver names as the one it judged: the sender's address in the receiver's
 * own words ("[203.0.113.5      15]", "messages from [203.0.113.5]", "Fix reverse DNS for
 * 203.0.113.5"). An MTA's own words about the host it connected to ("connect to
 * mx.example.net[192.0.2.7]:25: Connection refused") name the receiver instead, and a
 * receiver's address taken as the sender's would send the admin to fix SPF and PTR records
 * for a stranger's server.
 */

// Hex digits up to the first dot or colon, then the rest. Splitting at the first separator keeps
// the match linear, because an overlapping form ("[0-9a-f.:]*[.:][0-9a-f.:]+") backtracks in
// quadratic time.
const IP_CANDIDATE = String.raw`[0-9a-fA-F]*[.:][0-9a-fA-F.:]+`;
// The tag of an IPv6 address literal of RFC 5321 section 4.1.3, "[IPv6:2001:db8::1]", in any
// case, because admins paste replies in lower case too.
const IPV6_TAG = String.raw`(?:[Ii][Pp][Vv]6:)?`;
// At most 45 characters, the longest IPv6 text form, so that a long run after "[" costs
// constant time per bracket.
const BRACKETED_IP = String.raw`\[${IPV6_TAG}[0-9a-fA-F.:]{2,45}\]`;

const JUDGED_IP_PATTERNS: readonly RegExp[] = [
  // Gmail's "[203.0.113.5      15]": the IP it judged, padding, and an undocumented number.
  new RegExp(String.raw`\[(${IP_CANDIDATE})\s+\d{1,3}\]`),
  // A bracketed IP in the reply text: "[203.0.113.5] The IP address sending this message",
  // "Client host [IPv6:2001:db8::85]".
  new RegExp(String.raw`\[${IPV6_TAG}(${IP_CANDIDATE})\]`),
  // "Messages from 203.0.113.5", "banned sending IP 203.0.113.5", "ip=203.0.113.5", "comcast
  // 203.0.113.5", "Fix reverse DNS for 203.0.113.5", "no PTR record for 203.0.113.5", T-Online's
  // "IP=203.0.113.5", "rDNS lookup failed for 203.0.113.5", SpamCop's "bl.shtml?203.0.113.5",
  // Gmail's "The sender IP address for this email is 203.0.113.5".
  new RegExp(
    String.raw`(?:\bfrom|\bIP=?|\bhost|\bserver|\bcomcast|[?&](?:ip|v)=|bl\.shtml\?|with ip:?|(?:DNS|PTR)(?: record)? for|lookup failed for|\bIP address for this (?:e-?mail|message) is)\s*\[?(${IP_CANDIDATE})`,
    "i",
  ),
  // An address that the reply calls listed or blocked: "because 203.0.113.5 is in a black list
  // at …", "Rejected: 203.0.113.5 listed at …", "203.0.113.5 is blocked", Comcast's
  // "203.0.113.5 found on one or more DNSBLs".
  new RegExp(
    String.raw`(?<![\w.:])(${IP_CANDIDATE})\s+(?:is\s+)?(?:in\s+(?:a|an|the|our)\b|(?:black|block)?listed\b|blocked\b|found\s+(?:on|in)\b)`,
    "i",
  ),
];

/**
 * Patterns of an MTA naming the host it connected to. Each match is blanked out before the
 * search, so an address there is never taken as the judged one.
 */
const REMOTE_HOST_NAMES: readonly RegExp[] = [
  // An address with a port is one the MTA connected to: Postfix "connect to
  // mx.example.net[192.0.2.7]:25", Gmail's bounce "[(0) mx.example.net. [192.0.2.7]:25: socket
  // error]".
  new RegExp(String.raw`${BRACKETED_IP}:\d`, "g"),
  // An address glued to a host name: Postfix "lost connection with mx.example.net[192.0.2.7]",
  // "conversation with …[…] timed out". Postfix's smtpd writes the client the same way in
  // angle brackets ("<mail.example.com[203.0.113.5]>: Client host rejected"), and there the
  // client is the sender, so that form is kept.
  new RegExp(String.raw`(?<=[\w.-])${BRACKETED_IP}(?!>)`, "g"),
  // Exim names the host apart from its address: "H=mx.example.net [192.0.2.7]: Connection
  // refused", "host mx.example.net [192.0.2.7]: 550 …", "Remote host mx.example.net
  // [192.0.2.7] closed connection".
  new RegExp(String.raw`(?:\bH=|\bhost[ \t]+)[^\s[\]]+[ \t]+${BRACKETED_IP}`, "gi"),
  // qmail: "remote host 192.0.2.7 said: 550 …", "Other MXes tried: 192.0.2.7 said 550".
  new RegExp(String.raw`(?<![\w.:])${IP_CANDIDATE}\]?[ \t]+said\b`, "g"),
];

/**
 * The words of a failed connection, which only the sending MTA writes: Postfix "connect to
 * H[ip]:25: Connection refused", "lost connection with H[ip] while …", "conversation with
 * H[ip] timed out while …", Exim "Remote host closed connection", Sendmail "Deferred:
 * Connection refused by [192.0.2.7]".
 */
const CONNECTION_FAILURE =
  /^(?:delivery temporarily suspended:\s*)?(?:connect to|lost connection with|conversation with)\s|\b(?:Connection (?:refused|timed out|reset|closed)|No route to host|(?:Network|Host) is unreachable|closed connection|socket error)\b/i;

/**
 * Returns the connecting IP that the receiver names as the one it judged, or null. A text without a reply
 * code that reads as a failed connection names none, and neither does the address of the
 * host that replied (`remoteIp`), which is the receiver's. An IPv6 address is returned in the
 * compressed form of RFC 5952 (`2001:db8::85`), as ipaddr.js writes it.
 */
export function findJudgedIp(
  reply: Pick<ParsedReply, "text" | "replyCode" | "enhancedStatus" | "remoteIp">,
): string | null {
  const replied = reply.replyCode !== null || reply.enhancedStatus !== null;
  if (!replied && CONNECTION_FAILURE.test(reply.text)) return null;

  const ip = searchJudgedIp(maskRemoteHosts(reply.text));
  if (ip === null || (reply.remoteIp !== null && sameIp(ip, reply.remoteIp))) return null;
  return ip;
}

function searchJudgedIp(text: string): string | null {
  for (const pattern of JUDGED_IP_PATTERNS) {
    const match = pattern.exec(text);
    const candidate = match?.[1];
    if (candidate === undefined) continue;
    const ip = withoutPort(candidate);
    if (isIP(ip) !== 0) return ip.includes(":") ? (canonicalIp(ip) ?? ip) : ip;
  }
  return null;
}

// "Connection from 203.0.113.5:43210": an IPv4 address with the client's port after it.
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

function withoutPort(candidate: string): string {
  return IPV4_WITH_PORT.exec(candidate)?.[1] ?? candidate;
}

function maskRemoteHosts(text: string): string {
  // A text without "[" or "said" matches none of the patterns, so it skips the four passes.
  if (!text.includes("[") && !/\bsaid\b/.test(text)) return text;
  let masked = text;
  for (const pattern of REMOTE_HOST_NAMES) masked = masked.replace(pattern, " ");
  return masked;
}

/** True when both texts are the same address, whatever their IPv6 spelling. */
export function sameIp(first: string, second: string): boolean {
  if (first === second) return true;
  // Two dotted IPv4 texts are the same address only when equal.
  if (!first.includes(":") && !second.includes(":")) return false;
  const canonical = canonicalIp(first);
  return canonical !== null && canonical === canonicalIp(second);
}

// Canonical texts of the IPv6 (and IPv4-mapped) addresses compared so far. A log names the
// same few relay and sender addresses on every deferral, and parsing them with ipaddr.js each
// time cost about a tenth of the analysis of a log in which Gmail defers most mail. The map
// starts over when full, so junk input cannot grow it without bound.
const CANONICAL = new Map<string, string | null>();
const MAX_CANONICAL = 4096;

function canonicalIp(text: string): string | null {
  const known = CANONICAL.get(text);
  if (known !== undefined) return known;
  const canonical = isIpAddress(text) ? parseIp(text).toString() : null;
  if (CANONICAL.size >= MAX_CANONICAL) CANONICAL.clear();
  CANONICAL.set(text, canonical);
  return canonical;
}
