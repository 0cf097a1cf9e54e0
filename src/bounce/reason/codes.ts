/**
 * The codes of one failed recipient: the reply code and enhanced status code, from the
 * format's fields and the reply text, whether the failure is permanent, and the class of
 * the placeholder status given when no code is known.
 */
import type { ExplainedReply } from "../../reply/types.js";
import type { RecipientDraft } from "../types.js";

/** The reply code and enhanced status code of a recipient. */
export interface RecipientCodes {
  readonly replyCode: number | null;
  readonly status: string | null;
}

/**
 * Returns the codes of a recipient from the format's fields, a remote reply that the
 * format quotes inside its own text, and the classified reply.
 */
export function recipientCodes(
  draft: RecipientDraft,
  diagnostic: string,
  explained: ExplainedReply,
): RecipientCodes {
  const quoted = quotedReply(diagnostic);
  const replyCode = quoted?.replyCode ?? draft.replyCode ?? replyCodeOf(explained);
  const fromText = quoted?.status ?? explained.enhancedStatus ?? statusInText(diagnostic);
  return { replyCode, status: chooseStatus(draft.status, fromText, replyCode) };
}

// Amazon SES and WorkMail end an expiry notice with the last remote reply in angle brackets
// ("…840 minutes.<421 4.4.2 Connection timed out>"). Older SES notices put their own code
// and description first and quote the remote reply after them ("5.1.0 - Unknown address
// error 550-'5.7.1 <a@b>... Access denied'"). In both, the remote reply is the cause.
const EXPIRY_REPLY = /<([45]\d\d) ([45]\.\d{1,3}\.\d{1,3})\b[^<>]*>\s*$/;
const SES_QUOTED_REPLY =
  /^[245]\.\d{1,3}\.\d{1,3} - [^'\n]*?\b([45]\d\d)[ -]'(?:([45]\.\d{1,3}\.\d{1,3})\b)?/;

function quotedReply(diagnostic: string): { replyCode: number; status: string | null } | null {
  const match = EXPIRY_REPLY.exec(diagnostic) ?? SES_QUOTED_REPLY.exec(diagnostic);
  if (match === null) return null;
  return { replyCode: Number(match[1]), status: match[2] ?? null };
}

function replyCodeOf(explained: ExplainedReply): number | null {
  const code = explained.replyCode;
  return code !== null && code >= 400 && code < 600 ? code : null;
}

/**
 * Chooses the status of a recipient: the one the format states, unless that is a vague
 * code and the reply text carries a more precise code (Postfix writes 5.0.0 for many
 * remote refusals).
 */
function chooseStatus(
  stated: string | null,
  fromText: string | null,
  replyCode: number | null,
): string | null {
  if (stated === null) return fromText;
  if (fromText === null) return stated;
  // A stated class that contradicts the reply (4.5.0 on a 550 reply) is the MTA's guess.
  const replyClass = replyCode === null ? null : String(replyCode)[0];
  if (stated[0] !== fromText[0]) return replyClass === fromText[0] ? fromText : stated;
  return VAGUE_STATUSES.test(stated) ? fromText : stated;
}

// Stated codes that MTAs write for many different remote replies, so that the code in the
// reply itself says more: x.0.0, 4.4.7 (delivery time expired, whatever failed during that
// time) and 5.1.1, which some MTAs put on every permanent refusal at RCPT TO.
const VAGUE_STATUSES = /^(?:\d\.0\.0|4\.4\.7|5\.1\.1)$/;

/** Returns an enhanced code anywhere in the text (`#5.1.0`, `(#4.4.1)`), for texts without a reply code. */
function statusInText(text: string): string | null {
  return /(?:^|[\s#([:;])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(text)?.[1] ?? null;
}

// Exim gives up on a temporary error when its retry time runs out ("retry timeout
// exceeded", "all hosts have been failing for a long time"), which is no verdict on the
// address.
const GAVE_UP_RETRYING = /retry timeout exceeded|have been failing for a long time/i;

/**
 * True when the failure is permanent: neither a delay nor a temporary error. Action `failed`
 * in a DSN (`actionStated`) means that the reporting MTA gave up on the recipient (RFC 3464
 * section 2.3.3), so the failure is permanent whatever class its status has. Gmail, for one,
 * reports a recipient domain that does not exist with `Action: failed` and `Status: 4.0.0`.
 * The other formats derive their action from the notice's wording, so there the codes decide.
 */
export function isPermanent(
  draft: RecipientDraft,
  codes: RecipientCodes,
  actionStated: boolean,
): boolean {
  if (draft.action === "delayed") return false;
  if (draft.action === "failed" && actionStated) return true;
  // A success code beside Action `failed` contradicts it, so it cannot tell whether the
  // failure is permanent.
  const status =
    draft.action === "failed" && codes.status?.startsWith("2.") === true ? null : codes.status;
  if (status === null && GAVE_UP_RETRYING.test(draft.diagnostic)) return false;
  if (status !== null) return status.startsWith("5");
  if (codes.replyCode !== null) return codes.replyCode >= 500;
  return true;
}

const TEMPORARY_TEXT = /\btemporary (?:failure|error|problem)\b/i;

/**
 * True when a placeholder status gets class 4. Like Sisimai's pseudo codes, the class
 * follows the error itself: a 4xx reply, an expired retry time or a text that calls the
 * failure temporary. A delay notice without any of these still gets class 5, and its
 * `action` and `permanent` fields show that it is a delay.
 */
export function hasTemporaryError(draft: RecipientDraft, replyCode: number | null): boolean {
  if (replyCode !== null) return replyCode < 500;
  return GAVE_UP_RETRYING.test(draft.diagnostic) || TEMPORARY_TEXT.test(draft.diagnostic);
}
