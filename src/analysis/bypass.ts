import type { LinePosition, SmtpConnectionEvent } from "../logs/events.js";
import { RunCounter, detach, increment } from "./time.js";

/** Connections are compared with the MTA's attempts in buckets of this length. */
export const CONNECTION_BUCKET_MS = 10 * 60_000;

/**
 * A SYN from the same source port to the same address within this time is a retransmission of
 * one connection attempt. Linux resends an unanswered SYN 1, 3, 7, 15, 31 and 63 seconds after
 * the first with its default of six retries, and a LOG rule matching `--syn` or conntrack
 * state NEW logs each of them.
 */
const RETRANSMIT_WINDOW_MS = 120_000;
const MAX_RECENT_CONNECTIONS = 4096;
const MAX_ORIGINS = 200;
/**
 * Origins that keep connections per bucket. The others are only counted, and all their
 * connections count as bypass, because a busy MTA is one of the first origins to appear.
 */
const MAX_BUCKETED_ORIGINS = 20;
/** A log prefix that names bypass marks a rule that logs only processes other than the MTA. */
const BYPASS_PREFIX = /bypass/i;
const MAX_DESTINATIONS = 10;

/** The connections of one Unix user, or of one forwarding machine, or of the host as a whole. */
export interface ConnectionOrigin {
  /** `uid:33`, `host:198.51.100.7` (forwarded), or `local` when the line names no user. */
  readonly key: string;
  readonly uid: number | null;
  /** The source address of forwarded connections; null for the host's own. */
  readonly forwardedFrom: string | null;
  connections: number;
  blocked: number;
  readonly firstTime: number;
  readonly firstPosition: LinePosition;
  lastTime: number;
  /** Connections per destination address, for the first addresses seen (capped). */
  readonly destinations: Map<string, number>;
  /** Connections the firewall let through, per bucket start; null past the bucketed origins. */
  readonly buckets: Map<number, number> | null;
  /** True when a line of this origin came from a rule whose prefix names bypass. */
  declaredBypass: boolean;
}

/**
 * The firewall side of `smtp-bypass`: outgoing port-25 connections from netfilter LOG lines,
 * next to the remote delivery attempts and session replies that the MTA logged in the same
 * ten-minute buckets. Both sides are counted into buckets, so the files may come in any order.
 */
export class SmtpBypassAnalyser {
  /** MTA remote delivery attempts and session replies per bucket start; complete after `finish`. */
  readonly mtaBuckets = new Map<number, number>();
  private readonly mtaCounter = new RunCounter(this.mtaBuckets);
  /** Connections the firewall let through, per bucket start. */
  readonly firewallBuckets = new Map<number, number>();
  readonly origins = new Map<string, ConnectionOrigin>();
  /** Connection attempts after retransmissions are removed; blocked ones included. */
  connections = 0;
  blocked = 0;
  retransmissions = 0;
  /** Connections of origins past the cap; they still count in the totals and as bypass. */
  untrackedConnections = 0;
  mtaFirstTime: number | null = null;
  mtaLastTime: number | null = null;
  firstBlocked: { readonly time: number; readonly position: LinePosition } | null = null;
  firstConnectionTime: number | null = null;
  lastConnectionTime: number | null = null;
  private readonly recent = new Map<string, number>();

  /** Counts one connection the MTA made (a remote attempt or a session reply). */
  addMtaConnection(time: number): void {
    if (!Number.isFinite(time)) return;
    this.mtaCounter.add(bucketOf(time));
    if (this.mtaFirstTime === null || time < this.mtaFirstTime) this.mtaFirstTime = time;
    if (this.mtaLastTime === null || time > this.mtaLastTime) this.mtaLastTime = time;
  }

  /** Completes the counts kept by runs; call it after the last event. */
  finish(): void {
    this.mtaCounter.flush();
  }

  /** Counts one logged connection attempt, unless it retransmits the previous one. */
  addConnection(event: SmtpConnectionEvent): void {
    if (this.isRetransmission(event)) {
      this.retransmissions += 1;
      return;
    }

    this.connections += 1;
    if (event.blocked) {
      this.blocked += 1;
      if (this.firstBlocked === null || event.time < this.firstBlocked.time) {
        this.firstBlocked = { time: event.time, position: event.position };
      }
    } else {
      increment(this.firewallBuckets, bucketOf(event.time));
    }
    if (this.firstConnectionTime === null || event.time < this.firstConnectionTime) {
      this.firstConnectionTime = event.time;
    }
    if (this.lastConnectionTime === null || event.time > this.lastConnectionTime) {
      this.lastConnectionTime = event.time;
    }

    const origin = this.originOf(event);
    if (origin !== null) countForOrigin(origin, event);
  }

  private isRetransmission(event: SmtpConnectionEvent): boolean {
    if (event.sourcePort === null || event.source === null) return false;
    const key = `${event.source}:${event.sourcePort}>${event.destination}`;
    const previous = this.recent.get(key);
    this.recent.delete(key);
    this.recent.set(key, event.time);
    if (this.recent.size > MAX_RECENT_CONNECTIONS) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
    return previous !== undefined && Math.abs(event.time - previous) <= RETRANSMIT_WINDOW_MS;
  }

  private originOf(event: SmtpConnectionEvent): ConnectionOrigin | null {
    const forwardedFrom = event.forwarded ? event.source : null;
    const key =
      forwardedFrom !== null
        ? `host:${forwardedFrom}`
        : event.uid !== null
          ? `uid:${event.uid}`
          : "local";
    const known = this.origins.get(key);
    if (known !== undefined) return known;
    if (this.origins.size >= MAX_ORIGINS) {
      this.untrackedConnections += 1;
      return null;
    }
    const origin: ConnectionOrigin = {
      key: detach(key),
      uid: forwardedFrom === null ? event.uid : null,
      forwardedFrom: forwardedFrom === null ? null : detach(forwardedFrom),
      connections: 0,
      blocked: 0,
      firstTime: event.time,
      firstPosition: event.position,
      lastTime: event.time,
      destinations: new Map(),
      buckets: this.origins.size < MAX_BUCKETED_ORIGINS ? new Map() : null,
      declaredBypass: false,
    };
    this.origins.set(origin.key, origin);
    return origin;
  }
}

function countForOrigin(origin: ConnectionOrigin, event: SmtpConnectionEvent): void {
  origin.connections += 1;
  if (BYPASS_PREFIX.test(event.prefix)) origin.declaredBypass = true;
  if (event.blocked) origin.blocked += 1;
  else if (origin.buckets !== null) increment(origin.buckets, bucketOf(event.time));
  if (event.time > origin.lastTime) origin.lastTime = event.time;

  if (origin.destinations.has(event.destination)) {
    increment(origin.destinations, event.destination);
  } else if (origin.destinations.size < MAX_DESTINATIONS) {
    origin.destinations.set(detach(event.destination), 1);
  }
}

/** Returns the start of the ten-minute bucket that contains `time`. */
export function bucketOf(time: number): number {
  return Math.floor(time / CONNECTION_BUCKET_MS) * CONNECTION_BUCKET_MS;
}
