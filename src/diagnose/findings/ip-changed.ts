import type { JudgedIp } from "../../analysis/server.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { finding, listNames } from "./build.js";

/** Two IPs of one server, the second first named after the last reply that named the first. */
interface IpChange {
  readonly server: string | null;
  readonly oldIp: string;
  readonly before: JudgedIp;
  readonly newIp: string;
  readonly after: JudgedIp;
}

/**
 * `ip-changed`: receivers name one sending IP in earlier replies and another in later ones,
 * and the two periods do not overlap. A new IP starts without reputation, and records such
 * as PTR and SPF may still name the old one.
 *
 * Logs of several servers are compared server by server, because each server sends from its
 * own IP. A server is a syslog host name, or for logs without host names (Exim's main log) a
 * rotated file set (see `serverOf`). An IP named only in bounce messages or in replies
 * without a message belongs to no known server, so it is compared with every server.
 */
export function detectIpChanged(context: DiagnoseContext): Finding | null {
  const ips = [...context.facts.server.judgedIps].sort((a, b) => a[1].firstTime - b[1].firstTime);
  const servers = [...new Set(ips.flatMap(([, judged]) => [...judged.servers]))].sort();
  const changes = (servers.length > 0 ? servers : [null])
    .map((server) => firstChange(server, ips))
    .filter((change): change is IpChange => change !== null)
    .sort((a, b) => a.after.firstTime - b.after.firstTime);
  const change = changes[0];
  return change === undefined ? null : changeFinding(context, change, servers);
}

function firstChange(
  server: string | null,
  ips: ReadonlyArray<readonly [string, JudgedIp]>,
): IpChange | null {
  const own = ips.filter(
    ([, judged]) => server === null || judged.servers.size === 0 || judged.servers.has(server),
  );
  for (let i = 1; i < own.length; i++) {
    const [oldIp, before] = own[i - 1] ?? [];
    const [newIp, after] = own[i] ?? [];
    if (before === undefined || after === undefined || oldIp === undefined || newIp === undefined)
      continue;
    if (after.firstTime <= before.lastTime) continue;
    return { server, oldIp, before, newIp, after };
  }
  return null;
}

function changeFinding(
  context: DiagnoseContext,
  change: IpChange,
  servers: readonly string[],
): Finding {
  const { oldIp, before, newIp, after } = change;
  const severalServers = servers.length > 1 && change.server !== null;
  const serverPhrase = severalServers ? ` of ${change.server ?? ""}` : "";
  const others = severalServers
    ? ` The logs contain mail of ${servers.length} servers (${listNames(servers.slice(0, 5))}), and each is compared only with its own earlier IPs.`
    : "";
  return finding("ip-changed", {
    severity: "info",
    role: "contributing",
    title: `The sending IP${serverPhrase} changed from ${oldIp} to ${newIp}`,
    summary: `Receivers named ${oldIp} until ${context.time(before.lastTime)} and ${newIp} from ${context.time(after.firstTime)}.${others}`,
    evidence: {
      oldIp,
      newIp,
      oldLastSeen: context.time(before.lastTime),
      newFirstSeen: context.time(after.firstTime),
      server: change.server,
      servers,
    },
    fix: [
      `Set the PTR record of ${newIp} and add it to the SPF records of the sending domains.`,
      "Warm the new IP up gradually; it has no reputation of its own yet.",
    ],
  });
}
