import type { ReplyExplainer } from "../analysis/explainer.js";
import type { ProviderResolver } from "../analysis/provider-resolver.js";
import { ReplyCache } from "../analysis/reply-cache.js";
import { isBlockSignal } from "../analysis/replies.js";
import type { ProviderId } from "../knowledge/providers.js";
import type { LogEvent } from "../logs/events.js";
import { canonicalIp } from "../store/types.js";
import { isFailedAttempt, type AcceptanceTimes } from "./lift-progress.js";
import { ADDRESS_FAMILIES, addressFamilyOf, type AddressFamily } from "./log-families.js";

/**
 * Block replies of one provider in a log window that share the IP they named and the outgoing
 * source they came from, with the times of the first and the last.
 */
export interface BlockReplyOrigin {
  /** The sending IP that the replies named (Gmail's `[203.0.113.5 12]`), canonical, or null. */
  readonly judgedIp: string | null;
  /** The outgoing source of the blocked mail (`DeliveryEvent.outgoingSource`), or null. */
  readonly source: string | null;
  /** The address family of the receiving host, or null when the line names no relay IP. */
  readonly relayFamily: AddressFamily | null;
  firstAt: number;
  lastAt: number;
}

/** The evidence of a log window about the outgoing sources of its mail (see `SourceTracker`). */
export interface SourceWindow {
  /** The block replies of each provider, grouped by named IP, source and relay family. */
  readonly blockReplies: ReadonlyMap<ProviderId, readonly BlockReplyOrigin[]>;
  /** The outgoing sources of the window's remote deliveries, with their counts. */
  readonly sources: ReadonlyMap<string, number>;
  /** For each outgoing source, the IPs that its block replies named. */
  readonly namedIps: ReadonlyMap<string, ReadonlySet<string>>;
  /** For each provider, the outgoing sources of deliveries that its own MX accepted. */
  readonly acceptedSources: ReadonlyMap<ProviderId, ReadonlySet<string>>;
}

// Sources are Postfix syslog names and Exim interface addresses: a few per server. The caps
// keep a log full of garbage tags from growing the window without bound.
const MAX_SOURCES = 256;
const MAX_ORIGINS_PER_PROVIDER = 1_024;

/**
 * Returns the bucket of `AcceptanceTimes` with a provider's acceptances of mail that left from
 * `source` over relays of address `family`.
 */
export function sourceBucket(provider: string, family: AddressFamily, source: string): string {
  return `source ${family} ${provider} ${source}`;
}

/**
 * Returns an outgoing source in one spelling: an Exim interface address in canonical form,
 * a Postfix syslog name unchanged.
 */
export function canonicalSource(source: string): string {
  return canonicalIp(source);
}

/**
 * Collects the evidence that ties each outgoing source of a log to a sending IP, for a log whose
 * mail leaves from several IPs. The evidence is the IPs that the block replies of the source's
 * mail named. The acceptances of its mail by each provider's own MX hosts are added to
 * `acceptances` in the buckets of `sourceBucket`.
 */
export class SourceTracker {
  private readonly cache: ReplyCache;
  private readonly blockReplies = new Map<ProviderId, Map<string, BlockReplyOrigin>>();
  private readonly sources = new Map<string, number>();
  private readonly namedIps = new Map<string, Set<string>>();
  private readonly acceptedSources = new Map<ProviderId, Set<string>>();

  constructor(
    explainer: ReplyExplainer,
    private readonly resolver: ProviderResolver,
    private readonly acceptances: AcceptanceTimes,
  ) {
    this.cache = new ReplyCache(explainer);
  }

  /** Takes one event of the window and ignores all but remote deliveries and session replies. */
  handle(event: LogEvent): void {
    if (event.type === "session-reply") {
      const provider = this.resolver.resolve(event.relayHost, null);
      if (provider === "other") return;
      const hints = { relayHost: event.relayHost };
      this.addReply(provider, event.response, hints, null, event.relayIp, event.time);
      return;
    }
    if (event.type !== "delivery" || !event.remote) return;
    const provider = this.resolver.resolve(event.relayHost, event.recipient);
    if (provider === "other") return;
    const raw = event.outgoingSource ?? null;
    const source = raw === null ? null : this.noteSource(raw);
    if (event.status === "sent") {
      this.addAcceptance(provider, source, event.relayHost, event.relayIp, event.time);
      return;
    }
    if (source !== null && isFailedAttempt(event)) {
      this.addFailure(provider, source, event.relayIp, event.time);
    }
    if (event.response === null) return;
    const hints = { relayHost: event.relayHost, recipient: event.recipient, dsn: event.dsn };
    this.addReply(provider, event.response, hints, source, event.relayIp, event.time);
  }

  /** Returns the evidence of the window. The tracker is not used afterwards. */
  finish(): SourceWindow {
    const blockReplies = new Map<ProviderId, BlockReplyOrigin[]>();
    for (const [provider, origins] of this.blockReplies) {
      blockReplies.set(provider, [...origins.values()]);
    }
    return {
      blockReplies,
      sources: this.sources,
      namedIps: this.namedIps,
      acceptedSources: this.acceptedSources,
    };
  }

  /** Counts `raw` and returns it in canonical form, or null once too many sources were seen. */
  private noteSource(raw: string): string | null {
    const source = canonicalSource(raw);
    const count = this.sources.get(source);
    if (count !== undefined) {
      this.sources.set(source, count + 1);
      return source;
    }
    if (this.sources.size >= MAX_SOURCES) return null;
    this.sources.set(source, 1);
    return source;
  }

  /**
   * Records an acceptance by the provider's own MX. Mail handed to a relay such as a smarthost
   * does not show that the provider accepts mail from this source. The relay's address family
   * shows which address of a dual-stack source sent it. An Exim interface address has its own.
   */
  private addAcceptance(
    provider: ProviderId,
    source: string | null,
    relayHost: string | null,
    relayIp: string | null,
    time: number,
  ): void {
    if (source === null || this.resolver.relayProvider(relayHost) === null) return;
    const family = addressFamilyOf(relayIp) ?? addressFamilyOf(source);
    // NOTE: an acceptance whose line names neither a relay IP nor an interface address counts
    // for no IP of its source.
    if (family === null) return;
    this.acceptances.add(sourceBucket(provider, family, source), time);
    let sources = this.acceptedSources.get(provider);
    if (sources === undefined) {
      sources = new Set();
      this.acceptedSources.set(provider, sources);
    }
    sources.add(source);
  }

  /**
   * Records an attempt from `source` that the provider did not accept. One whose line names no
   * relay IP, from a source that is no IP, counts for both address families of the source.
   */
  private addFailure(
    provider: ProviderId,
    source: string,
    relayIp: string | null,
    time: number,
  ): void {
    const family = addressFamilyOf(relayIp) ?? addressFamilyOf(source);
    for (const each of family === null ? ADDRESS_FAMILIES : [family]) {
      this.acceptances.addFailure(sourceBucket(provider, each, source), time);
    }
  }

  private addReply(
    provider: ProviderId,
    response: string,
    hints: { relayHost: string | null; recipient?: string; dsn?: string | null },
    source: string | null,
    relayIp: string | null,
    time: number,
  ): void {
    const classified = this.cache.classify(response, provider, hints);
    if (!isBlockSignal(classified.reply)) return;
    const judgedIp = judgedIpOf(classified.judgedIp, relayIp);
    const relayFamily = addressFamilyOf(relayIp);
    if (source !== null && judgedIp !== null) {
      let named = this.namedIps.get(source);
      if (named === undefined) {
        named = new Set();
        this.namedIps.set(source, named);
      }
      named.add(judgedIp);
    }
    let origins = this.blockReplies.get(provider);
    if (origins === undefined) {
      origins = new Map();
      this.blockReplies.set(provider, origins);
    }
    const key = `${judgedIp ?? ""} ${source ?? ""} ${relayFamily ?? ""}`;
    const known = origins.get(key);
    if (known !== undefined) {
      known.firstAt = Math.min(known.firstAt, time);
      known.lastAt = Math.max(known.lastAt, time);
      return;
    }
    // NOTE: past the cap, a new kind of block reply is dropped, so it neither opens nor restarts
    // the lift count of the IP it concerns.
    if (origins.size >= MAX_ORIGINS_PER_PROVIDER) return;
    origins.set(key, { judgedIp, source, relayFamily, firstAt: time, lastAt: time });
  }
}

/**
 * Returns the canonical judged IP of a reply, or null when it names none or names the receiving
 * host's own address, which is not the sender's.
 */
function judgedIpOf(judgedIp: string | null, relayIp: string | null): string | null {
  if (judgedIp === null || addressFamilyOf(judgedIp) === null) return null;
  const ip = canonicalIp(judgedIp);
  return relayIp !== null && canonicalIp(relayIp) === ip ? null : ip;
}
