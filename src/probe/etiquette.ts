import type { HistoryStore } from "../store/history.js";

/**
 * The default minimum time between two probes of one target: one hour. Receivers count
 * connections that end before DATA, and a sender that keeps opening RCPT-only sessions looks
 * like an address harvester, which costs the very reputation the probe is meant to watch.
 * Little is lost by waiting, because a provider's block on an IP changes over hours and days
 * (Gmail usually lifts one in 3 to 5 days).
 */
export const DEFAULT_PROBE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Returns the rate-limit key of a probe: the recipient domain and the source address, because
 * a receiver judges each sending IP on its own and `--source-ip` probes stand for another IP.
 */
export function probeTarget(recipient: string, sourceIp: string | null): string {
  const domain = recipient.slice(recipient.lastIndexOf("@") + 1).toLowerCase();
  return `${domain} from ${sourceIp ?? "default"}`;
}

/** Whether a probe of a target may run now. */
export type ProbePermission =
  | { readonly allowed: true; readonly lastAt: number | null }
  | { readonly allowed: false; readonly lastAt: number; readonly nextAllowedAt: number };

/**
 * Checks the rate limit against the probes stored in the history, so it applies across runs and
 * across the monitor and the command line.
 */
export function checkProbeRate(
  store: HistoryStore,
  target: string,
  now: number,
  intervalMs: number = DEFAULT_PROBE_INTERVAL_MS,
): ProbePermission {
  const last = store.probes.lastOfTarget(target);
  if (last === null) return { allowed: true, lastAt: null };
  const nextAllowedAt = last.startedAt + intervalMs;
  if (now >= nextAllowedAt) return { allowed: true, lastAt: last.startedAt };
  return { allowed: false, lastAt: last.startedAt, nextAllowedAt };
}
