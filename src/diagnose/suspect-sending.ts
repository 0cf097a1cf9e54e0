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
  /**
   * True when `time` ends the sender's mail at burst level (see `volume-spike`'s
   * `burstSenderAboveUsualUntil`) rather than its latest message.
   */
  readonly aboveUsual: boolean;
  /** The sender's latest message (epoch ms) when it came after `time`, else null. */
  readonly laterMessage: number | null;
  /** The later mail of a burst's sender that set `time` (see `LateSending`), else null. */
  readonly lateSending: LateSending | null;
}

/**
 * The later mail of a burst's sender that moved the end of its sending, from the volume-spike
 * evidence: its latest hour at a high rate, and its latest message that got a block reply.
 */
export interface LateSending {
  /** The latest hour of the sender at a high rate (see `burstSenderLastHighHour`), or null. */
  readonly highHour: {
    /** Start of the hour (epoch ms). */
    readonly start: number;
    readonly recipients: number;
    readonly usualRecipients: number;
  } | null;
  /** Its latest message after the burst that got a block reply (epoch ms), or null. */
  readonly blockedMessage: number | null;
}

/**
 * Collects when each suspect sending of `findings` ended. An abusive account, web script,
 * SMTP bypass or forwarding dates its own sending. The unknown-recipients finding and a volume
 * spike name an envelope sender instead. The unknown-recipients sender ends with its latest
 * outbound message. A burst's sender ends with its latest hour at burst level, far above its
 * usual rate, because an ordinary user goes on sending at that rate after the burst. When two findings name one
 * sender, the later end counts. A sender of an account or script that a finding dates is left
 * to that date, because a stolen account's owner goes on sending ordinary mail after the abuse.
 */
export function suspectSendingEnds(findings: readonly Finding[]): SendingEnd[] {
  const ends: SendingEnd[] = [];
  const covered = new Set(findings.flatMap(datedSenders));
  const senders = new Map<string, NamedSender & { findings: FindingId[] }>();
  for (const finding of findings) {
    const dated = datedEnd(finding);
    if (dated !== null) {
      ends.push({
        time: dated,
        sender: null,
        findings: [finding.id],
        aboveUsual: false,
        laterMessage: null,
        lateSending: null,
      });
    }
    for (const named of namedSenders(finding)) {
      if (covered.has(named.sender)) continue;
      const known = senders.get(named.sender);
      if (known === undefined) {
        senders.set(named.sender, { ...named, findings: [finding.id] });
        continue;
      }
      if (!known.findings.includes(finding.id)) known.findings.push(finding.id);
      if (named.time > known.time)
        senders.set(named.sender, { ...named, findings: known.findings });
    }
  }
  for (const entry of senders.values()) {
    const laterMessage =
      entry.lastMessage !== null && entry.lastMessage > entry.time ? entry.lastMessage : null;
    ends.push({
      time: entry.time,
      sender: entry.sender,
      findings: entry.findings,
      aboveUsual: entry.aboveUsual,
      laterMessage,
      lateSending: entry.lateSending,
    });
  }
  return ends;
}

/** An envelope sender that a finding names, with the end of its suspect sending (epoch ms). */
interface NamedSender {
  readonly sender: string;
  readonly time: number;
  /** True when `time` is the end of its mail at burst level. */
  readonly aboveUsual: boolean;
  /** Its latest outbound message, or null when the finding gives none. */
  readonly lastMessage: number | null;
  /** The later mail that set `time`, or null when the finding gives none. */
  readonly lateSending: LateSending | null;
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
function namedSenders(finding: Finding): NamedSender[] {
  if (finding.id === "unknown-recipients") {
    const evidence = finding.evidence as {
      senders?: ReadonlyArray<{ sender: string | null; lastMessage?: string | null }>;
    };
    for (const entry of evidence.senders ?? []) {
      const named = datedSender(entry.sender, entry.lastMessage, null);
      if (named !== null) return [{ ...named, lateSending: null }];
    }
    return [];
  }
  if (finding.id === "volume-spike") {
    const evidence = finding.evidence as BurstSenderEvidence & {
      bursts?: readonly BurstSenderEvidence[];
    };
    // A daily burst or a ramp has no bursts list, and names no sender.
    const bursts = evidence.bursts ?? [evidence];
    return bursts.flatMap((burst) => {
      const named = datedSender(
        burst.burstSender,
        burst.burstSenderLastMessage,
        burst.burstSenderAboveUsualUntil ?? null,
      );
      return named === null ? [] : [{ ...named, lateSending: lateSendingOf(burst) }];
    });
  }
  return [];
}

/** The sender fields of a volume-spike burst. */
interface BurstSenderEvidence {
  readonly burstSender?: string | null;
  readonly burstSenderLastMessage?: string | null;
  readonly burstSenderAboveUsualUntil?: string | null;
  readonly burstSenderLastHighHour?: {
    readonly start: string;
    readonly recipients: number;
    readonly usualRecipients: number;
  } | null;
  readonly burstSenderLastBlockedMessage?: string | null;
}

/** Reads the later mail that set a burst sender's end, or null when the burst gives none. */
function lateSendingOf(burst: BurstSenderEvidence): LateSending | null {
  const hour = burst.burstSenderLastHighHour ?? null;
  const hourStart = hour === null ? NaN : Date.parse(hour.start);
  const blocked = Date.parse(burst.burstSenderLastBlockedMessage ?? "");
  const highHour =
    hour === null || Number.isNaN(hourStart)
      ? null
      : { start: hourStart, recipients: hour.recipients, usualRecipients: hour.usualRecipients };
  const blockedMessage = Number.isNaN(blocked) ? null : blocked;
  if (highHour === null && blockedMessage === null) return null;
  return { highHour, blockedMessage };
}

/**
 * Returns the sender with the end of its suspect sending: `aboveUsualUntil` when the finding
 * gives it, else `lastMessage`. Returns null for the null sender `<>` or without a valid time.
 */
function datedSender(
  sender: string | null | undefined,
  lastMessage: string | null | undefined,
  aboveUsualUntil: string | null,
): Omit<NamedSender, "lateSending"> | null {
  if (sender === null || sender === undefined || sender === "<>") return null;
  const last = lastMessage === null || lastMessage === undefined ? NaN : Date.parse(lastMessage);
  const above = aboveUsualUntil === null ? NaN : Date.parse(aboveUsualUntil);
  const lastOrNull = Number.isNaN(last) ? null : last;
  if (!Number.isNaN(above)) {
    return { sender, time: above, aboveUsual: true, lastMessage: lastOrNull };
  }
  if (lastOrNull === null) return null;
  return { sender, time: lastOrNull, aboveUsual: false, lastMessage: lastOrNull };
}
