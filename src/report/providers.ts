/** Provider rows shared by the text and Markdown reports. */
import { blockKinds } from "../diagnose/block-kinds.js";
import type {
  Diagnosis,
  ProviderStatus,
  ProviderVerdict,
  ReplyEvidence,
} from "../diagnose/types.js";
import {
  acceptsAgainTooEarly,
  acceptsAgainTooFew,
  LIFT_RULE_TEXT,
  liftShortfall,
  showsOutboundMail,
} from "../diagnose/verdict.js";
import { bracketedToken } from "../reply/tokens.js";
import { heldSubject } from "./hosts.js";
import { COLUMN_GAP, columns, plural, shortTime } from "./wrap.js";

/** Width of the provider column of the text reports, with the gap after it. */
export const PROVIDER_COLUMN = 18;

/**
 * The legend under the provider tables of the text reports. The `deferred` field of the JSON
 * counts attempts, and `deferredRecipients` the recipients of the "to rcpts" column.
 */
export const DEFERRALS_LEGEND =
  "deferrals: deferral attempts, every retry counted. to rcpts: the recipients " +
  "deferred at least once, each counted once per message.";

/**
 * Returns the provider cell of a text table row and, for a relay host whose name does not fit
 * in `width` columns, the line below the row with the relay host's label. A truncated label
 * would make two relay hosts look the same ("relay host smtp…").
 */
export function providerCell(
  row: { readonly name: string; readonly relayHost: string | null },
  width: number,
): [string, string | null] {
  const fits = columns(row.name) <= width - COLUMN_GAP;
  if (fits || row.relayHost === null) return [row.name, null];
  return ["relay host", row.relayHost];
}

/**
 * Returns the sentence that the text and Markdown reports show in place of the providers
 * table when no provider row shows outbound mail: that the log has no outbound delivery, or
 * that the server held the mail back itself.
 */
export function noProvidersSentence(diagnosis: Diagnosis): string {
  return diagnosis.verdict.heldByServer === null
    ? "No outbound deliveries in the log."
    : `No outbound mail left ${heldSubject(diagnosis).text}.`;
}

/**
 * Returns the status cell of a provider row: the JSON status, or "lifted" for an `ok` provider
 * that blocked earlier in the log (`pastBlock`), so that the row does not read as untouched.
 */
export function statusCell(verdict: ProviderVerdict): string {
  return verdict.status === "ok" && verdict.pastBlock !== null ? "lifted" : verdict.status;
}

/** Rank of a provider status in the tables: the most severe first, `ok` last. */
const STATUS_ORDER: Readonly<Record<ProviderStatus, number>> = {
  blocked: 0,
  unreachable: 1,
  "rate-limited": 2,
  ok: 3,
};

/**
 * Returns the providers worth a row, those whose row shows outbound mail. Blocked, unreachable
 * and rate-limited rows come before `ok` rows, so that a blocked provider with little mail is
 * not listed below busy providers that are fine. Rows of one status keep the diagnosis order,
 * which is by delivery attempts, most first.
 */
export function shownProviders(diagnosis: Diagnosis): ProviderVerdict[] {
  return Object.values(diagnosis.providers)
    .filter(
      (verdict): verdict is ProviderVerdict => verdict !== undefined && showsOutboundMail(verdict),
    )
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status]);
}

/**
 * Returns the sentence on the provider's recipients that expired in the queue, such as "1
 * recipient expired in the queue after its retries ran out.", or null when none did. The table
 * has no column for them, and a row whose only mail expired would otherwise read 0 0 0.
 */
export function expiredSentence(verdict: { readonly expired: number }): string | null {
  if (verdict.expired === 0) return null;
  const its = verdict.expired === 1 ? "its" : "their";
  return `${plural(verdict.expired, "recipient")} expired in the queue after ${its} retries ran out.`;
}

/**
 * Names what happened to the blocked attempts. They count deferrals and rejections
 * together, so only a provider that never rejected permanently gets "deferred" alone.
 */
export function blockedVerb(verdict: ProviderVerdict): string {
  return verdict.firstPermanentBlock === null ? "deferred" : "rejected or deferred";
}

/**
 * Describes the attempts that a provider rejected or deferred and when the block ended, such as
 * "40 attempts to 40 addresses rejected or deferred; last at …, and no later attempt was
 * accepted." Retries of held mail can make many attempts to few addresses, so the messages are
 * named too when their count differs ("245 attempts for 53 messages to 1 address deferred").
 */
export function blockedAttemptsSentence(verdict: ProviderVerdict): string {
  // Replies to whole sessions and to address verification probes refuse no delivery attempt.
  if (verdict.blockedAttempts === 0) {
    return `replies to sessions or probes, no delivery attempt refused; ${blockEnd(verdict)}`;
  }
  // Above a few hundred, the counts come from a HyperLogLog sketch, so they are estimates.
  // NOTE: recipientsEstimated also turns true when only the row's total recipients are
  // estimated, so a small exact count of addresses can still read "an estimated".
  const estimated = verdict.recipientsEstimated ? "an estimated " : "";
  const estimatedMessages = verdict.blockedMessagesEstimated ? "an estimated " : "";
  const messages =
    verdict.blockedMessages === verdict.blockedRecipients
      ? ""
      : ` for ${estimatedMessages}${plural(verdict.blockedMessages, "message")}`;
  // Distinct addresses, not the message and recipient pairs of the table's "to rcpts" column.
  const addresses = plural(verdict.blockedRecipients, "address", "addresses");
  return `${plural(verdict.blockedAttempts, "attempt")}${messages} to ${estimated}${addresses} ${blockedVerb(verdict)}; ${blockEnd(verdict)}`;
}

/**
 * Describes when the block ended or that it goes on. A provider that accepted no attempt after
 * its last block reply still blocks, although the log may go on for hours without attempts to it.
 * One that accepted mail after its last block reply has not lifted the block until the lift
 * rule holds (see `liftShortfall`).
 */
function blockEnd(verdict: ProviderVerdict): string {
  const last = `last at ${shortTime(verdict.lastBlock?.time)}`;
  if (verdict.unacceptedAttempts !== null) return `${last}, and no later attempt was accepted.`;
  if (acceptsAgainTooEarly(verdict) || acceptsAgainTooFew(verdict)) {
    const accepted = plural(verdict.acceptedSinceLastBlock ?? 0, "delivery", "deliveries");
    return `${last}, and ${accepted} accepted since, ${liftShortfall(verdict)} to call it lifted.`;
  }
  return verdict.ongoing ? "still going on at the end of the log." : `${last}.`;
}

/**
 * Returns the sentence on a change of reply during the provider's block, such as "Reply
 * changed at 2026-03-12 08:00:02 to 550 5.7.708 (mail.log:869): …", or null when the reply
 * did not change.
 */
export function replyChangeSentence(verdict: ProviderVerdict): string | null {
  const reply = verdict.replyChange?.reply;
  if (reply === undefined) return null;
  const code = replyCodeText(reply);
  return `Reply changed at ${shortTime(reply.time)}${code === "" ? "" : ` to ${code}`} (${reply.file}:${reply.line}): ${reply.summary}`;
}

/**
 * Returns the sentence on the kind of block reply, permanent or temporary, that stopped before
 * the end of the provider's block (see `blockKinds`), such as "Last rejection at 2024-03-06
 * 02:12:04 (mail.log:3810). Later block replies only deferred mail.", or null when no kind
 * stopped. `logEnd` is the time of the log's last line.
 */
export function endedKindSentence(verdict: ProviderVerdict, logEnd: string | null): string | null {
  const periods = blockKinds(verdict, logEnd === null ? null : Date.parse(logEnd));
  const ended = periods.find((period) => !period.current);
  if (ended === undefined || periods.length < 2) return null;
  const { time, file, line } = ended.last;
  const [kind, other] = ended.permanent ? ["rejection", "deferred"] : ["deferral", "rejected"];
  return `Last ${kind} at ${shortTime(time)} (${file}:${line}). Later block replies only ${other} mail.`;
}

/**
 * Returns the verdict summary for the text and Markdown reports. The verdict and the
 * blocks-ended readiness item can both state when a block counts as lifted. That rule takes
 * three lines, so the reports print it once, in the readiness item, and keep the first screen
 * for the verdict itself. The JSON keeps it in both.
 */
export function verdictSummaryText(diagnosis: Diagnosis): string {
  const summary = diagnosis.verdict.summary;
  if (!liftRuleInReadiness(diagnosis)) return summary;
  return summary.replace(` ${LIFT_RULE_TEXT}`, "");
}

function liftRuleInReadiness(diagnosis: Diagnosis): boolean {
  return diagnosis.readiness.items.some((item) => item.detail.includes(LIFT_RULE_TEXT));
}

/**
 * Returns a reply's code, enhanced status code and provider token, such as "421 4.7.0 [TSS04]",
 * or "" when the reply has none of them. Yahoo's error-code page and support staff work from
 * the token, which the codes alone do not give.
 */
export function replyCodeText(reply: ReplyEvidence): string {
  const token = reply.providerToken === null ? "" : bracketedToken(reply.providerToken);
  return [reply.replyCode ?? "", reply.enhancedStatus ?? "", token]
    .filter((part) => part !== "")
    .join(" ");
}
