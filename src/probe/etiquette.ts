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
 * Returns the rate-limit key of a probe: the receiver probed and the source address, because a
 * receiver judges each sending IP on its own and `--source-ip` probes stand for another IP.
 * The receiver is the recipient domain, which stands for its MX hosts, or the `--mx` override
 * (`gmail.com from default`, `127.0.0.1:2525 from 192.0.2.7`). So probes of a test server do
 * not hold back probes of the domain's real MX, nor the other way round.
 * NOTE: an `--mx` that names one of the domain's own MX hosts gets a key apart from the domain's.
 */
export function probeTarget(
  recipient: string,
  sourceIp: string | null,
  mx: { readonly host: string; readonly port: number } | null = null,
): string {
  return `${probeReceiver(recipient, mx)} from ${sourceIp ?? "default"}`;
}

/**
 * Describes the target of `probeTarget` for messages, naming the source address in words:
 * `127.0.0.1:2525 from the default source address`, `gmail.com from source address 192.0.2.7`.
 */
export function describeProbeTarget(
  recipient: string,
  sourceIp: string | null,
  mx: { readonly host: string; readonly port: number } | null = null,
): string {
  const source = sourceIp === null ? "the default source address" : `source address ${sourceIp}`;
  return `${probeReceiver(recipient, mx)} from ${source}`;
}

// Returns the receiver part of a probe target: the recipient domain, or the `--mx` host and port.
function probeReceiver(
  recipient: string,
  mx: { readonly host: string; readonly port: number } | null,
): string {
  if (mx === null) return recipient.slice(recipient.lastIndexOf("@") + 1).toLowerCase();
  const host = mx.host.toLowerCase();
  return `${host.includes(":") ? `[${host}]` : host}:${mx.port}`;
}

/** Whether a probe of a target may run now. */
export type ProbePermission =
  | { readonly allowed: true; readonly lastAt: number | null }
  | { readonly allowed: false; readonly lastAt: number; readonly nextAllowedAt: number };

/**
 * Checks the rate limit against the probes stored in the history, so it applies across runs and
 * across the monitor and the command line. Only probes that got the receiver's greeting count:
 * a connection that was refused, timed out or never started (no address for the MX) showed the
 * receiver no SMTP session, so it cannot look like address harvesting.
 */
export function checkProbeRate(
  store: HistoryStore,
  target: string,
  now: number,
  intervalMs: number = DEFAULT_PROBE_INTERVAL_MS,
): ProbePermission {
  const last = store.probes.lastGreetedOfTarget(target);
  if (last === null) return { allowed: true, lastAt: null };
  const nextAllowedAt = last.startedAt + intervalMs;
  if (now >= nextAllowedAt) return { allowed: true, lastAt: last.startedAt };
  return { allowed: false, lastAt: last.startedAt, nextAllowedAt };
}
