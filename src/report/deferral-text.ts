import type { DeferralDetailReport } from "../diagnose/deferral-detail.js";
import type { Diagnosis } from "../diagnose/types.js";
import { count, plural } from "./wrap.js";

/**
 * The sentences on a row's deferrals that the text and Markdown reports share: one per reply
 * text, one for the deferrals with other texts, and the list of recipients deferred for more
 * than a day.
 */
export interface DeferralSentences {
  readonly heading: string;
  readonly texts: readonly string[];
  readonly longDeferred: LongDeferredList | null;
}

/** The recipients deferred for more than a day, one item each, under a heading. */
export interface LongDeferredList {
  readonly heading: string;
  readonly recipients: readonly string[];
}

/** Greylisting replies, which name the practice in their text ("Greylisted", "greylisting"). */
const GREYLISTING = /\bgr[ae]y-?list/i;

/**
 * Returns the sentences of `report`, or null when it is null or lists no text. During a block,
 * rate limit or outage (`incident`), greylisting replies are counted on one line and not quoted,
 * because they are routine and would push the block's lines off the first screen. A row with
 * nothing else to list gets no lines. The JSON report keeps every text.
 */
export function deferralSentences(
  report: DeferralDetailReport | null,
  incident = false,
): DeferralSentences | null {
  if (report === null || report.texts.length === 0) return null;
  const longest =
    report.maxDelaySeconds === null
      ? ""
      : `, the longest after ${duration(report.maxDelaySeconds)}`;
  const hidden = incident ? report.texts.filter((entry) => GREYLISTING.test(entry.text)) : [];
  const quoted = report.texts.filter((entry) => !hidden.includes(entry));
  if (quoted.length === 0 && report.otherDeferrals === 0 && report.longDeferred.length === 0) {
    return null;
  }
  const texts = quoted.map((entry) => {
    const domains = entry.domains.join(", ") + (entry.moreDomains ? " and more" : "");
    const delay =
      entry.maxDelaySeconds === null ? "" : `, up to ${duration(entry.maxDelaySeconds)}`;
    const where = domains === "" && delay === "" ? "" : ` (${domains}${delay})`;
    return `${count(entry.count)}× ${entry.text}${where}`;
  });
  const greylisted = hidden.reduce((total, entry) => total + entry.count, 0);
  if (greylisted > 0) texts.push(`${plural(greylisted, "greylisting deferral")}, texts not shown`);
  if (report.otherDeferrals > 0) {
    texts.push(`${plural(report.otherDeferrals, "deferral")} with other texts`);
  }
  return {
    heading: `Deferral replies${longest} in the queue:`,
    texts,
    longDeferred: longDeferredList(report),
  };
}

function longDeferredList(report: DeferralDetailReport): LongDeferredList | null {
  if (report.longDeferred.length === 0) return null;
  const recipients = report.longDeferred.map((entry) => {
    const messages = entry.messages > 1 ? `, ${count(entry.messages)} messages` : "";
    return `${entry.recipient} (${duration(entry.maxDelaySeconds)}${messages})`;
  });
  const more = report.longDeferredCount - report.longDeferred.length;
  if (more > 0) recipients.push(`${count(more)} more`);
  if (!report.longDeferredExact) recipients.push("perhaps others, past the 20 kept");
  return { heading: "Still deferred after more than a day in the queue:", recipients };
}

/**
 * Formats seconds in the queue as `45s`, `12min` or `33.9h`, without a space, so that a wrapped
 * line never puts the unit apart from its number.
 */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** True when the verdict is a block, an outage or a rate limit. */
export function isIncident(diagnosis: Diagnosis): boolean {
  const status = diagnosis.verdict.status;
  return status === "blocked" || status === "unreachable" || status === "rate-limited";
}
