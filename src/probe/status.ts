import { isBlockSignal } from "../analysis/replies.js";
import { SMTP_STAGE_NAMES } from "../knowledge/categories.js";
import { plural } from "../report/wrap.js";
import type { RecordedReply } from "./conversation.js";
import { ReplyTooLongError } from "./reply-reader.js";
import type { ProbeReply, ProbeResult, ProbeStatus } from "./types.js";

/** The status of a probe, the sentence that explains it, and the steps to take. */
export interface StatusDecision {
  readonly status: ProbeStatus;
  readonly detail: string;
  /** The fix of the deciding reply's rule, as `delist explain` gives it. Empty without one. */
  readonly fix: readonly string[];
}

/**
 * Says that a probe cannot see what happens after DATA. The report of a probe without
 * `--send-test` ends with it (`afterDataNote`).
 */
export const AFTER_DATA_LIMIT =
  "A probe that stops before DATA cannot see blocks applied after DATA (content, DKIM and DMARC checks, and many of Gmail's rejections, which come in reply to the end of DATA); use --send-test or the mail logs for those.";

const AFTER_DATA_SENT =
  "--send-test sent a test message, so this probe reached the checks that receivers apply at the end of DATA (content, DKIM and DMARC). A receiver that accepts the message can still file it as spam, which no SMTP reply shows.";

const AFTER_DATA_NOT_SENT =
  "The conversation ended before the test message of --send-test was sent, so blocks applied after DATA (content, DKIM and DMARC checks, and many of Gmail's rejections) were not tested; the mail logs show those.";

/**
 * Returns the closing note on what the probe could not see: `AFTER_DATA_LIMIT` without
 * `--send-test`, and a note that does not advise `--send-test` when it was given.
 */
export function afterDataNote(result: Pick<ProbeResult, "sendTest" | "sentData">): string {
  if (result.sentData) return AFTER_DATA_SENT;
  return result.sendTest ? AFTER_DATA_NOT_SENT : AFTER_DATA_LIMIT;
}

/**
 * Returns the last reply when `error` cut it at the reply size limit and every line read
 * carries the same 5xx code and the same enhanced status (or none), else null. The last line
 * of a multi-line reply repeats its code, so such a reply is a permanent rejection however
 * long it goes on. A reply cut by a time-out or a close stays undecided, because the server
 * stopped sending before the limit.
 */
export function cutRefusal(
  replies: readonly RecordedReply[],
  error: unknown,
): RecordedReply | null {
  const last = replies.at(-1);
  if (!(error instanceof ReplyTooLongError) || last === undefined || last.reply.complete) {
    return null;
  }
  if (last.reply.replyCode < 500) return null;
  const statuses = new Set(last.reply.text.split("\n").map(lineStatus));
  const [status = null] = statuses;
  const samePermanentStatus = statuses.size === 1 && (status === null || status.startsWith("5."));
  return samePermanentStatus ? last : null;
}

/** Returns the enhanced status (RFC 3463) at the start of a `NNN-` wire line's text, or null. */
function lineStatus(wireLine: string): string | null {
  return /^\d{3}[- ]([245]\.\d{1,3}\.\d{1,3})(?![\w.])/.exec(wireLine)?.[1] ?? null;
}

/**
 * Decides the status from the reply that ended the conversation (`decisive`), or from the
 * connection error when the conversation broke off. A deferral or rejection counts as a
 * block only when the classifier finds it aimed at the sender (reputation, a blocklist,
 * authentication, PTR, TLS, rate, content). An unknown recipient, greylisting or a 421 greeting
 * that names no reason shows nothing about the sender, so it is an `error` with the reason. The steps are those of the deciding
 * reply's rule, so a probe gives the fix that `delist explain` gives for the same reply.
 */
export function decideStatus(
  decisive: RecordedReply | null,
  completed: boolean,
  failure: string | null,
): StatusDecision {
  if (decisive === null) {
    if (completed) {
      return { status: "accepted", detail: "The receiver accepted the recipient.", fix: [] };
    }
    const detail = failure ?? "The conversation ended without a verdict.";
    return { status: "error", detail, fix: [] };
  }
  const { reply, explained } = decisive;
  // NOTE: `delist explain` also narrows a Comcast BL000xxx rule's steps to the token's lists.
  // The probe gives the rule's steps for all three lists.
  const fix = explained.fix;
  const code = `${reply.replyCode}${reply.enhancedStatus === null ? "" : ` ${reply.enhancedStatus}`}`;
  const where = `at ${SMTP_STAGE_NAMES[reply.stage]}`;
  if (explained.ruleId === "generic.connect-deferred") {
    return { status: "error", detail: connectDeferredDetail(code, explained.text), fix };
  }
  if (!isBlockSignal(explained) && !isPolicyRefusal(decisive)) {
    return {
      status: "error",
      detail:
        `The receiver answered ${code} ${where}, which is not about the sender: ` +
        `${reply.summary}${cutReplyNote(reply, code)}`,
      fix,
    };
  }
  if (reply.replyCode >= 500) {
    const detail = `The receiver rejected the sender with ${code} ${where}: ${reply.summary}`;
    return { status: "blocked", detail: `${detail}${cutReplyNote(reply, code)}`, fix };
  }
  return {
    status: "rate-limited",
    detail: `The receiver deferred the sender with ${code} ${where}: ${reply.summary}`,
    fix,
  };
}

/**
 * Returns a sentence for the detail of a rejection whose reply was cut off (see
 * `cutRefusal`), with a leading space, or "" for a complete reply.
 */
function cutReplyNote(reply: ProbeReply, code: string): string {
  if (reply.complete) return "";
  const lines = reply.text.split("\n").length;
  const reason = reply.incompleteReason ?? "its last line never came";
  const verb = lines === 1 ? "carries" : "carry";
  const read = `The ${plural(lines, "line")} read ${verb} ${code}.`;
  return ` The reply is incomplete because ${reason}. ${read}`;
}

/** The maximum number of characters of the receiver's text that the detail quotes. */
const MAX_QUOTED_CHARS = 200;

/**
 * Describes a 421 greeting that names no reason (rule `generic.connect-deferred`): deferred at
 * connect, with the receiver's text, why that shows nothing about the sender, and when to retry.
 */
function connectDeferredDetail(code: string, text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  const quoted =
    oneLine.length > MAX_QUOTED_CHARS ? `${oneLine.slice(0, MAX_QUOTED_CHARS)}…` : oneLine;
  const receiverText = quoted === "" ? " and no text" : `: "${quoted}"`;
  return (
    `The receiver deferred at connect with ${code}${receiverText}. A 421 greeting that names no ` +
    "policy or reputation reason usually means the server is overloaded or in maintenance, so " +
    "it shows nothing about the sender. Probe again in an hour or more."
  );
}

/**
 * True for a security or policy status (RFC 3463 class x.7.x) that is not about a recipient.
 * The probe's receiver may be a server that delist has no rules for, and such a refusal of
 * the probe is a refusal of the sender whatever its wording.
 */
function isPolicyRefusal(decisive: RecordedReply): boolean {
  const { reply, explained } = decisive;
  if (explained.category === "recipient" || explained.category === "recipient-policy") return false;
  return reply.enhancedStatus !== null && /^[45]\.7\./.test(reply.enhancedStatus);
}
