/**
 * Plain-text bounces without RFC 3464 fields (qmail, Exim, DragonFly, Gmail, Yahoo, Exchange
 * 2003, Domino, au, …): which messages are bounces, and their recipients with error text.
 */
import { firstAddress, isAddress, normaliseAddress } from "./address.js";
import { recipientBlocks, type RecipientBlock } from "./blocks.js";
import { commandOf } from "./command.js";
import { notificationPart } from "./notification.js";
import { headerValue, type BounceMessage } from "../mime.js";
import type { BounceAction, RecipientDraft } from "../types.js";

const BOUNCE_SENDER =
  /^(?:mailer-daemon|post_?master|mail-?daemon|mdaemon|bounces?|mail delivery|nobody|root|daemon|no-?reply)\b/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|returned mail|return(?:ing)? message to sender|delivery (?:status notification|failure|failed|problem|report|has failed)|failure notice|mail delivery failed|mail system error|non-?delivery|could not be delivered|delivery notification|warning: message .* delayed|delayed mail|mail failure|error sending message|returned to sender|nondeliverable|loop alert|\bdsn\b|message not delivered|notice of delivery|delivery incomplete|^delivery report|error sending your mail|メールエラー|エラー通知|未達|不達|(?:配信|配送)(?:エラー|失敗|不能)|送信(?:エラー|失敗)|(?:配信|配送|送信)の?遅延/i;

/** True when `subject` is one that bounce notices use ("Undelivered Mail Returned to Sender"). */
export function isBounceSubject(subject: string): boolean {
  return BOUNCE_SUBJECT.test(subject);
}

/** True when the sender or the subject says the message is a bounce. */
export function looksLikeBounce(message: BounceMessage): boolean {
  const local = (message.from ?? "").split("@")[0] ?? "";
  if (BOUNCE_SENDER.test(local)) return true;
  if (BOUNCE_SUBJECT.test(message.subject)) return true;
  return headerValue(message, "x-failed-recipients") !== null;
}

/**
 * Returns the recipient drafts of a plain-text bounce. `notification` is the message text
 * without the returned message (`notificationPart`), when the caller has it already.
 */
export function draftsFromText(
  message: BounceMessage,
  sender: string | null,
  notification: string = notificationPart(message.text),
): RecipientDraft[] {
  const { blocks, preamble } = recipientBlocks(notification);
  // A block that names the sender is the "message from" line, unless the sender mailed
  // itself and no other block is left.
  const others = blocks.filter((block) => !isSender(block.recipient, sender, message));
  const usable = others.length > 0 ? others : blocks;
  const action = isDelayNotice(notification) ? "delayed" : "failed";
  if (usable.length > 0) return usable.map((block) => draftOfBlock(block, preamble, action));

  const fallback = fallbackRecipients(message, sender, notification);
  const text = notification.trim();
  return fallback.map((recipient) => draftOfBlock({ recipient, text }, "", action));
}

function isSender(address: string, sender: string | null, message: BounceMessage): boolean {
  const lower = address.toLowerCase();
  if (sender !== null && lower === sender.toLowerCase()) return true;
  return message.to !== null && lower === message.to.toLowerCase();
}

const GAVE_UP_AFTER = /\bwas aborted after [\d.]+ (?:minute|hour|day)/i;

function draftOfBlock(
  block: RecipientBlock,
  preamble: string,
  action: BounceAction,
): RecipientDraft {
  // MailMarshal and others state the error once, above the list of recipients.
  const hasReply = (candidate: string): boolean => /(?:^|\s)[245]\d\d[\s-]/.test(candidate);
  const text =
    block.text === "" || (!hasReply(block.text) && hasReply(preamble))
      ? `${preamble}\n${block.text}`.trim()
      : block.text;
  const qmailStatus = /\(#([245]\.\d{1,3}\.\d{1,3})\)/.exec(text)?.[1] ?? null;
  // "Delivery … was aborted after 5.0 hour(s)": the MTA gave up when its time ran out, and
  // an error below it without a reply or status is only what the last attempt met.
  const timedOut = GAVE_UP_AFTER.test(preamble) && !hasReply(text) && qmailStatus === null;
  return {
    recipient: block.recipient,
    action,
    status: qmailStatus,
    diagnostic: text,
    remoteMta: remoteHostOf(text),
    time: null,
    reason: timedOut ? "expired" : null,
    command: commandOf(text),
    replyCode: statedReplyCode(text),
    feedbackType: null,
  };
}

// Zoho writes the remote reply code as a field ("ERROR_CODE :550", "ResponseCode 421")
// rather than at the start of the reply, where the reply parser looks for it.
function statedReplyCode(text: string): number | null {
  const match = /\b(?:ERROR_CODE\s*:|ResponseCode)\s*([45]\d\d)\b/.exec(text);
  return match === null ? null : Number(match[1]);
}

// Postfix's delay notice reads "THIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND YOUR
// MESSAGE." and "It will be retried until it is 5 day(s) old."
const DELAY_NOTICE =
  /has not yet been delivered|delivery to the following recipients? (?:has been|was) delayed|warning message only|this is a warning only|will be retried until/i;

// Japanese notices that the sender's server is still trying: "まだ配信されていません" (not
// delivered yet), "配信が遅延しています" or "配送が遅れています" (delivery is delayed), and
// "配信を再試行しています", "送信を再試行中" or "引き続き配信を試みます" (is retrying, will keep
// trying). The words must be in the present or future, because a failure notice may contain
// "再送信を試みましたが" (tried to resend, but) or "遅延していましたが" (was delayed, but).
const JAPANESE_DELAY_NOTICE =
  /まだ(?:配信|配送|送信)されていません|(?:配信|配送|送信)(?:が|は)?(?:(?:遅延し|遅れ)て(?:います|おります)|遅延中)|(?:配信|配送|送信)を(?:引き続き|継続して)?(?:再試行|試み)し?(?:ています|ております|ます|中)/;

function isDelayNotice(notification: string): boolean {
  return DELAY_NOTICE.test(notification) || JAPANESE_DELAY_NOTICE.test(notification);
}

// X-Failed-Recipients (Exim and others), then the To of the returned message.
function fallbackRecipients(
  message: BounceMessage,
  sender: string | null,
  notification: string,
): string[] {
  const failed = headerValue(message, "x-failed-recipients");
  if (failed !== null) {
    const addresses = failed
      .split(/[,\s]+/)
      .map((part) => normaliseAddress(part))
      .filter((part) => isAddress(part));
    if (addresses.length > 0) return addresses;
  }
  const originalTo = /^To:[ \t]*(.+)$/im.exec(
    message.original ?? message.text.slice(notification.length),
  );
  const address = firstAddress(originalTo?.[1]);
  if (address !== null && address.toLowerCase() !== (sender ?? "").toLowerCase()) return [address];
  return [];
}

function remoteHostOf(text: string): string | null {
  const match =
    /\bhost:?\s+([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/i.exec(text) ??
    /^\s*([A-Za-z0-9.-]+\.[A-Za-z]{2,})\s+\[[0-9a-fA-F.:]+\]\s+did not like/m.exec(text) ??
    /\bby\s+([A-Za-z0-9.-]+\.[A-Za-z]{2,})\.?\s+\[[0-9a-fA-F.:]+\]/.exec(text);
  return match?.[1] ?? null;
}
