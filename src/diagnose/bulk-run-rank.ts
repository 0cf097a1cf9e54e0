import type { Finding } from "./types.js";

/** The `web-script` evidence fields that decide whether a volume finding outranks it. */
interface ScriptEvidence {
  origin?: unknown;
  relayClient?: unknown;
  webSource?: unknown;
  suspiciousPath?: unknown;
  runsAsRoot?: unknown;
  dailySchedule?: unknown;
  onlyBulkSender?: unknown;
}

/**
 * Ranks the volume findings above a local program's `web-script` cause when they explain its
 * mail better than abuse does. The script becomes a `contributing` factor in two cases:
 *
 * - It shows no sign of a web site, a suspicious directory or root (a local program's bulk
 *   run), and a `new-ip` cause or a `volume-spike` of the same program is in the report. Such
 *   a run is a volume problem if it was intended.
 * - A `new-ip` cause is in the report, the program is the log's only bulk sender and it sends
 *   on a daily schedule: a newsletter on a new IP that grew too fast.
 *
 * In the first case without `new-ip`, that `volume-spike` becomes the cause. Runs after
 * `assignRoles`, so only findings linked to a block change, and before the severity of causes
 * is raised, so that a script that is no longer a cause keeps its own severity.
 */
export function rankBulkRuns(findings: readonly Finding[]): Finding[] {
  const newIp = findings.some((finding) => finding.id === "new-ip" && finding.role === "cause");
  const spikeOrigins = new Set(findings.filter(isLinkedSpike).map(spikeOrigin));
  const demoted = new Set<Finding>();
  for (const finding of findings) {
    if (finding.id !== "web-script" || finding.role !== "cause") continue;
    const evidence = finding.evidence as ScriptEvidence;
    if (typeof evidence.origin !== "string" || evidence.relayClient !== undefined) continue;
    const bulkRun = isBulkRun(evidence) && (newIp || spikeOrigins.has(evidence.origin));
    const scheduled = newIp && evidence.onlyBulkSender === true && evidence.dailySchedule === true;
    if (bulkRun || scheduled) demoted.add(finding);
  }
  const demotedOrigins = new Set(
    [...demoted].map((finding) => (finding.evidence as ScriptEvidence).origin),
  );

  return findings.map((finding) => {
    if (demoted.has(finding)) return { ...finding, role: "contributing" };
    if (!newIp && isLinkedSpike(finding) && demotedOrigins.has(spikeOrigin(finding))) {
      return { ...finding, role: "cause" };
    }
    return finding;
  });
}

function isBulkRun(evidence: ScriptEvidence): boolean {
  return (
    evidence.webSource === false &&
    evidence.suspiciousPath === false &&
    evidence.runsAsRoot === false
  );
}

function isLinkedSpike(finding: Finding): boolean {
  return finding.id === "volume-spike" && finding.role === "contributing";
}

/** Returns the account or local program of the lead burst of a `volume-spike`, or null. */
function spikeOrigin(finding: Finding): string | null {
  const account = (finding.evidence as { burstAccount?: unknown }).burstAccount;
  return typeof account === "string" ? account : null;
}
