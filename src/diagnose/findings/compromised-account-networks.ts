import ipaddr from "ipaddr.js";
import type { OriginFacts } from "../../analysis/origins.js";
import type { DiagnoseContext } from "../context.js";
import { burstTotal } from "../series.js";
import type { Suspect } from "./compromised-account-suspects.js";
import { outboundBursts } from "./outbound-bursts.js";

// The rules below are judgement calls, set by reasoning about how sending services and
// attackers use an account, not measured on a body of real logs.
//
// A stolen password is usually used from many unrelated networks (botnets, open proxies). A
// CRM or newsletter service that sends through the account submits from a small pool of its
// own servers, which lies in one or two networks. So a burst is called a stolen password,
// with the CRITICAL finding and its "change the password now", only when its new client
// addresses spread over `MIN_CLIENT_NETWORKS` networks or more. A pool in fewer networks may
// still be a thief with one rented server, so it gets a warning whose fix asks the admin to
// check with the account holder. When receivers accepted the pool's mail and the
// `volume-spike` finding already names the account, the pool gets no finding of its own.
// Receivers that often rejected it make the pool a likely cause of their block, so its warning
// then stays beside `volume-spike`.

/** Networks that the new client addresses of a stolen password's burst spread over. */
const MIN_CLIENT_NETWORKS = 3;
/** Prefix lengths that group client addresses into networks. */
const IPV4_NETWORK_PREFIX = 24;
const IPV6_NETWORK_PREFIX = 48;
/**
 * Share of the account's delivery attempts that must draw a block reply (reputation,
 * blocklist, content, rate limit or an unnamed policy refusal) for a pool's mail to count as
 * rejected. An opted-in campaign draws few such replies, while a spam run or a bought list
 * draws many.
 */
const MIN_BLOCKED_SHARE = 0.1;

/**
 * Judgements of the new client addresses of a suspect's burst:
 * - `spread`: they spread over `MIN_CLIENT_NETWORKS` networks or more, as a stolen password's
 *   do, and receivers rejected or deferred some of the account's mail.
 * - `accepted-spread`: they spread as far, but no receiver rejected or deferred the account's
 *   mail for spam, reputation or rate, and receivers accepted some of it.
 * - `rejected-pool`: a pool in fewer networks whose mail receivers often rejected or deferred.
 * - `pool`: a pool in fewer networks whose mail receivers accepted.
 * - `volume-spike`: such an accepted pool whose account sent most of the server's outbound
 *   burst, which the `volume-spike` finding reports with the account's name. The pool then gets
 *   no finding of its own, so that one burst does not make two warnings.
 */
export type SpreadKind = "spread" | "accepted-spread" | "rejected-pool" | "pool" | "volume-spike";

/** The judgement of a suspect's new client addresses, with their networks. */
export interface ClientSpread {
  readonly kind: SpreadKind;
  /** The networks of the new client addresses in CIDR notation, sorted. */
  readonly networks: readonly string[];
  /**
   * Delivery attempts of the account's mail, those of them that receivers accepted, and those
   * that drew a block reply.
   */
  readonly attempts: number;
  readonly acceptedAttempts: number;
  readonly blockedAttempts: number;
}

/** Judges whether a suspect's new client addresses look like a stolen password or a pool. */
export function judgeClientSpread(context: DiagnoseContext, suspect: Suspect): ClientSpread {
  const { account } = suspect;
  const networks = clientNetworks(suspect.newIps.map(([ip]) => ip));
  // NOTE: the analysis counts block replies per account, not per client address or hour, so
  // an account's rejected mail from before the burst counts here too.
  const attempts =
    account.sent + account.deferred + account.bounced - account.resultsWithoutAttempt;
  const counts = {
    networks,
    attempts,
    acceptedAttempts: account.sent,
    blockedAttempts: account.blockedAttempts,
  };

  if (networks.length >= MIN_CLIENT_NETWORKS) {
    // A burst with no delivery in the log stays CRITICAL, because nothing shows its mail accepted.
    const accepted = account.blockedAttempts === 0 && account.sent > 0;
    return { kind: accepted ? "accepted-spread" : "spread", ...counts };
  }
  if (attempts > 0 && account.blockedAttempts >= attempts * MIN_BLOCKED_SHARE) {
    return { kind: "rejected-pool", ...counts };
  }
  if (sentMostOfOutboundBurst(context, account)) return { kind: "volume-spike", ...counts };
  return { kind: "pool", ...counts };
}

/** Returns the distinct networks of client addresses in CIDR notation, sorted. */
export function clientNetworks(addresses: readonly string[]): string[] {
  return [...new Set(addresses.map(clientNetwork))].sort();
}

/**
 * Returns the network of a client address: its /24 for IPv4 and its /48 for IPv6, in CIDR
 * notation. An IPv4-mapped IPv6 address counts as its IPv4 address. A text that is no IP
 * address is returned as it is, so that it counts as a network of its own and cannot merge
 * other addresses into one network.
 * NOTE: the IPv4 and IPv6 networks of one dual-stack client count as two. Its two addresses
 * never share an SMTP session, and servers of one pool submit in the same minute as well, so
 * only the client's host name could join them, and the origin analysis keeps no host names.
 */
export function clientNetwork(address: string): string {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
    return ipv4Network(ipaddr.IPv4.parse(address));
  }
  if (!address.includes(":") || !ipaddr.IPv6.isValid(address)) return address;

  const ipv6 = ipaddr.IPv6.parse(address);
  if (ipv6.isIPv4MappedAddress()) return ipv4Network(ipv6.toIPv4Address());
  const networkParts = ipv6.parts.slice(0, IPV6_NETWORK_PREFIX / 16);
  const parts = [...networkParts, ...new Array<number>(8 - networkParts.length).fill(0)];
  return `${new ipaddr.IPv6(parts).toString()}/${IPV6_NETWORK_PREFIX}`;
}

function ipv4Network(address: ipaddr.IPv4): string {
  const networkOctets = address.octets.slice(0, IPV4_NETWORK_PREFIX / 8);
  const octets = [...networkOctets, ...new Array<number>(4 - networkOctets.length).fill(0)];
  return `${octets.join(".")}/${IPV4_NETWORK_PREFIX}`;
}

/**
 * True when one of the server's outbound bursts, as the `volume-spike` finding measures them,
 * got at least half of its recipients from the account. That finding then names the account
 * as the source of most of that burst.
 */
function sentMostOfOutboundBurst(context: DiagnoseContext, account: OriginFacts): boolean {
  return outboundBursts(context).some((burst) => {
    const sent = burst.hours.reduce(
      (sum, point) => sum + (account.hourly.get(point.hour)?.recipients ?? 0),
      0,
    );
    return sent >= burstTotal(burst) / 2;
  });
}
