import type { FindingId } from "../knowledge/categories.js";
import type { Finding } from "./types.js";

/** Causes whose evidence names the envelope senders of their mail (`evidence.senders`). */
const SENDING_CAUSES: ReadonlySet<FindingId> = new Set<FindingId>([
  "web-script",
  "compromised-account",
]);

/**
 * Makes an `info` `unknown-recipients` cause an `observation` of another cause when at least
 * half of its unknown recipients were in mail of that cause's envelope sender. A share below
 * 5 % (`info`) is close to a list's usual churn, and a spam run to harvested addresses hits
 * unknown ones as a side effect, so stopping that cause stops them too. The summary names the
 * cause and its sender.
 */
export function withUnknownRecipientsObservation(findings: readonly Finding[]): Finding[] {
  return findings.map((finding) => {
    if (finding.id !== "unknown-recipients" || finding.role !== "cause") return finding;
    if (finding.severity !== "info") return finding;
    const evidence = finding.evidence as { count?: unknown; senders?: unknown };
    const top = topSender(evidence.senders);
    if (top === null || typeof evidence.count !== "number" || top.unknown * 2 < evidence.count) {
      return finding;
    }
    const cause = findings.find(
      (other) =>
        SENDING_CAUSES.has(other.id) &&
        other.role === "cause" &&
        causeSenders(other).includes(top.sender),
    );
    if (cause === undefined) return finding;
    return {
      ...finding,
      role: "observation",
      summary:
        `${finding.summary} ${top.unknown.toLocaleString("en-US")} of them were in mail from ` +
        `${top.sender}, the sender of the ${cause.id} finding, so they are part of that sending ` +
        "and stop with it.",
    };
  });
}

/** Returns the first entry of `unknown-recipients` evidence `senders`, or null. */
function topSender(senders: unknown): { sender: string; unknown: number } | null {
  if (!Array.isArray(senders)) return null;
  const first: unknown = senders[0];
  if (typeof first !== "object" || first === null) return null;
  const { sender, unknown } = first as { sender?: unknown; unknown?: unknown };
  if (typeof sender !== "string" || typeof unknown !== "number") return null;
  return { sender, unknown };
}

/**
 * Returns the envelope senders of a cause: a `web-script`'s `senders` object, keyed by sender,
 * or a `compromised-account`'s list.
 */
function causeSenders(cause: Finding): string[] {
  const senders = (cause.evidence as { senders?: unknown }).senders;
  if (Array.isArray(senders)) {
    return senders.filter((sender): sender is string => typeof sender === "string");
  }
  if (typeof senders === "object" && senders !== null) return Object.keys(senders);
  return [];
}
