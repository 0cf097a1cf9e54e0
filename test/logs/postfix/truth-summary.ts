import type { DeliveryEvent, LogEvent, SessionReplyEvent } from "../../../src/logs/events.js";
import { detectProvider, type ProviderId } from "../../../src/knowledge/providers.js";

/** Provider groups of the scenario truth files. */
export type ProviderGroup = "google" | "microsoft" | "yahoo" | "apple" | "other";

/** Outbound counts of one provider group, named as in the truth files. */
export interface GroupCounts {
  sent: number;
  deferred: number;
  bounced: number;
  expired: number;
  deferred_recipients: number;
}

/** What the truth files count, derived from parser events. */
export interface EventSummary {
  outbound: Record<ProviderGroup, GroupCounts>;
  /** Non-2xx outbound delivery events by group and `<reply code> <enhanced code>`. */
  non2xx: Record<string, Record<string, number>>;
  messagesReceivedInbound: number;
  messagesSubmittedOutbound: number;
  inboundSmtpRejects: number;
  localDeliveries: number;
}

const GROUPS: Record<ProviderId, ProviderGroup> = {
  gmail: "google",
  "google-workspace": "google",
  outlook: "microsoft",
  "exchange-online": "microsoft",
  yahoo: "yahoo",
  icloud: "apple",
  comcast: "other",
  gmx: "other",
  mailru: "other",
  yandex: "other",
  orange: "other",
  mailchannels: "other",
  "t-online": "other",
  swisscom: "other",
  "relay-host": "other",
  other: "other",
};

/** Returns the truth-file provider group of a relay host and recipient. */
export function groupOf(relayHost: string | null, recipient: string | null): ProviderGroup {
  return GROUPS[detectProvider(relayHost, recipient)];
}

// `421-4.7.28 …`, `550 5.1.1 …`, `554 delivery error: …` after `said: ` or `talk to me: `.
const REPLY = /^(\d{3})(?:[ -](\d\.\d{1,3}\.\d{1,3})\b)?/;

/**
 * Returns `<reply code> <enhanced code>` of a remote reply inside a Postfix reason text;
 * the DSN fills in when the reply has no enhanced code (Yahoo's `554 delivery error`).
 * A small stand-in for the reply parser, enough for the scenario tables.
 */
export function replyKey(response: string | null, dsn: string | null): string | null {
  if (response === null) return null;
  const said = response.indexOf(" said: ");
  const refused = response.indexOf(" refused to talk to me: ");
  const start = said >= 0 ? said + 7 : refused >= 0 ? refused + 24 : -1;
  if (start < 0) return null;
  const match = REPLY.exec(response.slice(start));
  if (match === null) return null;
  const enhanced = match[2] ?? dsn;
  return enhanced === null ? (match[1] ?? null) : `${match[1] ?? ""} ${enhanced}`;
}

/** Counts outbound results, messages, rejects and local deliveries as the truth files do. */
export function summarise(events: readonly LogEvent[]): EventSummary {
  const summary: EventSummary = {
    outbound: {
      google: emptyCounts(),
      microsoft: emptyCounts(),
      yahoo: emptyCounts(),
      apple: emptyCounts(),
      other: emptyCounts(),
    },
    non2xx: {},
    messagesReceivedInbound: 0,
    messagesSubmittedOutbound: 0,
    inboundSmtpRejects: 0,
    localDeliveries: 0,
  };
  const deferredPairs = new Set<string>();
  for (const event of events) {
    if (event.type === "delivery") countDelivery(summary, event, deferredPairs);
    else if (event.type === "reject") summary.inboundSmtpRejects += 1;
    else if (event.type === "message") {
      const service = event.message.service;
      if (service === "smtpd") summary.messagesReceivedInbound += 1;
      if (service === "submission/smtpd" || service === "pickup") {
        summary.messagesSubmittedOutbound += 1;
      }
    }
  }
  return summary;
}

function countDelivery(summary: EventSummary, event: DeliveryEvent, pairs: Set<string>): void {
  if (!event.remote) {
    if (event.status === "sent") summary.localDeliveries += 1;
    return;
  }
  const group = groupOf(event.relayHost, event.recipient);
  const counts = summary.outbound[group];
  if (event.status === "sent") counts.sent += 1;
  if (event.status === "bounced") counts.bounced += 1;
  if (event.status === "expired") counts.expired += 1;
  if (event.status === "deferred") {
    counts.deferred += 1;
    const pair = `${event.message.host} ${event.message.id} ${event.recipient}`;
    if (!pairs.has(pair)) counts.deferred_recipients += 1;
    pairs.add(pair);
  }
  if (event.status === "deferred" || event.status === "bounced") {
    const key = replyKey(event.response, event.dsn) ?? "none";
    const table = (summary.non2xx[group] ??= {});
    table[key] = (table[key] ?? 0) + 1;
  }
}

function emptyCounts(): GroupCounts {
  return { sent: 0, deferred: 0, bounced: 0, expired: 0, deferred_recipients: 0 };
}

/** A Google reply that blocks the sender, as the truth files define the first block. */
export interface GoogleBlock {
  readonly line: number;
  readonly replyKey: string;
  readonly recipientLevel: boolean;
}

// Recipient-side replies that say nothing about the sender: unknown user, over quota,
// per-recipient rate.
const NOT_BLOCKS = new Set(["5.1.1", "4.2.2", "5.2.2", "4.2.1"]);

/** Returns the first Google block among delivery and session-reply events, or null. */
export function firstGoogleBlock(events: readonly LogEvent[]): GoogleBlock | null {
  for (const event of events) {
    const reply = replyOf(event);
    if (reply === null) continue;
    const key = replyKey(reply.response, reply.dsn);
    const enhanced = key?.split(" ")[1];
    if (key === null || enhanced === undefined || NOT_BLOCKS.has(enhanced)) continue;
    if (groupOf(reply.relayHost, reply.recipient) !== "google") continue;
    return { line: event.position.line, replyKey: key, recipientLevel: reply.recipient !== null };
  }
  return null;
}

interface Reply {
  response: string | null;
  dsn: string | null;
  relayHost: string | null;
  recipient: string | null;
}

function replyOf(event: LogEvent): Reply | null {
  if (event.type === "delivery" && event.remote && event.status !== "sent") {
    return { ...event, recipient: event.recipient };
  }
  if (event.type === "session-reply") return sessionReply(event);
  return null;
}

function sessionReply(event: SessionReplyEvent): Reply {
  return { response: event.response, dsn: null, relayHost: event.relayHost, recipient: null };
}
