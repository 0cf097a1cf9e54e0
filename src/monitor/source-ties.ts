import type { ProviderId } from "../knowledge/providers.js";
import type { LiftSources } from "../store/lift-progress.js";
import { canonicalIp } from "../store/types.js";
import { addressFamilyOf, type AddressFamily } from "./log-families.js";
import {
  canonicalSource,
  sourceBucket,
  type BlockReplyOrigin,
  type SourceWindow,
} from "./log-sources.js";

/** The block replies of a log window that concern one IP of one provider. */
export interface IpBlockReplies {
  /** Time of the first reply that names the IP or comes from one of its sources, or null. */
  readonly firstAt: number | null;
  /**
   * Time of the last reply that may concern the IP: one that names it or comes from one of its
   * sources, or one that names no IP and comes from no known source. Null when there is none.
   */
  readonly lastAt: number | null;
}

/**
 * The sending IP of each outgoing source of a log (`DeliveryEvent.outgoingSource`), for a log
 * whose mail leaves from several IPs. A source's IP comes, in this order, from:
 *
 * 1. the log's `sources` setting (`{"postfix-out1": "203.0.113.5"}`);
 * 2. the IPs that block replies to the source's mail named in this window, else those saved
 *    with the lift progress of an open block (`LiftProgressRepository.listSources`);
 * 3. the source itself when it is an IP, as Exim's interface address `I=[203.0.113.5]` is.
 *
 * A source tied to two IPs of one address family (such as a NAT pool) is tied to neither in that
 * family, because its acceptances do not show which of them sent the mail.
 * NOTE: Postfix transports that bind other addresses (`smtp_bind_address`) log under the same
 * syslog name unless they set `syslog_name`, so while replies name only one of those IPs, the
 * mail of the others counts towards lifting it too.
 */
export class SourceTies {
  private readonly ties = new Map<string, Map<AddressFamily, string>>();

  constructor(
    private readonly window: SourceWindow,
    configured: Readonly<Record<string, string>>,
    stored: readonly LiftSources[],
  ) {
    const fromConfig = new Map<string, string>();
    for (const [source, ip] of Object.entries(configured)) {
      fromConfig.set(canonicalSource(source), canonicalIp(ip));
    }
    const fromStore = new Map<string, Set<string>>();
    for (const row of stored) {
      const ip = ipOfBlockKey(row.key);
      if (ip === null) continue;
      for (const source of row.sources) addTo(fromStore, source, ip);
    }
    const sources = new Set([...window.sources.keys(), ...fromConfig.keys(), ...fromStore.keys()]);
    for (const source of sources) {
      const configuredIp = fromConfig.get(source);
      const named = window.namedIps.get(source);
      const candidates =
        configuredIp !== undefined
          ? [configuredIp]
          : named !== undefined && named.size > 0
            ? [...named]
            : [...(fromStore.get(source) ?? (addressFamilyOf(source) === null ? [] : [source]))];
      this.ties.set(source, oneIpPerFamily(candidates));
    }
  }

  /** Returns the outgoing sources tied to `ip`, sorted. */
  sourcesOf(ip: string): string[] {
    const family = addressFamilyOf(ip);
    if (family === null) return [];
    const canonical = canonicalIp(ip);
    const sources: string[] = [];
    for (const [source, byFamily] of this.ties) {
      if (byFamily.get(family) === canonical) sources.push(source);
    }
    return sources.sort();
  }

  /** Returns the IPs that some outgoing source is tied to, sorted. */
  tiedIps(): string[] {
    const ips = new Set<string>();
    for (const byFamily of this.ties.values()) {
      for (const ip of byFamily.values()) ips.add(ip);
    }
    return [...ips].sort();
  }

  /** Returns the outgoing sources that the log showed, most deliveries first. */
  seenSources(): string[] {
    return [...this.window.sources].sort((a, b) => b[1] - a[1]).map(([source]) => source);
  }

  /** Returns the `AcceptanceTimes` buckets of the provider's acceptances of mail from `ip`. */
  bucketsOf(provider: string, ip: string): string[] {
    const family = addressFamilyOf(ip);
    if (family === null) return [];
    return this.sourcesOf(ip).map((source) => sourceBucket(provider, family, source));
  }

  /** True when the provider's own MX accepted mail from a source tied to `ip` in the window. */
  accepted(provider: ProviderId, ip: string): boolean {
    const accepted = this.window.acceptedSources.get(provider);
    if (accepted === undefined) return false;
    return this.sourcesOf(ip).some((source) => accepted.has(source));
  }

  /**
   * Returns the IPs that the provider's block replies in the window concern: the IP each names,
   * else the IP of its source in the relay's address family.
   */
  blockedIps(provider: ProviderId): string[] {
    const ips = new Set<string>();
    for (const origin of this.window.blockReplies.get(provider) ?? []) {
      const ip = this.ipOfReply(origin);
      if (ip !== null) ips.add(ip);
    }
    return [...ips].sort();
  }

  /**
   * Returns the outgoing sources of the provider's block replies in the window that concern no
   * known IP: the replies name none and no setting or earlier reply ties the source to one. Such
   * a block opens no incident. A reply without a source is listed as "".
   */
  unplacedSources(provider: ProviderId): string[] {
    const sources = new Set<string>();
    for (const origin of this.window.blockReplies.get(provider) ?? []) {
      if (this.ipOfReply(origin) === null) sources.add(origin.source ?? "");
    }
    return [...sources].sort();
  }

  /** Returns the times of the provider's block replies in the window that concern `ip`. */
  blockRepliesOf(provider: ProviderId, ip: string): IpBlockReplies {
    const canonical = canonicalIp(ip);
    let firstAt: number | null = null;
    let lastAt: number | null = null;
    for (const origin of this.window.blockReplies.get(provider) ?? []) {
      const concerned = this.ipOfReply(origin);
      // A reply that names no IP and comes from no known source may concern any IP, so it
      // restarts every lift count but opens no block.
      if (concerned === canonical) firstAt = Math.min(firstAt ?? Infinity, origin.firstAt);
      if (concerned === canonical || (concerned === null && !this.isTied(origin))) {
        lastAt = Math.max(lastAt ?? -Infinity, origin.lastAt);
      }
    }
    return { firstAt, lastAt };
  }

  private ipOfReply(origin: BlockReplyOrigin): string | null {
    if (origin.judgedIp !== null) return origin.judgedIp;
    if (origin.source === null) return null;
    const byFamily = this.ties.get(origin.source);
    if (byFamily === undefined) return null;
    if (origin.relayFamily !== null) return byFamily.get(origin.relayFamily) ?? null;
    const [only, ...more] = byFamily.values();
    return more.length === 0 ? (only ?? null) : null;
  }

  /** True when a reply that names no IP comes from a source tied to some IP. */
  private isTied(origin: BlockReplyOrigin): boolean {
    if (origin.source === null) return false;
    return (this.ties.get(origin.source)?.size ?? 0) > 0;
  }
}

/** Returns the IP of a block state key (`block:PROVIDER:IP`), or null for another key. */
function ipOfBlockKey(key: string): string | null {
  const [kind, , ...rest] = key.split(":");
  if (kind !== "block" || rest.length === 0) return null;
  const ip = rest.join(":");
  return addressFamilyOf(ip) === null ? null : ip;
}

function oneIpPerFamily(ips: readonly string[]): Map<AddressFamily, string> {
  const byFamily = new Map<AddressFamily, Set<string>>();
  for (const ip of ips) {
    const family = addressFamilyOf(ip);
    if (family !== null) addTo(byFamily, family, canonicalIp(ip));
  }
  const tied = new Map<AddressFamily, string>();
  for (const [family, candidates] of byFamily) {
    const [only, ...more] = candidates;
    if (only !== undefined && more.length === 0) tied.set(family, only);
  }
  return tied;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const values = map.get(key);
  if (values === undefined) map.set(key, new Set([value]));
  else values.add(value);
}
