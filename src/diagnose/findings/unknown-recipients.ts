import { PROVIDER_NAMES } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { lastMessageOf, senderEntry, senderText } from "./sender-names.js";

/**
 * Unknown-recipient bounces become a finding at this share of attempted recipients and this
 * count. Every list has a few dead addresses, and a busy server sees one or two percent of
 * them; a share of five percent or more points to an old, bought or harvested list.
 */
export const UNKNOWN_RATE = 0.05;
export const UNKNOWN_MIN = 20;
/** A sender is named when at least this share of its recipients, and this many, bounced. */
const SENDER_RATE = 0.05;
const SENDER_MIN = 5;

/** `unknown-recipients`: too much mail goes to addresses that do not exist. */
export function detectUnknownRecipients(context: DiagnoseContext): Finding | null {
  const unknown = context.facts.unknownRecipients;
  const rate = unknown.attempted > 0 ? unknown.count / unknown.attempted : 0;
  // Bounce messages report failures only, so without logs there is no rate: a count of
  // unknown recipients from bounces alone is enough.
  if (unknown.count < UNKNOWN_MIN) return null;
  if (rate < UNKNOWN_RATE && unknown.fromBounces < UNKNOWN_MIN) return null;

  const ranked = [...unknown.bySender]
    .filter(([, counts]) => counts.unknown > 0)
    .map(([sender, counts]) => ({
      sender,
      unknown: counts.unknown,
      recipients: counts.attempted,
      rate: counts.attempted > 0 ? round(counts.unknown / counts.attempted) : null,
    }))
    .filter((entry) => entry.unknown >= SENDER_MIN)
    .filter((entry) => entry.rate === null || entry.rate >= SENDER_RATE)
    .sort((a, b) => b.unknown - a.unknown)
    .slice(0, 5);
  const senders = ranked.map(({ sender, ...counts }) => ({
    ...senderEntry(sender),
    ...counts,
    lastMessage: lastMessageOf(context, sender),
  }));
  const byProvider = Object.fromEntries([...unknown.byProvider].sort((a, b) => b[1] - a[1]));
  // The summary and the fix name the worst sender that the log shows, because a fix cannot
  // name the sender of messages queued before the log starts.
  const worst = worstKnownSender(ranked);

  return finding("unknown-recipients", {
    severity: rate >= 0.1 ? "critical" : "warning",
    role: "cause",
    title: `${plural(unknown.count, "recipient")} did not exist (${Math.round(rate * 100)} % of those attempted)`,
    summary:
      `Receivers answered "no such user" for ${Math.round(rate * 1000) / 10} % of outbound recipients` +
      (worst !== null ? `; ${worst.sender} sent ${worst.unknown} of them.` : "."),
    evidence: {
      count: unknown.count,
      fromBounces: unknown.fromBounces,
      attempted: unknown.attempted,
      rate: round(rate),
      byProvider,
      providerNames: Object.keys(byProvider).map(
        (id) => PROVIDER_NAMES[id as keyof typeof PROVIDER_NAMES] ?? id,
      ),
      codes: Object.fromEntries([...unknown.codes].sort((a, b) => b[1] - a[1])),
      senders,
      first: unknown.first === null ? null : context.reply(unknown.first),
    },
    samples:
      unknown.first === null
        ? []
        : [
            context.sample(
              unknown.first.time,
              unknown.first.position,
              `${unknown.first.recipient ?? ""}: ${unknown.first.replyCode ?? ""} ${unknown.first.text}`,
            ),
          ],
    fix: [
      worst !== null
        ? `Stop the mailing of ${worst.sender} and find where its list came from; never send to bought or scraped lists.`
        : "Find which sender mails the unknown addresses, and stop it.",
      'Remove every address that bounced with 5.1.1 (or "no such user") from your lists at once, and on every future hard bounce.',
      "Use confirmed opt-in for new subscribers, and remove addresses that have not engaged for months.",
    ],
    references: [REFERENCES.gmailGuidelines],
  });
}

/** Returns the sender with the most unknown recipients among those the log shows, or null. */
function worstKnownSender(
  ranked: ReadonlyArray<{ readonly sender: string | null; readonly unknown: number }>,
): { sender: string; unknown: number } | null {
  for (const entry of ranked) {
    if (entry.sender !== null) return { sender: senderText(entry.sender), unknown: entry.unknown };
  }
  return null;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
