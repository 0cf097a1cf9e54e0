import { resolve as resolvePath } from "node:path";
import { isIpAddress } from "../dns/names.js";
import { canonicalIp, type HistoryStore, type Incident } from "../store/index.js";
import type { MonitorConfig } from "./config.js";
import type { JobContext } from "./context.js";

/** An open incident that no configured job can end, and the setting that lacks its target. */
export interface UnwatchedIncident {
  readonly incident: Incident;
  /** The IP, domain or log path that the configuration no longer names. */
  readonly target: string;
  /** The setting to add `target` to, so that the monitor checks it again. */
  readonly setting: string;
}

/**
 * Splits the open incidents into those that count for `--once` and those of targets that the
 * configuration no longer names, so that no job can see them end (`unwatched`). An incident
 * whose state a job recorded at or after `runStartedAt` always counts, such as a block of an IP
 * that a Gmail reply in the log named but the configuration does not. Such a block also counts
 * in later runs while the log that recorded it is configured, because that log can show the lift.
 */
export function splitOpenIncidents(
  store: HistoryStore,
  config: MonitorConfig,
  cwd: string,
  runStartedAt: number,
): { counted: Incident[]; unwatched: UnwatchedIncident[] } {
  const counted: Incident[] = [];
  const unwatched: UnwatchedIncident[] = [];
  const open = store.incidents.incidents().filter((incident) => incident.closedAt === null);
  for (const incident of open) {
    const checkedAt = store.states.get(incident.key)?.checkedAt ?? -Infinity;
    const missing = checkedAt >= runStartedAt ? null : missingTarget(store, config, cwd, incident);
    if (missing === null) counted.push(incident);
    else unwatched.push({ incident, ...missing });
  }
  return { counted, unwatched };
}

/** The reason that the history records for an incident closed by `closeUnwatchedIncidents`. */
export const TARGET_REMOVED_REASON = "target removed from the configuration";

/**
 * Closes each unwatched incident at `at` with a `target-removed` change that gives the reason,
 * the target and the setting (see `HistoryStore.closeRemovedTarget`), and logs one warning per
 * incident. An incident is closed only once, so the warning appears in one run only.
 */
export function closeUnwatchedIncidents(
  context: JobContext,
  unwatched: readonly UnwatchedIncident[],
  at: number,
): void {
  for (const { incident, target, setting } of unwatched) {
    const change = context.store.closeRemovedTarget(incident, at, {
      reason: TARGET_REMOVED_REASON,
      target,
      setting,
    });
    context.logger.warn(
      {
        incidentId: incident.id,
        changeId: change.id,
        key: incident.key,
        subject: incident.subject,
        openedAt: new Date(incident.openedAt).toISOString(),
        target,
        fix: `add ${target} to ${setting} again to watch it: a block or listing that is still there then opens a new incident`,
      },
      `closed the open incident of ${incident.subject}, because ${target} was removed from the ` +
        "configuration and no job checks it",
    );
  }
}

/**
 * Returns the target of an incident's key that no configured job checks, with the setting that
 * would, or null when a job can still end the incident. Keys have the forms that the `*Key`
 * functions of the store build, and an IPv6 target contains colons itself.
 */
function missingTarget(
  store: HistoryStore,
  config: MonitorConfig,
  cwd: string,
  incident: Incident,
): { target: string; setting: string } | null {
  const [kind = "", ...rest] = incident.key.split(":");
  if (kind === "blocklist") {
    // blocklist:TARGET:LIST, and list ids contain no colon.
    const target = rest.slice(0, -1).join(":");
    if (isConfiguredIp(config, target) || config.domains.includes(target)) return null;
    return { target, setting: isIpAddress(target) ? "ips" : "domains" };
  }
  if (kind === "block") {
    // block:PROVIDER:IP. A probe without sourceIp records the address it sent from, which the
    // configuration cannot show, so such a probe might still end any block. A log that recorded
    // a change of the incident can show the lift, also of an IP that only its replies named.
    const ip = rest.slice(1).join(":");
    if (isConfiguredIp(config, ip) || config.probes.some((p) => p.sourceIp === undefined)) {
      return null;
    }
    const paths = configuredLogPaths(config, cwd);
    const recordedBy = store.incidents.logPaths(incident.id);
    if (recordedBy.some((path) => paths.includes(path))) return null;
    // A block that a log showed is watched again once that log is configured, so the fix names
    // the log of its latest change instead of ips.
    const latestLog = recordedBy[0];
    return latestLog === undefined
      ? { target: ip, setting: "ips" }
      : { target: latestLog, setting: "logs" };
  }
  if (kind === "connection") {
    // connection:PROVIDER:SOURCE, where SOURCE is the sending IP or the path of the log.
    const source = rest.slice(1).join(":");
    if (isConfiguredIp(config, source) || configuredLogPaths(config, cwd).includes(source)) {
      return null;
    }
    return { target: source, setting: "logs" };
  }
  return null;
}

/** Returns the configured log paths as given and as resolved against `cwd`. */
function configuredLogPaths(config: MonitorConfig, cwd: string): string[] {
  return config.logs.flatMap((log) => [log.path, resolvePath(cwd, log.path)]);
}

/**
 * True when `ip` is a configured IP, the declared IP of a log or of one of its outgoing sources,
 * or the source IP of a probe.
 */
function isConfiguredIp(config: MonitorConfig, ip: string): boolean {
  const canonical = canonicalIp(ip);
  const ips = [
    ...config.ips,
    ...config.logs.flatMap((log) => (log.ip === null ? [] : [log.ip])),
    ...config.logs.flatMap((log) => Object.values(log.sources)),
    ...config.probes.flatMap((probe) => (probe.sourceIp === undefined ? [] : [probe.sourceIp])),
  ];
  return ips.some((configured) => canonicalIp(configured) === canonical);
}
