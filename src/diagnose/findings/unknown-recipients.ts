import { PROVIDER_NAMES } from "../../knowledge/providers.js";
import type { ReplyOccurrence } from "../../analysis/replies.js";
import type { DiagnoseContext } from "../context.js";
import type { Severity } from "../../knowledge/categories.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";
import { lastMessageOf, senderEntry, senderText } from "./sender-names.js";

/**
 * Unknown-recipient bounces become a finding at this share of attempted recipients and this
 * count. Mailbox providers read a few percent of unknown recipients as a sign of poor list
 * hygiene, so 2 % is worth an `info` finding. Five percent or more points to an old, bought
 * or harvested list and makes a warning, and ten percent makes it critical (`assignRoles`
 * lowers that to a warning when the finding explains no provider's block).
 */
export const UNKNOWN_RATE = 0.02;
export const UNKNOWN_MIN = 10;
const WARNING_RATE = 0.05;
const CRITICAL_RATE = 0.1;
/**
 * Bounce messages report failures only, so without logs there is no rate: this many unknown
 * recipients from bounces alone make a warning.
 */
const BOUNCES_MIN = 20;
/**
 * A sender is named when this many of its recipients bounced as unknown, whatever its share,
 * so that a low overall rate still names the senders behind it.
 */
const SENDER_MIN = 5;

/** `unknown-recipients`: too much mail goes to addresses that do not exist. */
export function detectUnknownRecipients(context: DiagnoseContext): Finding | null {
  const unknown = context.facts.unknownRecipients;
  const rate = unknown.attempted > 0 ? unknown.count / unknown.attempted : 0;
  const fromBounces = unknown.fromBounces >= BOUNCES_MIN;
  if (unknown.count < UNKNOWN_MIN) return null;
  if (rate < UNKNOWN_RATE && !fromBounces) return null;

  const ranked = [...unknown.bySender]
    .filter(([, counts]) => counts.unknown > 0)
    .map(([sender, counts]) => ({
      sender,
      unknown: counts.unknown,
      recipients: counts.attempted,
      rate: counts.attempted > 0 ? round(counts.unknown / counts.attempted) : null,
      first: counts.first,
    }))
    .filter((entry) => entry.unknown >= SENDER_MIN)
    .sort((a, b) => b.unknown - a.unknown)
    .slice(0, 5);
  const senders = ranked.map(({ sender, first, ...counts }) => ({
    ...senderEntry(sender),
    ...counts,
    lastMessage: lastMessageOf(context, sender),
    first: first === null ? null : context.reply(first),
  }));
  const byProvider = Object.fromEntries([...unknown.byProvider].sort((a, b) => b[1] - a[1]));
  // The summary and the fix name the worst sender that the log shows, because a fix cannot
  // name the sender of messages queued before the log starts.
  const worst = worstKnownSender(ranked);
  // The worst sender's own first reply shows its mailing, where the first of all can be an
  // ordinary bounce from a day before.
  const sample = worst?.first ?? unknown.first;

  const severity = unknownSeverity(rate, fromBounces);
  return finding("unknown-recipients", {
    severity,
    role: "cause",
    title: unknownTitle(unknown.count, rate, worst),
    summary: unknownSummary(rate, worst),
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
      sample === null
        ? []
        : [
            context.sample(
              sample.time,
              sample.position,
              `${sample.recipient ?? ""}: ${sample.replyCode ?? ""} ${sample.text}`,
            ),
          ],
    fix: [
      firstFixStep(severity, worst),
      'Remove every address that bounced with 5.1.1 (or "no such user") from your lists at once, and on every future hard bounce.',
      "Use confirmed opt-in for new subscribers, and remove addresses that have not engaged for months.",
    ],
    references: [REFERENCES.gmailGuidelines],
  });
}

/**
 * Returns the first fix step. An `info` share (2 % up to 5 %) is close to the churn of a
 * mailing list, so the step is list hygiene. From 5 % the list itself is suspect, so the step
 * stops the mailing.
 */
function firstFixStep(severity: Severity, worst: WorstSender | null): string {
  if (severity === "info") {
    return worst !== null
      ? `Clean the list of ${worst.sender}: find where its unknown addresses came from, and check that it removes every address that bounces as unknown.`
      : "Find which sender mails the unknown addresses, and clean its list: check that it removes every address that bounces as unknown.";
  }
  return worst !== null
    ? `Stop the mailing of ${worst.sender} and find where its list came from; never send to bought or scraped lists.`
    : "Find which sender mails the unknown addresses, and stop it.";
}

/**
 * Returns the finding's severity: `info` for a share from 2 % up to 5 % that only the log's
 * rate shows, `warning` from 5 % or for a count from bounce messages, `critical` from 10 %.
 */
function unknownSeverity(rate: number, fromBounces: boolean): Severity {
  if (rate >= CRITICAL_RATE) return "critical";
  if (rate >= WARNING_RATE || fromBounces) return "warning";
  return "info";
}

/** The sender with the most unknown recipients among those the log shows. */
interface WorstSender {
  readonly sender: string;
  readonly unknown: number;
  readonly recipients: number;
  /** `unknown` divided by `recipients`, or null when no recipient of it was attempted. */
  readonly rate: number | null;
  readonly first: ReplyOccurrence | null;
}

/** Returns the sender with the most unknown recipients among those the log shows, or null. */
function worstKnownSender(
  ranked: ReadonlyArray<Omit<WorstSender, "sender"> & { readonly sender: string | null }>,
): WorstSender | null {
  for (const entry of ranked) {
    if (entry.sender !== null) return { ...entry, sender: senderText(entry.sender) };
  }
  return null;
}

/**
 * True when the worst sender had at least half of the unknown recipients, so that its own share
 * of unknown recipients, not the share of all outbound mail, measures the list at fault.
 */
function leads(count: number, worst: WorstSender | null): worst is WorstSender & { rate: number } {
  return worst !== null && worst.rate !== null && worst.unknown * 2 >= count;
}

/**
 * Returns the title: "352 recipients did not exist, 343 of them in mail from … (27 % of its
 * recipients)" when one sender leads (see `leads`), else the share of all attempted recipients.
 */
function unknownTitle(count: number, rate: number, worst: WorstSender | null): string {
  const recipients = `${plural(count, "recipient")} did not exist`;
  if (!leads(count, worst)) return `${recipients} (${percent(rate)} % of those attempted)`;
  return `${recipients}, ${worst.unknown.toLocaleString("en-US")} of them in mail from ${worst.sender} (${percent(worst.rate)} % of its recipients)`;
}

/** Returns the summary: the share of all outbound recipients, then the worst sender's share. */
function unknownSummary(rate: number, worst: WorstSender | null): string {
  const all = `Receivers answered "no such user" for ${percent(rate)} % of all outbound recipients`;
  if (worst === null) return `${all}.`;
  if (worst.rate === null) return `${all}; ${worst.sender} sent ${worst.unknown} of them.`;
  const share = `${percent(worst.rate)} % of the ${worst.recipients.toLocaleString("en-US")} it mailed`;
  return `${all}. ${worst.unknown.toLocaleString("en-US")} of them were recipients of ${worst.sender}, ${share}.`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Formats a share as a percentage with at most one decimal, which the title and summary share. */
function percent(share: number): string {
  return String(Math.round(share * 1000) / 10);
}
