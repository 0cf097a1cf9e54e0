import type { FindingId } from "../knowledge/categories.js";
import { quietPeriod } from "./cause-stopped.js";
import type { Finding } from "./types.js";

/**
 * Findings of abuse sent from this server, each with the evidence field that contains the
 * time the abusive sending began.
 */
const ABUSE_START_FIELDS: ReadonlyArray<readonly [FindingId, string]> = [
  ["compromised-account", "abuseStart"],
  ["web-script", "start"],
  ["smtp-bypass", "start"],
];

/**
 * Findings of too much or too fast legitimate sending, each with the evidence field that
 * contains the time that sending began. A listing after them is their consequence too, but
 * the summary does not call their mail abusive.
 */
const VOLUME_START_FIELDS: ReadonlyArray<readonly [FindingId, string]> = [
  ["new-ip", "firstSeen"],
  ["volume-spike", "start"],
];

/**
 * Makes an `ip-blocklisted` cause a `consequence` when the listing began after the abusive
 * sending of another cause (a compromised account, a web script, malware that bypasses the
 * MTA). A receiver or block list lists an IP for the spam it receives from that IP, so a
 * listing that starts after the abuse follows from it, and stopping the abuse comes first.
 * The summary names the abuse and the time between the two. Without such a cause, the sending
 * of a `new-ip` or `volume-spike` cause that began before the listing takes its place, with
 * the advice to slow it down.
 *
 * The role stays `cause` when the finding also contains replies that no removal request lifts
 * (`unliftableSince`), such as a rejection of a dynamic range, because those do not follow
 * from the abuse.
 */
export function markListingConsequence(findings: readonly Finding[]): Finding[] {
  return findings.map((finding) => {
    if (finding.id !== "ip-blocklisted" || finding.role !== "cause") return finding;
    const evidence = finding.evidence as { listedSince?: unknown; unliftableSince?: unknown };
    if (typeof evidence.listedSince !== "string" || evidence.unliftableSince !== null) {
      return finding;
    }
    const listedAt = Date.parse(evidence.listedSince);
    const abuse = earliestCauseBefore(findings, listedAt, ABUSE_START_FIELDS);
    const volume = earliestCauseBefore(findings, listedAt, VOLUME_START_FIELDS);
    const cause = abuse ?? volume;
    if (cause === null) return finding;
    const after = quietPeriod(listedAt - cause.start);
    const sending = abuse === null ? "sending" : "abusive sending";
    const action = abuse === null ? "slow that down first" : "stop that first";
    return {
      ...finding,
      role: "consequence",
      summary: `${finding.summary} The listing began ${after} after the ${sending} of the ${cause.id} finding (${cause.time}), so it most likely follows from it: ${action}.`,
    };
  });
}

/**
 * Returns the earliest cause of the findings in `fields` that began before `time`, or null
 * when none did.
 */
function earliestCauseBefore(
  findings: readonly Finding[],
  time: number,
  fields: ReadonlyArray<readonly [FindingId, string]>,
): { id: FindingId; start: number; time: string } | null {
  let earliest: { id: FindingId; start: number; time: string } | null = null;
  for (const finding of findings) {
    if (finding.role !== "cause" || finding.severity === "info") continue;
    const field = fields.find(([id]) => id === finding.id)?.[1];
    if (field === undefined) continue;
    const value = (finding.evidence as Record<string, unknown>)[field];
    if (typeof value !== "string") continue;
    const start = Date.parse(value);
    if (Number.isNaN(start) || start >= time) continue;
    if (earliest === null || start < earliest.start) {
      earliest = { id: finding.id, start, time: value };
    }
  }
  return earliest;
}
