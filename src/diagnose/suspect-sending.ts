import { HOUR_MS } from "../analysis/time.js";
import type { FindingId } from "../knowledge/categories.js";
import type { Finding } from "./types.js";

/** An abuse or burst that ended this long before the end of the log counts as stopped. */
export const STOPPED_AFTER_MS = 2 * HOUR_MS;

/** The latest mail of a suspect sending, and the envelope sender it went out as, when named. */
export interface SendingEnd {
  /** The latest suspect submission (epoch ms). */
  readonly time: number;
  /**
   * The envelope sender whose latest outbound message this is, or null for an account, script
   * or connection whose sending the finding dates itself.
   */
  readonly sender: string | null;
  /** The findings that name the sender, or the one finding that dates the sending. */
  readonly findings: readonly FindingId[];
}

/**
 * Collects when each suspect sending of `findings` ended. An abusive account, web script,
 * SMTP bypass or forwarding dates its own sending. The unknown-recipients finding and a volume spike name an
 * envelope sender instead, and the end of its sending is its latest outbound message, which
 * can come after the burst. A sender of an account or script that a finding dates is left to
 * that date, because a stolen account's owner goes on sending ordinary mail after the abuse.
 */
export function suspectSendingEnds(findings: readonly Finding[]): SendingEnd[] {
  const ends: SendingEnd[] = [];
  const covered = new Set(findings.flatMap(datedSenders));
  const senders = new Map<string, { time: number; findings: FindingId[] }>();
  for (const finding of findings) {
    const dated = datedEnd(finding);
    if (dated !== null) ends.push({ time: dated, sender: null, findings: [finding.id] });
    for (const named of namedSenders(finding)) {
      if (covered.has(named.sender)) continue;
      const known = senders.get(named.sender);
      if (known === undefined)
        senders.set(named.sender, { time: named.time, findings: [finding.id] });
      else if (!known.findings.includes(finding.id)) known.findings.push(finding.id);
    }
  }
  for (const [sender, entry] of senders) ends.push({ sender, ...entry });
  return ends;
}

/** Returns the envelope senders of an abusive account or web script that `datedEnd` dates. */
function datedSenders(finding: Finding): string[] {
  if (datedEnd(finding) === null) return [];
  const evidence = finding.evidence as { senders?: unknown };
  const { senders } = evidence;
  if (Array.isArray(senders)) return senders.filter((sender) => typeof sender === "string");
  if (typeof senders === "object" && senders !== null) return Object.keys(senders);
  return [];
}

/**
 * Returns when an abusive account, web script or SMTP bypass last sent, or when the latest
 * message that a forwarding cause forwarded entered the queue, or null.
 */
function datedEnd(finding: Finding): number | null {
  const evidence = finding.evidence as { abuseEnd?: string; end?: string; lastMessage?: unknown };
  if (finding.id === "compromised-account" && evidence.abuseEnd !== undefined)
    return Date.parse(evidence.abuseEnd);
  if (finding.id === "web-script" && evidence.end !== undefined) return Date.parse(evidence.end);
  const bypassCause = finding.id === "smtp-bypass" && finding.role === "cause";
  if (bypassCause && typeof evidence.end === "string") return Date.parse(evidence.end);
  const forwardingCause = finding.id === "forwarding" && finding.role === "cause";
  if (forwardingCause && typeof evidence.lastMessage === "string") {
    return Date.parse(evidence.lastMessage);
  }
  return null;
}

/**
 * Returns the envelope senders that the unknown-recipients finding (its worst sender with a
 * dated message) or a volume spike (the sender of most of each burst) names, with their latest
 * outbound message. The null sender `<>` of bounces is no sending to stop.
 */
function namedSenders(finding: Finding): Array<{ sender: string; time: number }> {
  if (finding.id === "unknown-recipients") {
    const evidence = finding.evidence as {
      senders?: ReadonlyArray<{ sender: string | null; lastMessage?: string | null }>;
    };
    for (const entry of evidence.senders ?? []) {
      const named = datedSender(entry.sender, entry.lastMessage);
      if (named !== null) return [named];
    }
    return [];
  }
  if (finding.id === "volume-spike") {
    const evidence = finding.evidence as BurstSenderEvidence & {
      bursts?: readonly BurstSenderEvidence[];
    };
    // A daily burst or a ramp has no bursts list, and names no sender.
    const bursts = evidence.bursts ?? [evidence];
    return bursts
      .map((burst) => datedSender(burst.burstSender, burst.burstSenderLastMessage))
      .filter((named) => named !== null);
  }
  return [];
}

/** The sender fields of a volume-spike burst. */
interface BurstSenderEvidence {
  readonly burstSender?: string | null;
  readonly burstSenderLastMessage?: string | null;
}

function datedSender(
  sender: string | null | undefined,
  lastMessage: string | null | undefined,
): { sender: string; time: number } | null {
  if (sender === null || sender === undefined || sender === "<>") return null;
  if (lastMessage === null || lastMessage === undefined) return null;
  const time = Date.parse(lastMessage);
  return Number.isNaN(time) ? null : { sender, time };
}
