import type { ProviderVerdict } from "../diagnose/types.js";
import { isBad } from "../store/changes.js";
import type { HistoryStore } from "../store/history.js";
import type { LiftProgress } from "../store/lift-progress.js";
import { blockKey, canonicalIp, type Observation } from "../store/types.js";
import { advanceLiftProgress, isLifted, type AcceptanceTimes } from "./lift-progress.js";
import type { AddressFamily, ProviderEvidence } from "./log-families.js";
import { acceptanceBucket } from "./log-window.js";

/** The store and window data that block observations need besides the evidence. */
export interface BlockObservationContext {
  /** The store whose block states and lift progress the window continues. */
  readonly store: HistoryStore;
  /** The accepted deliveries of the window (see `LogWindowResult.acceptances`). */
  readonly acceptances: AcceptanceTimes;
  /** The relay address family of `evidence` on a dual-stack server, else null. */
  readonly family: AddressFamily | null;
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
 * that family, and the evidence records the family. When `sourceIp` is null, acceptances lift
 * nothing and a block with no IP in its replies is not recorded. A block seen in such logs then
 * lifts through a probe or through a log with a declared IP.
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
  for (const [provider, verdict] of Object.entries(evidence.providers)) {
    // This server could not connect to the provider, so the provider judged nothing.
    if (verdict === undefined || provider === "other" || verdict.status === "unreachable") {
      continue;
    }
    for (const ip of observedIps(provider, verdict, evidence.judgedIps, source)) {
      const base = {
        key: blockKey(provider, ip),
        kind: "block" as const,
        subject: `${provider} ${ip}`,
        at,
        runId,
      };
      const ipEvidence = {
        ...logEvidence(verdict),
        ip,
        ...(context.family === null ? {} : { relayFamily: context.family }),
      };
      const bucket = acceptanceBucket(provider, context.family);
      const probedBlockAt = context.store.probes.lastBlockFor(provider, ip)?.finishedAt ?? null;
      const lift =
        ip === source ? liftOf(context, base.key, verdict, { bucket, probedBlockAt }, at) : null;
      observations.push(...blockObservations(base, verdict, ipEvidence, lift));
    }
  }
  return observations;
}

type BaseObservation = Pick<Observation, "key" | "kind" | "subject" | "at" | "runId">;

/** Whether an IP's block state was open before the window, and whether the window lifts it. */
interface LiftDecision {
  readonly wasBlocked: boolean;
  /** The progress that lifts the block, or null while it stays. */
  readonly lifted: LiftProgress | null;
}

/** The acceptance bucket of a block state and the time a probe last saw its block. */
interface LiftSource {
  /** The acceptance bucket of the state's provider (see `acceptanceBucket`). */
  readonly bucket: string;
  /** End of the last probe that got a block reply for the state's provider and IP, or null. */
  readonly probedBlockAt: number | null;
}

/**
 * Advances the lift progress of the block state `key` by the window, saves it while a block is
 * open and deletes it otherwise, and returns whether the window lifts the block.
 */
function liftOf(
  context: BlockObservationContext,
  key: string,
  verdict: ProviderVerdict,
  source: LiftSource,
  at: number,
): LiftDecision {
  const { store, acceptances } = context;
  const current = store.states.get(key);
  const wasBlocked = current !== null && isBad("block", current.value);
  const progress = advanceLiftProgress(
    restartedAtProbe(store.liftProgress.get(key), source.probedBlockAt),
    wasBlocked ? current.checkedAt : null,
    parseTime(verdict.lastBlock?.time ?? null),
    acceptances,
    source.bucket,
  );
  const lifted = progress !== null && isLifted(progress) ? progress : null;
  const blockOpen = lifted === null && (wasBlocked || blockValue(verdict) !== null);
  if (progress !== null && blockOpen) store.liftProgress.save(key, progress, at);
  else store.liftProgress.delete(key);
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
  return { lastBlockAt: probedBlockAt, deliveries: 0, lastDeliveryAt: null };
}

/** Returns the observations of one provider and IP in the window (see `logObservations`). */
function blockObservations(
  base: BaseObservation,
  verdict: ProviderVerdict,
  evidence: object,
  lift: LiftDecision | null,
): Observation[] {
  const value = blockValue(verdict);
  const startedAt = blockStart(verdict);
  const seen: Observation | null =
    value === null
      ? null
      : { ...base, value, ...(startedAt === null ? {} : { occurredAt: startedAt }), evidence };
  if (lift === null) return seen === null ? [] : [seen];
  if (lift.lifted === null) {
    if (seen !== null) return [seen];
    // An open block stays until the rule lifts it, whatever one window's acceptances show.
    return lift.wasBlocked || verdict.sent === 0 ? [] : [{ ...base, value: "ok", evidence }];
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
 */
function liftEvidence(progress: LiftProgress): object {
  return {
    lastBlockReply: new Date(progress.lastBlockAt).toISOString(),
    deliveriesAfterAtLeast: progress.deliveries,
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
