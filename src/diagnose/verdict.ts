import type { ProviderFacts } from "../analysis/providers.js";
import { isBlockSignal } from "../analysis/replies.js";
import { HOUR_MS } from "../analysis/time.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import type { DiagnoseContext } from "./context.js";
import type { ProviderReason, ProviderStatus, ProviderVerdict } from "./types.js";

/**
 * Block replies within this time before the end of the log count as still going on. Postfix
 * retries deferred mail up to every 4,000 s by default, so a shorter window would call a
 * block lifted between two retries.
 */
export const ONGOING_WINDOW_MS = 2 * HOUR_MS;

/**
 * A provider that accepted this many deliveries over at least this long after its last
 * block signal has recovered, even when that signal falls in the window above.
 */
const RECOVERY_DELIVERIES = 5;
const RECOVERY_MS = HOUR_MS / 2;

/**
 * At most this many permanent block replies, among at least this many accepted deliveries to
 * the same provider, are single messages judged one by one (Gmail's "this message is likely
 * unsolicited"), not a block of the server. They stay in the evidence and the findings.
 */
export const ISOLATED_REJECTIONS = 2;
const ISOLATED_MIN_SENT = 50;

/**
 * Decides how a provider treated the mail: `blocked` when it rejected mail permanently for a
 * sender-side reason, `rate-limited` when it only deferred it, `ok` otherwise.
 */
export function providerVerdict(facts: ProviderFacts, context: DiagnoseContext): ProviderVerdict {
  const logEnd = context.facts.lastTime;
  const signals = blockSignals(facts);
  const isolated =
    signals.permanent > 0 &&
    signals.permanent <= ISOLATED_REJECTIONS &&
    facts.sent >= ISOLATED_MIN_SENT;
  const status: ProviderStatus =
    facts.firstPermanentBlock !== null && !isolated
      ? "blocked"
      : signals.temporary > 0
        ? "rate-limited"
        : isolated
          ? "ok"
          : facts.firstBlock !== null
            ? "rate-limited"
            : "ok";
  const recovered =
    facts.lastBlockTime !== null &&
    facts.lastSent !== null &&
    facts.sentAfterLastBlock >= RECOVERY_DELIVERIES &&
    facts.lastSent - facts.lastBlockTime >= RECOVERY_MS;
  const ongoing =
    status !== "ok" &&
    facts.lastBlock !== null &&
    logEnd !== null &&
    facts.lastBlock.time >= logEnd - ONGOING_WINDOW_MS &&
    !recovered;

  return {
    name: PROVIDER_NAMES[facts.provider],
    status,
    attempts: facts.attempts,
    recipients: facts.recipients.size,
    sent: facts.sent,
    deferred: facts.deferred,
    deferredRecipients: facts.deferredRecipients,
    bounced: facts.bounced,
    expired: facts.expired,
    fromBounces: facts.fromBounces,
    blockedAttempts: facts.blockedAttempts,
    blockedRecipients: facts.blockedRecipients.size,
    recipientsEstimated: !facts.recipients.isExact || !facts.blockedRecipients.isExact,
    firstBlock: facts.firstBlock === null ? null : context.reply(facts.firstBlock),
    firstPermanentBlock:
      facts.firstPermanentBlock === null ? null : context.reply(facts.firstPermanentBlock),
    lastBlock: facts.lastBlock === null ? null : context.reply(facts.lastBlock),
    ongoing,
    codes: Object.fromEntries([...facts.codes].sort((a, b) => b[1] - a[1])),
    reasons: reasonsOf(facts, context),
  };
}

/** Counts the block-signal replies of a provider, permanent and temporary. */
function blockSignals(facts: ProviderFacts): { permanent: number; temporary: number } {
  let permanent = 0;
  let temporary = 0;
  for (const tally of facts.rules.values()) {
    if (!isBlockSignal(tally.reply)) continue;
    const replies = tally.count + tally.sessionCount;
    if (tally.reply.permanent) permanent += replies;
    else temporary += replies;
  }
  return { permanent, temporary };
}

function reasonsOf(facts: ProviderFacts, context: DiagnoseContext): ProviderReason[] {
  return [...facts.rules.values()]
    .map((tally) => ({
      ruleId: tally.reply.ruleId,
      category: tally.reply.category,
      permanent: tally.reply.permanent,
      summary: tally.reply.summary,
      count: tally.count,
      sessionCount: tally.sessionCount,
      first: context.time(tally.first.time),
      last: context.time(tally.lastTime),
      codes: Object.fromEntries(tally.codes),
      blockSignal: isBlockSignal(tally.reply),
    }))
    .sort((a, b) => b.count + b.sessionCount - (a.count + a.sessionCount));
}

const STATUS_RANK: Record<ProviderStatus, number> = { ok: 0, "rate-limited": 1, blocked: 2 };

/** Returns the worse of two statuses. */
export function worseStatus(a: ProviderStatus, b: ProviderStatus): ProviderStatus {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}
