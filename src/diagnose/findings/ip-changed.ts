import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { finding } from "./build.js";

/**
 * `ip-changed`: receivers name one sending IP in earlier replies and another in later ones,
 * and the two periods do not overlap. A new IP starts without reputation, and records such
 * as PTR and SPF may still name the old one.
 */
export function detectIpChanged(context: DiagnoseContext): Finding | null {
  const ips = [...context.facts.server.judgedIps].sort((a, b) => a[1].firstTime - b[1].firstTime);
  for (let i = 1; i < ips.length; i++) {
    const [oldIp, before] = ips[i - 1] ?? [];
    const [newIp, after] = ips[i] ?? [];
    if (before === undefined || after === undefined || oldIp === undefined || newIp === undefined)
      continue;
    if (after.firstTime <= before.lastTime) continue;

    return finding("ip-changed", {
      severity: "info",
      role: "contributing",
      title: `The sending IP changed from ${oldIp} to ${newIp}`,
      summary: `Receivers named ${oldIp} until ${context.time(before.lastTime)} and ${newIp} from ${context.time(after.firstTime)}.`,
      evidence: {
        oldIp,
        newIp,
        oldLastSeen: context.time(before.lastTime),
        newFirstSeen: context.time(after.firstTime),
      },
      fix: [
        `Set the PTR record of ${newIp} and add it to the SPF records of the sending domains.`,
        "Warm the new IP up gradually; it has no reputation of its own yet.",
      ],
    });
  }
  return null;
}
