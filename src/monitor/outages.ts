import {
  OUTAGE_MIN_FAILURES,
  type ConnectionFailureRun,
  type ProviderFacts,
} from "../analysis/providers.js";
import type { ReplyOccurrence } from "../analysis/replies.js";
import type { OutageReport, ProviderVerdict } from "../diagnose/types.js";
import { PROVIDER_NAMES, type ProviderId, type ProviderKey } from "../knowledge/providers.js";
import { failedHostOf, withFailedHost } from "../knowledge/rules/connection.js";
import { hasRecovered } from "../diagnose/verdict.js";
import type {
  FailureRun,
  FailureRunRecovery,
  FailureRunRepository,
} from "../store/failure-runs.js";
import { canonicalIp, connectionKey, type Observation } from "../store/types.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
import type { ProviderEvidence } from "./log-families.js";

/** The origin of a log window's delivery attempts: the log and, when known, the sending IP. */
export interface ConnectionSource {
  /** The log the attempts were read from, as an absolute path. */
  readonly path: string;
  /** The IP all mail of the log left from, or null when that is not known. */
  readonly ip: string | null;
}

/** The window's open runs of failed connections and the store of the runs of earlier windows. */
export interface FailureRunCarry {
  readonly runs: FailureRunRepository;
  readonly providerFacts: ReadonlyMap<ProviderKey, ProviderFacts>;
  /** The zone that the evidence's times are written in, as in the diagnosis. */
  readonly timeZone: TimeZone;
}

/**
 * Turns the providers' verdicts into connection observations, at most two per provider, for the
 * state key of `source`: its IP, else its log path. It also carries each provider's run of
 * failed connections, and an outage's progress towards recovery, over to the next window
 * through `carry`.
 *
 * - An outage inside the window is observed as `unreachable`, dated by its first failure. When
 *   diagnose counts it as recovered, it is then observed as `reachable`, dated by the delivery or
 *   reply that ended it.
 * - A run of failed connections that began in an earlier window and reached
 *   OUTAGE_MIN_FAILURES is observed as `unreachable`, dated by its first failure.
 * - An outage that ended without recovery stays `unreachable` until the provider recovers by
 *   diagnose's rule (`hasRecovered`), counted over windows, or rejects mail, which diagnose also
 *   ranks above `unreachable`. It is then observed as `reachable`, dated by its end.
 * - A provider with no outage that accepted mail or sent a block reply is observed as
 *   `reachable`, because either needs a connection.
 *
 * Any other provider gives no observation, so the state keeps its value: a few failed
 * connections, or none at all, show neither an outage nor its end.
 */
export function connectionObservations(
  evidence: ProviderEvidence,
  source: ConnectionSource,
  runId: number,
  at: number,
  carry: FailureRunCarry,
): Observation[] {
  const observations: Observation[] = [];
  for (const [provider, verdict] of Object.entries(evidence.providers)) {
    // The `other` row mixes every small receiver, and one of them being down is no outage.
    if (verdict === undefined || provider === "other") continue;
    const base = baseObservation(provider, source, runId, at);
    const facts = carry.providerFacts.get(provider as ProviderId);
    const window: ProviderWindow = { base, source, verdict, facts, carry };
    const stored = carry.runs.get(base.key);
    const openRun = facts?.openRun ?? null;
    if (stored !== null && facts?.firstContact === null && openRun !== null) {
      observations.push(...continuedRun(window, stored, openRun));
    } else if (verdict.outage !== null) {
      observations.push(...windowOutage(window, verdict.outage));
    } else if (stored !== null && stored.failures >= OUTAGE_MIN_FAILURES) {
      observations.push(...carriedOutage(window, stored));
    } else {
      observations.push(...carryShortRun(window, stored));
    }
  }
  return observations;
}

/**
 * Adds the window's failures, with no delivery or reply before them, to the run stored for the
 * key, and observes `unreachable` once the run has OUTAGE_MIN_FAILURES failures. Failures after
 * an outage's end resume the outage, so its recovery starts again.
 */
function continuedRun(
  window: ProviderWindow,
  stored: FailureRun,
  openRun: ConnectionFailureRun,
): Observation[] {
  const { base, source, verdict, carry } = window;
  const run = resumedRun(stored, openRun);
  carry.runs.save(base.key, run, base.at);
  if (run.failures < OUTAGE_MIN_FAILURES) return [];
  const evidence = {
    ...carriedOutageEvidence(run, carry.timeZone),
    failuresInWindow: openRun.failures,
  };
  return [unreachableObservation(base, source, verdict, run.firstAt, evidence)];
}

/** One provider's verdict and counts in the window, with what its observations need. */
interface ProviderWindow {
  readonly base: BaseObservation;
  readonly source: ConnectionSource;
  readonly verdict: ProviderVerdict;
  readonly facts: ProviderFacts | undefined;
  readonly carry: FailureRunCarry;
}

/**
 * Observes an outage inside the window and stores what the next window needs: the failures at
 * its end, or the outage with its recovery progress when it ended without recovery.
 */
function windowOutage(window: ProviderWindow, outage: OutageReport): Observation[] {
  const { base, source, verdict, facts, carry } = window;
  const failuresInWindow = outage.failures;
  const observations = [
    unreachableObservation(base, source, verdict, parseTime(outage.first.time), {
      ...outageEvidence(outage),
      failuresInWindow,
    }),
  ];
  const run = facts?.outage ?? null;
  const openRun = facts?.openRun ?? null;
  const endedAt = parseTime(outage.endedAt);
  carry.runs.delete(base.key);
  if (outage.recovered && endedAt !== null) {
    observations.push(reachableObservation(base, source, verdict, endedAt));
    saveOpenRun(carry, base.key, openRun, base.at);
    return observations;
  }
  if (facts === undefined || run === null || run.first === null) return observations;
  const stored = startedRun(run, run.first, carry.timeZone);
  if (openRun !== null && openRun !== run) {
    // Failures after the outage's end resume it, so its recovery starts again.
    carry.runs.save(base.key, resumedRun(stored, openRun), base.at);
  } else if (endedAt === null) {
    carry.runs.save(base.key, stored, base.at);
  } else {
    const recovery = { endedAt, deliveries: run.deliveredAfter, lastDeliveryAt: facts.lastSent };
    carry.runs.save(base.key, { ...stored, recovery }, base.at);
  }
  return observations;
}

/**
 * Observes an outage that began in an earlier window (`stored`, at least OUTAGE_MIN_FAILURES
 * failures). Failures in the window add to it, deliveries count towards its recovery, and a
 * recovery or a rejection ends it.
 */
function carriedOutage(window: ProviderWindow, stored: FailureRun): Observation[] {
  const { base, source, verdict, facts, carry } = window;
  const openRun = facts?.openRun ?? null;
  const firstContact = facts?.firstContact ?? null;
  if (facts === undefined || (firstContact === null && openRun === null)) return [];
  if (openRun !== null) {
    // NOTE: diagnose keeps counting deliveries after an outage through a few later failures,
    // but here any failure after the outage's end starts its recovery again.
    return continuedRun(window, stored, openRun);
  }
  const earlier = stored.recovery;
  const endedAt = earlier?.endedAt ?? firstContact ?? base.at;
  const lastDeliveryAt = Math.max(earlier?.lastDeliveryAt ?? 0, facts.lastSent ?? 0);
  const recovery: FailureRunRecovery = {
    endedAt,
    deliveries: (earlier?.deliveries ?? 0) + facts.sent,
    lastDeliveryAt: lastDeliveryAt === 0 ? null : lastDeliveryAt,
  };
  // A provider that rejects mail has judged it, so diagnose ranks it `blocked`, not unreachable.
  if (
    hasRecovered(recovery.deliveries, endedAt, recovery.lastDeliveryAt) ||
    verdict.status === "blocked"
  ) {
    carry.runs.delete(base.key);
    return [reachableObservation(base, source, verdict, endedAt)];
  }
  carry.runs.save(base.key, { ...stored, recovery }, base.at);
  return [];
}

/**
 * Observes a provider with no outage open: `reachable` when it accepted mail or sent a block
 * reply. A delivery or reply ends the short run stored for the key, and the failures after it,
 * if any, start a new one.
 */
function carryShortRun(window: ProviderWindow, stored: FailureRun | null): Observation[] {
  const { base, source, verdict, facts, carry } = window;
  const contacted = facts !== undefined && facts.firstContact !== null;
  if (stored === null || contacted) {
    if (stored !== null) carry.runs.delete(base.key);
    saveOpenRun(carry, base.key, facts?.openRun ?? null, base.at);
  }
  if (verdict.sent === 0 && verdict.firstBlock === null) return [];
  return [reachableObservation(base, source, verdict, null)];
}

/** Stores the failures at the end of the window as a new run, when there are any. */
function saveOpenRun(
  carry: FailureRunCarry,
  key: string,
  openRun: ConnectionFailureRun | null,
  at: number,
): void {
  if (openRun === null || openRun.first === null) return;
  carry.runs.save(key, startedRun(openRun, openRun.first, carry.timeZone), at);
}

/** Returns `stored` with the failures of `openRun` added, and without recovery progress. */
function resumedRun(stored: FailureRun, openRun: ConnectionFailureRun): FailureRun {
  return {
    failures: stored.failures + openRun.failures,
    firstAt: stored.firstAt,
    lastAt: Math.max(stored.lastAt, openRun.lastTime),
    evidence: stored.evidence,
    recovery: null,
  };
}

/** Builds the stored run of a window's run, whose first failure is `first`. */
function startedRun(
  openRun: ConnectionFailureRun,
  first: ReplyOccurrence,
  zone: TimeZone,
): FailureRun {
  return {
    failures: openRun.failures,
    firstAt: first.time,
    lastAt: openRun.lastTime,
    evidence: {
      first: {
        time: formatInstant(first.time, zone),
        text: first.text,
        ruleId: openRun.rule.id,
        relayHost: first.relayHost,
        file: first.position.file,
        line: first.position.line,
      },
      fix: withFailedHost(openRun.rule.fix, failedHostOf(first)),
    },
    recovery: null,
  };
}

type BaseObservation = Pick<Observation, "key" | "kind" | "subject" | "at" | "runId">;

function baseObservation(
  provider: string,
  source: ConnectionSource,
  runId: number,
  at: number,
): BaseObservation {
  const ip = source.ip === null ? null : canonicalIp(source.ip);
  // The subject is for people, so it names the provider as the reports do ("Gmail").
  const name = PROVIDER_NAMES[provider as ProviderId] ?? provider;
  return {
    key: connectionKey(provider, ip ?? source.path),
    kind: "connection",
    subject: ip === null ? `${name} (log ${source.path})` : `${name} from ${ip}`,
    at,
    runId,
  };
}

/** Builds an `unreachable` observation with `outage` as its evidence, dated by `occurredAt`. */
function unreachableObservation(
  base: BaseObservation,
  source: ConnectionSource,
  verdict: ProviderVerdict,
  occurredAt: number | null,
  outage: object,
): Observation {
  return {
    ...base,
    value: "unreachable",
    ...(occurredAt === null ? {} : { occurredAt }),
    evidence: {
      ...sourceEvidence(source),
      attempts: verdict.attempts,
      sent: verdict.sent,
      connectionFailures: verdict.connectionFailures,
      outage,
    },
  };
}

/** Returns the outage evidence of a window's own outage. */
function outageEvidence(outage: OutageReport): object {
  const first = outage.first;
  return {
    first: {
      time: first.time,
      text: first.text,
      ruleId: first.ruleId,
      relayHost: first.relayHost,
      file: first.file,
      line: first.line,
    },
    last: outage.last,
    endedAt: outage.endedAt,
    failures: outage.failures,
    ongoing: outage.ongoing,
    fix: outage.fix,
  };
}

/**
 * Returns the outage evidence of a run of failed connections that spans windows, with the fields
 * of a one-window outage. It is ongoing, because no delivery or reply from the provider followed
 * its failures.
 */
function carriedOutageEvidence(run: FailureRun, timeZone: TimeZone): object {
  return {
    first: run.evidence.first,
    last: formatInstant(run.lastAt, timeZone),
    endedAt: null,
    failures: run.failures,
    ongoing: true,
    fix: run.evidence.fix,
  };
}

/** Builds a `reachable` observation, dated by `occurredAt` when the window shows the time. */
function reachableObservation(
  base: BaseObservation,
  source: ConnectionSource,
  verdict: ProviderVerdict,
  occurredAt: number | null,
): Observation {
  return {
    ...base,
    value: "reachable",
    ...(occurredAt === null ? {} : { occurredAt }),
    evidence: {
      ...sourceEvidence(source),
      attempts: verdict.attempts,
      sent: verdict.sent,
      blockedAttempts: verdict.blockedAttempts,
      connectionFailures: verdict.connectionFailures,
      reachableAt: occurredAt === null ? null : new Date(occurredAt).toISOString(),
    },
  };
}

function sourceEvidence(source: ConnectionSource): object {
  return {
    source: "logs",
    path: source.path,
    ip: source.ip === null ? null : canonicalIp(source.ip),
  };
}

/** Parses a report time; returns null for null and for a time that does not parse. */
function parseTime(time: string | null): number | null {
  if (time === null) return null;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? null : parsed;
}
