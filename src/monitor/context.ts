import { createDnsContext, type DnsContext } from "../dns/context.js";
import { serverResolver, systemResolver } from "../dns/system.js";
import type { Clock } from "../store/clock.js";
import type { HistoryStore } from "../store/history.js";
import type { Observation } from "../store/types.js";
import type { MonitorConfig } from "./config.js";
import type { Logger } from "./logger.js";
import type { RepeatFilter } from "./repeats.js";

/** The configuration, store, clock and ports that every monitor job uses. */
export interface JobContext {
  readonly config: MonitorConfig;
  readonly store: HistoryStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The alert channels that state changes are queued on. */
  readonly channels: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The delist version, recorded in the diagnoses of log windows. */
  readonly version: string;
  /** Creates the DNS context of one job run; the job closes it. */
  readonly createDns: () => DnsContext;
  /** Aborts when the monitor is asked to stop; a job cuts a long wait short on it. */
  readonly signal: AbortSignal;
  /** Holds back the log lines of failures that repeat on every run. */
  readonly repeats: RepeatFilter;
  /** This machine's host name, the EHLO name of probes without a configured one. */
  readonly hostName: string;
}

/** Builds the DNS contexts of the configuration: its resolver, or the system's. */
export function dnsFactory(config: MonitorConfig, clock: Clock): () => DnsContext {
  const timeoutMs = config.dns.timeoutMs;
  return () =>
    createDnsContext({
      resolver:
        config.dns.resolver === undefined
          ? systemResolver({ timeoutMs })
          : serverResolver(config.dns.resolver, { timeoutMs }),
      timeoutMs: timeoutMs * 3,
      now: () => clock.now(),
    });
}

/**
 * Records observations and logs each change with its ids. Each observation commits on its
 * own with its change, incident and alerts (see `StateRepository.observe`).
 */
export function observeAll(context: JobContext, observations: readonly Observation[]): number {
  let changes = 0;
  for (const observation of observations) {
    const change = context.store.states.observe(
      observation,
      context.channels,
      context.config.alerts.flapWindowMinutes * 60_000,
    );
    if (change === null) continue;
    changes += 1;
    context.logger.info(
      {
        changeId: change.id,
        change: change.change,
        key: change.key,
        previous: change.previous,
        value: change.value,
        incidentId: change.incidentId,
        runId: change.runId,
      },
      "state changed",
    );
    const heldUntil = context.store.alerts.heldUntil(change.id);
    if (heldUntil !== null) {
      context.logger.info(
        { changeId: change.id, key: change.key, heldUntil: new Date(heldUntil).toISOString() },
        "alert held: the state changed again within the flap window",
      );
    }
  }
  return changes;
}

/**
 * Logs `message` as a warning with `fields`, unless the repeat filter holds the same message
 * under `key` back. A logged line carries the count of repeats held back since the last one.
 */
export function warnUnlessRepeated(
  context: JobContext,
  key: string,
  message: string,
  fields: object,
): void {
  const heldBack = context.repeats.record(key, message, context.clock.now());
  if (heldBack === null) return;
  context.logger.warn(
    { ...fields, ...(heldBack > 0 ? { repeatsHeldBack: heldBack } : {}) },
    message,
  );
}
