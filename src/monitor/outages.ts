import {
  OUTAGE_MIN_FAILURES,
  type ConnectionFailureRun,
  type ProviderFacts,
} from "../analysis/providers.js";
import type { ReplyOccurrence } from "../analysis/replies.js";
import type { OutageReport, ProviderVerdict } from "../diagnose/types.js";
import type { ProviderId } from "../knowledge/providers.js";
import { failedHostOf, withFailedHost } from "../knowledge/rules/connection.js";
import type { FailureRun, FailureRunRepository } from "../store/failure-runs.js";
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
  readonly providerFacts: ReadonlyMap<ProviderId, ProviderFacts>;
  /** The zone that the evidence's times are written in, as in the diagnosis. */
  readonly timeZone: TimeZone;
}

/**
 * Turns the providers' verdicts into connection observations, at most two per provider, for the
 * state key of `source`: its IP, else its log path. It also carries each provider's run of
 * failed connections over to the next window through `carry` (see `carryFailureRun`).
 *
 * - A run of failed connections that began in an earlier window and reached
 *   OUTAGE_MIN_FAILURES is observed as `unreachable`, dated by its first failure.
 * - An outage that diagnose does not count as recovered (status `unreachable`, or a block during
 *   the outage) is observed as `unreachable`, dated by its first failed connection.
 * - An outage that the provider recovered from inside the window (enough deliveries after it) is
 *   observed as `unreachable` and then as `reachable`, dated by the delivery or reply that
 *   ended it.
 * - A provider with no outage that accepted mail or sent a block reply is observed as
 *   `reachable`, because either needs a connection.
 *
 * Any other provider gives no observation, so the state keeps its value: a few failed
 * connections, or none at all, show neither an outage nor its end. Acceptances and replies are
 * facts of the window as a whole, so they end an outage even when a few failed connections
 * follow them.
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
    const carried = carryFailureRun(carry, provider as ProviderId, base.key, at);
    const outage = verdict.outage;
    if (carried !== null) {
      const evidence = carriedOutageEvidence(carried, carry.timeZone);
      observations.push(unreachableObservation(base, source, verdict, carried.firstAt, evidence));
    } else if (outage !== null) {
      const occurredAt = parseTime(outage.first.time);
      const evidence = outageEvidence(outage);
      observations.push(unreachableObservation(base, source, verdict, occurredAt, evidence));
      const endedAt = outage.recovered ? parseTime(outage.endedAt) : null;
      if (endedAt !== null) observations.push(reachableObservation(base, source, verdict, endedAt));
    } else if (verdict.sent > 0 || verdict.firstBlock !== null) {
      observations.push(reachableObservation(base, source, verdict, null));
    }
  }
  return observations;
}

/**
 * Adds the provider's failed connections at the end of the window to the run stored for `key`.
 * When the provider accepted a delivery or replied in the window, the run starts again with the
 * failures after that, or is deleted when none followed. Returns the run when it began in an
 * earlier window and reached OUTAGE_MIN_FAILURES. A run inside one window is the verdict's own
 * outage.
 */
function carryFailureRun(
  carry: FailureRunCarry,
  provider: ProviderId,
  key: string,
  at: number,
): FailureRun | null {
  const facts = carry.providerFacts.get(provider);
  if (facts === undefined) return null;
  const openRun = facts.openRun;
  if (openRun === null || openRun.first === null) {
    if (facts.contacted) carry.runs.delete(key);
    return null;
  }

  const earlier = facts.contacted ? null : carry.runs.get(key);
  if (earlier === null) {
    carry.runs.save(key, startedRun(openRun, openRun.first, carry.timeZone), at);
    return null;
  }
  const run: FailureRun = {
    ...earlier,
    failures: earlier.failures + openRun.failures,
    lastAt: Math.max(earlier.lastAt, openRun.lastTime),
  };
  carry.runs.save(key, run, at);
  return run.failures >= OUTAGE_MIN_FAILURES ? run : null;
}

/** Builds the stored run of a window's open run, whose first failure is `first`. */
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
  return {
    key: connectionKey(provider, ip ?? source.path),
    kind: "connection",
    subject: ip === null ? `${provider} (log ${source.path})` : `${provider} from ${ip}`,
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
