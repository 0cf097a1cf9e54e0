import { BARE_WORDS_MIN } from "../analysis/bare-words.js";
import { MAX_FROZEN } from "../analysis/frozen.js";
import type { FrozenReport } from "../diagnose/frozen.js";
import type {
  BareWordsReport,
  LocalFailureReport,
  UndeliveredReport,
} from "../diagnose/undelivered.js";
import { count, plural, shortTime, wrap } from "./wrap.js";

/**
 * Renders a tally of deferrals and bounces that no receiver decided as a sentence that starts
 * with `label`, followed by its earliest line. Returns no lines when the tally is empty.
 */
export function undeliveredLines(
  label: string,
  report: UndeliveredReport & { readonly bareWords?: BareWordsReport | null },
): string[] {
  const sentences = undeliveredSentences(label, report);
  if (sentences === null) return [];
  const lines = wrap(sentences.counts, "  ");
  if (sentences.first !== null) lines.push(...wrap(sentences.first, "    first ", "          "));
  return lines;
}

/**
 * Returns the sentence with the counts of a tally of deferrals and bounces that no receiver
 * decided, starting with `label`, and the description of its earliest line, or null when the
 * tally is empty.
 */
export function undeliveredSentences(
  label: string,
  report: UndeliveredReport & { readonly bareWords?: BareWordsReport | null },
): { readonly counts: string; readonly first: string | null } | null {
  if (report.deferred === 0 && report.bounced === 0) return null;
  const bare = report.bareWords == null ? "" : ` ${bareWordsSentence(report.bareWords)}`;
  const counts = `${label}: ${count(report.deferred)} deferred, ${count(report.bounced)} bounced.${bare}`;
  const first = report.first;
  if (first === null) return { counts, first: null };
  const transport = first.transport === null ? "" : ` by ${first.transport}`;
  return {
    counts,
    first:
      `${shortTime(first.time)} ${first.status} <${first.recipient}>${transport}: ` +
      `${first.text ?? "no reason logged"} (${first.file}:${first.line})`,
  };
}

/**
 * Explains bounces to a command line's words given as recipients, such as "540 of the bounces
 * went to recipients without @, 3 or more in each of 108 messages, such as This, is, the. …".
 */
function bareWordsSentence(report: BareWordsReport): string {
  const messages =
    report.messages === 1 ? "in 1 message" : `in each of ${count(report.messages)} messages`;
  return (
    `${count(report.bounced)} of the bounces went to recipients without @, ${BARE_WORDS_MIN} or more ${messages}, such as ${report.words.join(", ")}. ` +
    "A command line probably passed a subject or message text as recipients, as mail does with a subject given without -s."
  );
}

/**
 * Returns the heading of the failed deliveries that stayed on this server, named by what their
 * lines show: mailboxes and programs, hosts on a loopback address, or both.
 */
export function localFailuresHeading(report: LocalFailureReport): string {
  const lines = report.deferred + report.bounced;
  if (report.toLoopback === 0) return "Failed local deliveries";
  if (report.toLoopback === lines) return "Failed deliveries to loopback addresses";
  return `Failed local deliveries, ${count(report.toLoopback)} of them to loopback addresses`;
}

/** The heading of the bounces that this server's own rules decided on purpose. */
export const POLICY_REJECTIONS_HEADING = "Rejected on purpose by this server's own rules";

/**
 * Renders the note under a provider's row on the deferrals that the MTA made without trying
 * the provider, with the recipients deferred in all. Returns no lines when there were none.
 */
export function suspendedDeferralLines(suspended: number, deferredRecipients: number): string[] {
  if (suspended === 0) return [];
  return wrap(suspendedDeferralSentence(suspended, deferredRecipients), "    ");
}

/** Returns the note of `suspendedDeferralLines` as one sentence. */
export function suspendedDeferralSentence(suspended: number, deferredRecipients: number): string {
  const verb = suspended === 1 ? "was" : "were";
  return (
    `${count(suspended)} of the deferrals ${verb} made without a connection, because delivery ` +
    `was suspended after an earlier failure. In all, ${plural(deferredRecipients, "recipient was", "recipients were")} deferred.`
  );
}

/**
 * Returns the sentence on the messages frozen in the queue, with the oldest still frozen, or
 * null when the log shows none.
 */
export function frozenSentence(report: FrozenReport): string | null {
  if (report.messages === 0) return null;
  const about = report.messagesExact ? "" : "about ";
  let still = report.stillFrozen === 0 ? "none" : count(report.stillFrozen);
  let untracked = "";
  if (!report.stillFrozenExact) {
    still += " of those followed";
    untracked = ` At most ${count(MAX_FROZEN)} frozen messages are followed at a time, so more may still be frozen.`;
  }
  const counts = `Frozen in the queue: ${about}${plural(report.messages, "message")}, ${still} still frozen at the end of the log.${untracked}`;
  const oldest = report.oldest;
  if (oldest === null) return counts;
  return `${counts} The oldest, ${oldest.id}, has been frozen since ${shortTime(oldest.since)} or earlier (${oldest.file}:${oldest.line}).`;
}

/** Renders `frozenSentence` for a terminal; no lines when the log shows no frozen message. */
export function frozenLines(report: FrozenReport): string[] {
  const sentence = frozenSentence(report);
  return sentence === null ? [] : wrap(sentence, "  ");
}
