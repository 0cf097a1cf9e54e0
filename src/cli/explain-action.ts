/**
 * The outcome that the sending MTA reports for a reply, apart from the reply's own code. A DSN
 * recipient that failed after a temporary reply expired in the queue. A recipient that the
 * bounce reports as delayed is one that the MTA still retries.
 */
import type { PastedReply } from "../bounce/paste.js";
import type { ExplainedReply } from "../reply/types.js";

/** Returns the reply with the permanence that the bounce's Action gives the recipient. */
export function withAction(explained: ExplainedReply, pastedReply: PastedReply): ExplainedReply {
  if (pastedReply.actionFailed) return asExpired(explained);
  if (pastedReply.delayed) return asRetrying(explained);
  return explained;
}

// Postfix's status of a message that stayed in the queue longer than maximal_queue_lifetime:
// "status=expired, returned to sender".
const POSTFIX_EXPIRED = /\bstatus=expired\b/;
// Exim's delivery failure of a recipient whose retry rules ran out:
// "1rA002-000002-BB ** dave@example.net R=dnslookup T=remote_smtp: retry timeout exceeded".
const EXIM_RETRY_TIMEOUT = /(?:^|\s)\*\* \S.*\bretry timeout exceeded\b/;

/**
 * True for a Postfix or Exim log line that reports a message returned to its sender as expired.
 * NOTE: Postfix's qmgr logs "status=expired" on a line of its own without the reply, so a
 * deferral pasted with that line is still explained as a temporary failure.
 */
export function isExpiredLogLine(text: string): boolean {
  return POSTFIX_EXPIRED.test(text) || EXIM_RETRY_TIMEOUT.test(text);
}

const EXPIRED_SUMMARY =
  "The sending MTA retried this temporary reply until the message expired in its queue, " +
  "then returned it to the sender, so nothing retries it now.";

const RESEND_STEP =
  "Send the message again once the cause below is fixed and the deferrals stop, because the " +
  "sending MTA no longer retries it.";

const EXPIRED_WITHOUT_REPLY_SUMMARY =
  "The sending MTA retried this recipient until the message expired in its queue, then " +
  "returned it to the sender, so nothing retries it now. The text does not contain the " +
  "receiver's last reply, which names the cause.";

const FIND_LAST_REPLY_STEP =
  "Find the deferrals of this recipient earlier in the log and explain their reply to learn " +
  "the cause.";

const RESEND_AFTER_CAUSE_STEP =
  "Send the message again once that cause is fixed and the deferrals stop, because the " +
  "sending MTA no longer retries it.";

/**
 * Returns a temporary reply marked permanent, for a bounce's failed recipient (a DSN's Action
 * `failed`, or a non-delivery notice without a DSN part) or an expired log line: the message
 * expired in the queue after retries. The summary states this, and the steps ask for a resend
 * in place of the rule's advice to wait for the queue. Text without a reply gets steps that
 * first find the reply in the log. A permanent reply is returned as it is. `delist bounces`
 * calls such a recipient permanent too.
 */
export function asExpired(explained: ExplainedReply): ExplainedReply {
  if (explained.permanent) return explained;
  const steps = explained.fix
    .map(withoutQueueRetry)
    .filter((step): step is string => step !== null);
  const hasReply = explained.replyCode !== null || explained.enhancedStatus !== null;
  return {
    ...explained,
    permanent: true,
    permanenceSource: "expired",
    summary: `${explained.summary} ${hasReply ? EXPIRED_SUMMARY : EXPIRED_WITHOUT_REPLY_SUMMARY}`,
    fix: hasReply
      ? [RESEND_STEP, ...steps]
      : [FIND_LAST_REPLY_STEP, RESEND_AFTER_CAUSE_STEP, ...steps],
  };
}

// Steps that only tell the reader to wait for the queue: "Nothing to change; the queue
// retries.", "Let the queue retry at a lower rate."
const WAIT_FOR_QUEUE_STEP = /^(?:Nothing to change\b|Let the queue\b)/;
// Clauses that leave the retry to the queue, with the advice against a resend that comes with
// one: "Lower the sending rate to Gmail and let the queue retry; do not resend by hand."
const QUEUE_RETRY_CLAUSE = / and (?:let )?the queue retr(?:y|ies)(?:; do not resend by hand)?/g;

/**
 * Returns a rule's step without its advice to let the queue retry, or null for a step that
 * gives only that advice.
 */
function withoutQueueRetry(step: string): string | null {
  if (WAIT_FOR_QUEUE_STEP.test(step)) return null;
  return step.replace(QUEUE_RETRY_CLAUSE, "");
}

const RETRYING_SUMMARY =
  "The sending MTA is still retrying this recipient, because the bounce reports it as " +
  "delayed, so the message has not failed yet.";

/**
 * Returns the reply marked temporary, with a sentence on the retries in its summary, for a
 * recipient that the bounce reports as delayed. The reporting MTA still retries it, even
 * after a 5xx reply, and `delist bounces` does not call such a recipient permanent either.
 */
function asRetrying(explained: ExplainedReply): ExplainedReply {
  return {
    ...explained,
    permanent: false,
    permanenceSource: "dsn-action",
    summary: `${explained.summary} ${RETRYING_SUMMARY}`,
  };
}
