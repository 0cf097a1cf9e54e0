import type { ProviderVerdict } from "../diagnose/types.js";
import type { ProviderId } from "../knowledge/providers.js";
import { isBad } from "../store/changes.js";
import type { HistoryStore } from "../store/history.js";
import type { LiftProgress } from "../store/lift-progress.js";
import { blockKey, canonicalIp, type Observation } from "../store/types.js";
import { advanceLiftProgress, isLifted, type AcceptanceTimes } from "./lift-progress.js";
import type { AddressFamily, ProviderEvidence } from "./log-families.js";
import { acceptanceBucket, relayHostBucket } from "./log-window.js";
import type { SourceTies } from "./source-ties.js";

/** The store and window data that block observations need besides the evidence. */
export interface BlockObservationContext {
  /** The store whose block states and lift progress the window continues. */
  readonly store: HistoryStore;
  /** The accepted deliveries of the window (see `LogWindowResult.acceptances`). */
  readonly acceptances: AcceptanceTimes;
  /** The relay address family of `evidence` on a dual-stack server, else null. */
  readonly family: AddressFamily | null;
  /**
   * The sending IP of each outgoing source of a log with no single sending IP. Its acceptances
   * then lift the blocks of the IPs that its sources are tied to.
   */
  readonly sources?: SourceTies;
  /**
   * Time of the window's latest log line (ms since the epoch), or null. A block whose provider
   * accepted every attempt since its last block reply lifts once this is long enough after it.
   */
  readonly logEnd: number | null;
}

/**
 * Turns the providers' verdicts into block observations, one or two per provider and IP, with
 * evidence only for that IP, and saves each block's lift progress:
 *
 * - A provider that rejected or deferred mail blocks each IP its replies named. When its
 *   replies named none, the block belongs to `sourceIp`, the IP that all mail of `evidence`
 *   was sent from.
 * - An open block of `sourceIp` lifts by the rule of `delist diagnose` (see `isLifted`), counted
 *   in log time across windows. A probe that gets a block reply later starts the count again.
 *   The lift is dated by the last block reply. Acceptances lift `sourceIp` only, because an
 *   acceptance does not name the IP it came from.
 * - A block that began and lifted inside the window gives two observations marked `past`: the
 *   block, dated by its first reply, and the lift. The history then records both ends, and the
 *   one alert reports that the block is already over.
 * - A provider that accepted mail with no block open records `ok` for `sourceIp`.
 * - A provider this server could not connect to (`unreachable`) gives no block observation,
 *   because it never judged the mail. `connectionObservations` records the outage.
 *
 * `sourceIp` is the IP declared for the log, else the only configured IP, else null. For the
 * evidence of one relay address `family` on a dual-stack server it is the configured address of
 * that family, and the evidence records the family. When `sourceIp` is null, `context.sources`
 * ties the log's outgoing sources to IPs: a block then lifts by the acceptances of mail from its
 * IP's sources, counted from the last block reply that concerns that IP. A block of an IP with no
 * tied source lifts through a probe or through a log with a declared IP, and a block reply that
 * names no IP and comes from no tied source is not recorded.
 */
export function logObservations(
  evidence: ProviderEvidence,
  sourceIp: string | null,
  runId: number,
  at: number,
  context: BlockObservationContext,
): Observation[] {
  const observations: Observation[] = [];
  const source = sourceIp === null ? null : canonicalIp(sourceIp);
  const observe = (
    provider: string,
    relayHost: string | null,
    target: BlockTarget,
    verdictEvidence: object,
  ): void => {
    const { ip } = target;
    const base = {
      key: blockKey(provider, ip),
      kind: "block" as const,
      subject: blockSubject(provider, relayHost, ip),
      at,
      runId,
    };
    const ipEvidence = {
      ...verdictEvidence,
      ip,
      ...(context.family === null ? {} : { relayFamily: context.family }),
      ...(target.lift === null || target.lift.sources.length === 0
        ? {}
        : { sources: target.lift.sources }),
    };
    const probedBlockAt = context.store.probes.lastBlockFor(provider, ip)?.finishedAt ?? null;
    const lift =
      target.lift === null
        ? null
        : liftOf(context, base.key, target.value, target.lift, probedBlockAt, at);
    observations.push(...blockObservations(base, target, ipEvidence, lift));
  };
  for (const [provider, verdict] of Object.entries(evidence.providers)) {
    // This server could not connect to the provider, so the provider judged nothing.
    if (verdict === undefined || provider === "other" || verdict.status === "unreachable") {
      continue;
    }
    const targets =
      source === null && context.sources !== undefined
        ? sourceTargets(provider as ProviderId, verdict, evidence, context.sources, context.store)
        : fixedIpTargets(provider, verdict, evidence, source, context.family);
    for (const target of targets) {
      observe(provider, verdict.relayHost, target, logEvidence(verdict));
    }
  }
  for (const [provider, target] of silentTargets(evidence, source, context)) {
    const relayHost = relayHostOfKey(provider);
    observe(provider, relayHost, target, { source: "logs", attempts: 0, sent: 0 });
  }
  return observations;
}

/**
 * Returns the open blocks that the window can lift although it has no line of their provider:
 * those of `sourceIp`, or of an IP with tied sources when `sourceIp` is null. Such a block
 * lifts by time alone when its provider accepted every attempt since its last block reply (see
 * `isBlockLifted`), so it is checked against the window's last line as `delist diagnose`
 * checks it against the end of its log.
 */
function silentTargets(
  evidence: ProviderEvidence,
  sourceIp: string | null,
  context: BlockObservationContext,
): Array<[string, BlockTarget]> {
  const ips = sourceIp !== null ? [sourceIp] : (context.sources?.tiedIps() ?? []);
  const targets: Array<[string, BlockTarget]> = [];
  for (const state of context.store.states.list()) {
    if (state.kind !== "block" || !isBad("block", state.value)) continue;
    for (const ip of ips) {
      const provider = providerOfBlockKey(state.key, ip);
      if (provider === null || evidence.providers[provider as ProviderId] !== undefined) continue;
      const lift = silentLift(provider, ip, sourceIp, context);
      if (lift === null) continue;
      targets.push([provider, { ip, value: null, startedAt: null, lift, accepted: false }]);
    }
  }
  return targets;
}

/** Returns the acceptances that lift the block of `provider` and `ip`, as for a window target. */
function silentLift(
  provider: string,
  ip: string,
  sourceIp: string | null,
  context: BlockObservationContext,
): LiftSource | null {
  if (sourceIp === null && context.sources !== undefined) {
    const sources = context.sources.sourcesOf(ip);
    if (sources.length === 0) return null;
    const buckets = context.sources.bucketsOf(provider, ip);
    return { buckets, windowLastBlockAt: null, sources };
  }
  if (ip !== sourceIp) return null;
  return {
    buckets: [acceptanceBucket(liftOwner(provider, relayHostOfKey(provider)), context.family)],
    windowLastBlockAt: null,
    sources: [],
  };
}

/**
 * Returns the provider of the block state key `key` (`blockKey`) of `ip`, or null when the key
 * is of another IP. A relay host's provider key contains colons, so the IP is matched at the end.
 */
function providerOfBlockKey(key: string, ip: string): string | null {
  const suffix = `:${ip}`;
  if (!key.startsWith("block:") || !key.endsWith(suffix)) return null;
  const provider = key.slice("block:".length, key.length - suffix.length);
  return provider === "" ? null : provider;
}

/**
 * Returns the subject of a block state for people: the provider and the IP, and for a relay
 * host's row also the relay host (`relay-host smtp.example.net:587 192.0.2.1`).
 */
function blockSubject(provider: string, relayHost: string | null, ip: string): string {
  return relayHost === null ? `${provider} ${ip}` : `relay-host ${relayHost} ${ip}`;
}

/**
 * Returns the owner of the acceptances that lift the block of a row (see `acceptanceBucket`):
 * the provider, or the relay host label of a relay host's row. The row key `relay-host` goes to
 * the first relay host of each window, so only the label names the same relay host in each.
 */
function liftOwner(provider: string, relayHost: string | null): string {
  return relayHost === null ? provider : relayHostBucket(relayHost);
}

/**
 * Returns the relay host label in the row key `relay-host:<label>`, or null for another key.
 * The key `relay-host` names no label, so it gives null as well.
 */
function relayHostOfKey(provider: string): string | null {
  const prefix = "relay-host:";
  return provider.startsWith(prefix) ? provider.slice(prefix.length) : null;
}

/** One IP of a provider whose block state a log window observes. */
interface BlockTarget {
  readonly ip: string;
  /** The block that the window shows for the IP, or null when it shows none. */
  readonly value: "blocked" | "rate-limited" | null;
  /** Time of the window's first reply that shows the block, or null. */
  readonly startedAt: number | null;
  /** The acceptances that lift the IP's block, or null when none of the window's can. */
  readonly lift: LiftSource | null;
  /** True when the provider accepted mail from this IP in the window. */
  readonly accepted: boolean;
}

/** The acceptances that lift a block state and the window's last block reply for it. */
interface LiftSource {
  /** The `AcceptanceTimes` buckets whose acceptances lift the block. */
  readonly buckets: readonly string[];
  /** Time of the window's last block reply that concerns the state, or null. */
  readonly windowLastBlockAt: number | null;
  /** The outgoing sources tied to the state's IP, saved with the lift progress. */
  readonly sources: readonly string[];
}

/**
 * Returns the IPs of a provider that a log window with one sending IP (`sourceIp`) observes,
 * or whose mail all leaves from unknown IPs when `sourceIp` is null. Only `sourceIp` can lift.
 */
function fixedIpTargets(
  provider: string,
  verdict: ProviderVerdict,
  evidence: ProviderEvidence,
  sourceIp: string | null,
  family: AddressFamily | null,
): BlockTarget[] {
  const value = blockValue(verdict);
  const startedAt = blockStart(verdict);
  const windowLastBlockAt = parseTime(verdict.lastBlock?.time ?? null);
  return observedIps(provider, verdict, evidence.judgedIps, sourceIp).map((ip) => ({
    ip,
    value,
    startedAt,
    lift:
      ip === sourceIp
        ? {
            buckets: [acceptanceBucket(liftOwner(provider, verdict.relayHost), family)],
            windowLastBlockAt,
            sources: [],
          }
        : null,
    accepted: verdict.sent > 0,
  }));
}

/**
 * Returns the IPs of a provider that a log window observes when its mail leaves from several
 * IPs, each with the acceptances that lift it (see `SourceTies`). They are the IPs that the
 * window's block replies concern, the IPs with an open block state, and the IPs whose sources
 * delivered mail. An IP is shown as blocked only when a block reply of the window concerns it.
 */
function sourceTargets(
  provider: ProviderId,
  verdict: ProviderVerdict,
  evidence: ProviderEvidence,
  ties: SourceTies,
  store: HistoryStore,
): BlockTarget[] {
  // NOTE: `SourceTracker` counts only the acceptances of providers' own MX hosts, so the block
  // of a relay host's row never lifts here.
  const value = blockValue(verdict);
  const blocked = new Set(ties.blockedIps(provider));
  if (value !== null) {
    for (const [ip, providers] of evidence.judgedIps) {
      if (providers.has(provider)) blocked.add(canonicalIp(ip));
    }
  }
  const ips = new Set(blocked);
  for (const state of store.states.list()) {
    if (state.kind !== "block" || !isBad("block", state.value)) continue;
    const ip = ipOfBlockKey(state.key, provider);
    if (ip !== null && ties.sourcesOf(ip).length > 0) ips.add(ip);
  }
  for (const ip of ties.tiedIps()) {
    if (ties.accepted(provider, ip)) ips.add(ip);
  }
  return [...ips].sort().map((ip) => {
    const replies = ties.blockRepliesOf(provider, ip);
    const showsBlock = value !== null && blocked.has(ip);
    const sources = ties.sourcesOf(ip);
    return {
      ip,
      value: showsBlock ? value : null,
      startedAt: showsBlock ? (replies.firstAt ?? blockStart(verdict)) : null,
      lift:
        sources.length === 0
          ? null
          : { buckets: ties.bucketsOf(provider, ip), windowLastBlockAt: replies.lastAt, sources },
      accepted: ties.accepted(provider, ip),
    };
  });
}

/** Returns the IP of the provider's block state key `key`, or null for another key. */
function ipOfBlockKey(key: string, provider: string): string | null {
  const prefix = `block:${provider}:`;
  return key.startsWith(prefix) ? key.slice(prefix.length) : null;
}

type BaseObservation = Pick<Observation, "key" | "kind" | "subject" | "at" | "runId">;

/** Whether an IP's block state was open before the window, and whether the window lifts it. */
interface LiftDecision {
  readonly wasBlocked: boolean;
  /** The progress that lifts the block, or null while it stays. */
  readonly lifted: LiftProgress | null;
}

/**
 * Advances the lift progress of the block state `key` by the window, saves it while a block is
 * open and deletes it otherwise, and returns whether the window lifts the block.
 * `probedBlockAt` is the end of the last probe that got a block reply for the state, or null.
 */
function liftOf(
  context: BlockObservationContext,
  key: string,
  value: BlockTarget["value"],
  source: LiftSource,
  probedBlockAt: number | null,
  at: number,
): LiftDecision {
  const { store, acceptances } = context;
  const current = store.states.get(key);
  const wasBlocked = current !== null && isBad("block", current.value);
  const progress = advanceLiftProgress(
    restartedAtProbe(store.liftProgress.get(key), probedBlockAt),
    wasBlocked ? current.checkedAt : null,
    source.windowLastBlockAt,
    acceptances,
    source.buckets,
  );
  const lifted = progress !== null && isLifted(progress, context.logEnd) ? progress : null;
  const blockOpen = lifted === null && (wasBlocked || value !== null);
  if (progress !== null && blockOpen) {
    store.liftProgress.save(key, progress, at, source.sources);
  } else {
    store.liftProgress.delete(key);
  }
  return { wasBlocked, lifted };
}

/**
 * Returns `stored` started again at `probedBlockAt` when a probe saw the block after the block
 * reply that the progress counts from, so that deliveries logged before the probe no longer
 * count. The probe's time is from the monitor's clock and the progress is in log time, so the
 * two compare correctly only while the mail server's clock is right.
 */
function restartedAtProbe(
  stored: LiftProgress | null,
  probedBlockAt: number | null,
): LiftProgress | null {
  if (stored === null || probedBlockAt === null || probedBlockAt <= stored.lastBlockAt) {
    return stored;
  }
  return { lastBlockAt: probedBlockAt, deliveries: 0, lastDeliveryAt: null, failedAfter: false };
}

/** Returns the observations of one provider and IP in the window (see `logObservations`). */
function blockObservations(
  base: BaseObservation,
  target: BlockTarget,
  evidence: object,
  lift: LiftDecision | null,
): Observation[] {
  const { value, startedAt } = target;
  const seen: Observation | null =
    value === null
      ? null
      : { ...base, value, ...(startedAt === null ? {} : { occurredAt: startedAt }), evidence };
  if (lift === null) return seen === null ? [] : [seen];
  if (lift.lifted === null) {
    if (seen !== null) return [seen];
    // An open block stays until the rule lifts it, whatever one window's acceptances show.
    return lift.wasBlocked || !target.accepted ? [] : [{ ...base, value: "ok", evidence }];
  }

  const lifted: Observation = {
    ...base,
    value: "ok",
    occurredAt: lift.lifted.lastBlockAt,
    evidence: { ...evidence, lift: liftEvidence(lift.lifted) },
  };
  if (lift.wasBlocked || seen === null) return [lifted];
  return [
    { ...seen, past: true },
    { ...lifted, past: true },
  ];
}

/**
 * Returns the block status that the window shows for the provider, also when the provider
 * lifted the block before the window ended (`pastBlock`), or null when it shows none.
 */
function blockValue(verdict: ProviderVerdict): "blocked" | "rate-limited" | null {
  if (verdict.status === "blocked" || verdict.status === "rate-limited") return verdict.status;
  return verdict.pastBlock?.status ?? null;
}

// NOTE: the value is the provider's verdict over the whole window. When one IP was rejected
// (5xx) and another deferred (4xx) in the same window, both are recorded as blocked.
function observedIps(
  provider: string,
  verdict: ProviderVerdict,
  judgedIps: ReadonlyMap<string, ReadonlySet<string>>,
  sourceIp: string | null,
): string[] {
  if (blockValue(verdict) === null) {
    return verdict.sent > 0 && sourceIp !== null ? [sourceIp] : [];
  }
  const named = new Set<string>();
  for (const [ip, providers] of judgedIps) {
    if (providers.has(provider)) named.add(canonicalIp(ip));
  }
  const last = judgedIp(verdict);
  if (last !== null) named.add(canonicalIp(last));
  if (named.size === 0 && sourceIp !== null) named.add(sourceIp);
  return [...named].sort();
}

/**
 * Returns the time of the first reply of the window that shows the block: the first rejection
 * for `blocked`, else the first block reply. Returns null when the window shows no block and
 * for a time that does not parse. The store dates the state change by it, so that a block read
 * from an old log (`logsFromStart`) is not recorded as starting when the monitor read it.
 */
function blockStart(verdict: ProviderVerdict): number | null {
  const value = blockValue(verdict);
  if (value === null) return null;
  const first =
    value === "blocked" ? (verdict.firstPermanentBlock ?? verdict.firstBlock) : verdict.firstBlock;
  return parseTime(first?.time ?? null);
}

function judgedIp(verdict: ProviderVerdict): string | null {
  return verdict.lastBlock?.judgedIp ?? verdict.firstBlock?.judgedIp ?? null;
}

function logEvidence(verdict: ProviderVerdict): object {
  const last = verdict.lastBlock;
  return {
    source: "logs",
    attempts: verdict.attempts,
    sent: verdict.sent,
    blockedAttempts: verdict.blockedAttempts,
    codes: verdict.codes,
    reply:
      last === null
        ? null
        : {
            time: last.time,
            text: last.text,
            ruleId: last.ruleId,
            file: last.file,
            line: last.line,
          },
  };
}

/**
 * Returns the counts that lifted a block, with times in RFC 3339 UTC. The count of deliveries
 * stops at the number that lifts a block (see `AcceptanceTimes`), so it is a lower bound.
 * `everyAttemptAccepted` is false when an attempt after the last block reply failed.
 */
function liftEvidence(progress: LiftProgress): object {
  return {
    lastBlockReply: new Date(progress.lastBlockAt).toISOString(),
    deliveriesAfterAtLeast: progress.deliveries,
    everyAttemptAccepted: !progress.failedAfter,
    lastDelivery:
      progress.lastDeliveryAt === null ? null : new Date(progress.lastDeliveryAt).toISOString(),
  };
}

/** Parses a report time; returns null for null and for a time that does not parse. */
function parseTime(time: string | null): number | null {
  if (time === null) return null;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? null : parsed;
}
