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
 * configuration no longer names, so that no job can see them end. An incident whose state a
 * job recorded at or after `runStartedAt` always counts, such as a block of an IP that a Gmail
 * reply in the log named but the configuration does not.
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
    const missing = checkedAt >= runStartedAt ? null : missingTarget(config, cwd, incident);
    if (missing === null) counted.push(incident);
    else unwatched.push({ incident, ...missing });
  }
  return { counted, unwatched };
}

/**
 * Logs one warning per unwatched incident: what it is, which target the configuration lacks,
 * and how to watch it again. The incident and its changes stay in the history as they are.
 */
export function reportUnwatchedIncidents(
  context: JobContext,
  unwatched: readonly UnwatchedIncident[],
): void {
  for (const { incident, target, setting } of unwatched) {
    context.logger.warn(
      {
        incidentId: incident.id,
        key: incident.key,
        subject: incident.subject,
        openedAt: new Date(incident.openedAt).toISOString(),
        target,
        fix: `add ${target} to ${setting} again to check it, so that the incident closes when it ends`,
      },
      `open incident of ${target}, which is no longer configured: it stays open in the history, because no job checks it, and it does not set the exit status of --once`,
    );
  }
}

/**
 * Returns the target of an incident's key that no configured job checks, with the setting that
 * would, or null when a job can still end the incident. Keys have the forms that the `*Key`
 * functions of the store build, and an IPv6 target contains colons itself.
 */
function missingTarget(
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
    // configuration cannot show, so such a probe might still end any block.
    const ip = rest.slice(1).join(":");
    if (isConfiguredIp(config, ip) || config.probes.some((p) => p.sourceIp === undefined)) {
      return null;
    }
    return { target: ip, setting: "ips" };
  }
  if (kind === "connection") {
    // connection:PROVIDER:SOURCE, where SOURCE is the sending IP or the path of the log.
    const source = rest.slice(1).join(":");
    const paths = config.logs.flatMap((log) => [log.path, resolvePath(cwd, log.path)]);
    if (isConfiguredIp(config, source) || paths.includes(source)) return null;
    return { target: source, setting: "logs" };
  }
  return null;
}

/** True when `ip` is a configured IP, the declared IP of a log or the source IP of a probe. */
function isConfiguredIp(config: MonitorConfig, ip: string): boolean {
  const canonical = canonicalIp(ip);
  const ips = [
    ...config.ips,
    ...config.logs.flatMap((log) => (log.ip === null ? [] : [log.ip])),
    ...config.probes.flatMap((probe) => (probe.sourceIp === undefined ? [] : [probe.sourceIp])),
  ];
  return ips.some((configured) => canonicalIp(configured) === canonical);
}
