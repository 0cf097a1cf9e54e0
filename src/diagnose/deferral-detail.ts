import type { DeferralDetail } from "../analysis/deferral-detail.js";

/** Reply texts that a row's deferral detail lists, most deferrals first. */
export const DEFERRAL_TEXTS_SHOWN = 3;

/** Long-deferred recipients that a row's deferral detail lists, longest delay first. */
export const LONG_DEFERRED_SHOWN = 10;

/**
 * The deferrals of the `other` row or a relay host's row, which no provider rule explains: the
 * top reply texts with their counts, domains and longest delay, and the recipients still
 * deferred after more than a day in the queue. Delays are Postfix's `delay=`, so they are null
 * for Exim and Sendmail logs.
 */
export interface DeferralDetailReport {
  /** At most `DEFERRAL_TEXTS_SHOWN` reply texts, most deferrals first. */
  readonly texts: ReadonlyArray<{
    /** The reply without the `host … said:` and `(in reply to …)` wrapper, cut at 160 characters. */
    readonly text: string;
    readonly count: number;
    /** The first 3 recipient domains of the text. */
    readonly domains: readonly string[];
    /** True when the text had more domains than `domains` lists. */
    readonly moreDomains: boolean;
    readonly maxDelaySeconds: number | null;
  }>;
  /** Deferrals of the row that no entry of `texts` counts. */
  readonly otherDeferrals: number;
  /** Longest `delay=` of any deferral of the row, in seconds. */
  readonly maxDelaySeconds: number | null;
  /**
   * At most `LONG_DEFERRED_SHOWN` recipients deferred after more than a day in the queue and not
   * delivered, bounced or expired later in the log, longest delay first.
   */
  readonly longDeferred: ReadonlyArray<{
    readonly recipient: string;
    /** Messages to the recipient that were deferred that long. */
    readonly messages: number;
    readonly maxDelaySeconds: number;
    /** Time and line of the latest such deferral of any of those messages. */
    readonly last: string;
    readonly file: string;
    readonly line: number;
  }>;
  /** Long-deferred recipients kept in all, of which `longDeferred` lists the first ones. */
  readonly longDeferredCount: number;
  /** False when more were deferred that long than the 20 that a row keeps. */
  readonly longDeferredExact: boolean;
}

/**
 * Builds the report of a row's deferrals, with times formatted by `time`, or returns null when
 * the row has no detail (a named provider's row, or no deferral).
 */
export function deferralDetailReport(
  detail: DeferralDetail | null,
  deferred: number,
  time: (epochMs: number) => string,
): DeferralDetailReport | null {
  if (detail === null) return null;
  const texts = [...detail.texts]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, DEFERRAL_TEXTS_SHOWN)
    .map(([text, entry]) => ({
      text,
      count: entry.count,
      domains: [...entry.domains],
      moreDomains: entry.moreDomains,
      maxDelaySeconds: entry.maxDelaySeconds,
    }));
  const shown = texts.reduce((sum, entry) => sum + entry.count, 0);
  const recipients = longDeferredRecipients(detail, time);
  const longDeferred = recipients.slice(0, LONG_DEFERRED_SHOWN);
  return {
    texts,
    otherDeferrals: Math.max(0, deferred - shown),
    maxDelaySeconds: detail.maxDelaySeconds,
    longDeferred,
    longDeferredCount: recipients.length,
    longDeferredExact: !detail.longDeferredCapped,
  };
}

type LongDeferredRecipient = DeferralDetailReport["longDeferred"][number];

/**
 * Merges the long-deferred message and recipient pairs by recipient, longest delay first, with
 * the latest deferral of each recipient.
 */
function longDeferredRecipients(
  detail: DeferralDetail,
  time: (epochMs: number) => string,
): LongDeferredRecipient[] {
  const merged = new Map<string, { messages: number; maxDelaySeconds: number; last: number }>();
  const lines = new Map<string, { file: string; line: number }>();
  for (const pair of detail.longDeferred.values()) {
    const entry = merged.get(pair.recipient);
    if (entry === undefined || pair.lastTime >= entry.last) {
      lines.set(pair.recipient, { file: pair.lastPosition.file, line: pair.lastPosition.line });
    }
    if (entry === undefined) {
      merged.set(pair.recipient, {
        messages: 1,
        maxDelaySeconds: pair.maxDelaySeconds,
        last: pair.lastTime,
      });
      continue;
    }
    entry.messages += 1;
    entry.maxDelaySeconds = Math.max(entry.maxDelaySeconds, pair.maxDelaySeconds);
    entry.last = Math.max(entry.last, pair.lastTime);
  }
  return [...merged]
    .sort((a, b) => b[1].maxDelaySeconds - a[1].maxDelaySeconds)
    .map(([recipient, entry]) => ({
      recipient,
      messages: entry.messages,
      maxDelaySeconds: entry.maxDelaySeconds,
      last: time(entry.last),
      file: lines.get(recipient)?.file ?? "",
      line: lines.get(recipient)?.line ?? 0,
    }));
}
