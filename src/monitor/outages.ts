import type { OutageReport, ProviderVerdict } from "../diagnose/types.js";
import { canonicalIp, connectionKey, type Observation } from "../store/types.js";
import type { ProviderEvidence } from "./log-families.js";

/** The origin of a log window's delivery attempts: the log and, when known, the sending IP. */
export interface ConnectionSource {
  /** The log the attempts were read from, as an absolute path. */
  readonly path: string;
  /** The IP all mail of the log left from, or null when that is not known. */
  readonly ip: string | null;
}

/**
 * Turns the providers' verdicts into connection observations, at most two per provider, for the
 * state key of `source`: its IP, else its log path.
 *
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
// NOTE: an outage needs OUTAGE_MIN_FAILURES (10) failed connections in a row inside one window,
// the lines of one log check (a minute by default). On a server that tries a provider less
// often than that, the monitor records no outage and the log job does not warn either.
export function connectionObservations(
  evidence: ProviderEvidence,
  source: ConnectionSource,
  runId: number,
  at: number,
): Observation[] {
  const observations: Observation[] = [];
  for (const [provider, verdict] of Object.entries(evidence.providers)) {
    // The `other` row mixes every small receiver, and one of them being down is no outage.
    if (verdict === undefined || provider === "other") continue;
    const base = baseObservation(provider, source, runId, at);
    const outage = verdict.outage;
    if (outage !== null) {
      observations.push(unreachableObservation(base, source, verdict, outage));
      const endedAt = outage.recovered ? parseTime(outage.endedAt) : null;
      if (endedAt !== null) observations.push(reachableObservation(base, source, verdict, endedAt));
    } else if (verdict.sent > 0 || verdict.firstBlock !== null) {
      observations.push(reachableObservation(base, source, verdict, null));
    }
  }
  return observations;
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

function unreachableObservation(
  base: BaseObservation,
  source: ConnectionSource,
  verdict: ProviderVerdict,
  outage: OutageReport,
): Observation {
  const occurredAt = parseTime(outage.first.time);
  const first = outage.first;
  return {
    ...base,
    value: "unreachable",
    ...(occurredAt === null ? {} : { occurredAt }),
    evidence: {
      ...sourceEvidence(source),
      attempts: verdict.attempts,
      sent: verdict.sent,
      connectionFailures: verdict.connectionFailures,
      outage: {
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
      },
    },
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
