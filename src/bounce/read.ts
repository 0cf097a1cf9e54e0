/**
 * Reading a parsed message into recipient drafts: which kind of message it is (delivery
 * status notification, plain-text bounce, feedback report, automatic reply, or none of
 * these), who the recipients are and what the message says about each of them.
 */
import { firstAddress } from "./formats/address.js";
import { draftsFromSes, sesNotification } from "./formats/amazon-ses.js";
import { draftFromAutoReply, isAutoReply } from "./formats/auto-reply.js";
import { draftsFromFeedback, isFeedbackReport } from "./formats/arf.js";
import { recipientBlocks } from "./formats/blocks.js";
import { draftsFromDeliveryStatus, hasInlineDeliveryStatus } from "./formats/dsn-reader.js";
import { withEzwebVerdict } from "./formats/ezweb.js";
import { draftsFromGoogleGroups, isGoogleGroupsRefusal } from "./formats/google-groups.js";
import { draftsFromNotes, isNotesBounce } from "./formats/notes.js";
import { notificationPart } from "./formats/notification.js";
import { withoutOpenSmtpdStatus } from "./formats/opensmtpd.js";
import { draftsFromText, looksLikeBounce } from "./formats/text-bounce.js";
import { draftsFromVerizon, isVerizonNotice } from "./formats/verizon.js";
import { headerValue, parseBounceMessage, type BounceMessage } from "./mime.js";
import type { BounceKind, RecipientDraft } from "./types.js";

/** The kind of a message and its recipients before classification. */
export interface ReadDrafts {
  readonly kind: BounceKind | null;
  readonly drafts: RecipientDraft[];
}

/** Drafts with the message they were read from, which may be a forwarded one. */
export interface ReadMessage extends ReadDrafts {
  readonly message: BounceMessage;
  /** True when a message nested deeper than `MAX_FORWARD_DEPTH` was left unsearched. */
  readonly depthLimitReached: boolean;
}

/**
 * Most levels of attached messages searched for a bounce. A bounce that a user forwards as
 * an attachment and a helpdesk forwards again is two levels deep. Each level is one more
 * parse of the attachment, so the limit bounds the work on a message built to nest deeply.
 */
export const MAX_FORWARD_DEPTH = 5;

const FORWARDED_REPORT =
  /^Content-Type:[ \t]*multipart\/report;[^\n]*(?:\n[ \t][^\n]*)*report-type="?delivery-status/im;
const ATTACHED_MESSAGE = /^Content-Type:[ \t]*message\/rfc822\b/im;

/**
 * Returns the drafts of a delivery status notification forwarded as an attachment, else the
 * drafts of the message itself. A gateway forwards a DSN as the attachment of its own plain
 * notice, which lists the failed addresses without error text, and the attached DSN has the
 * fields. A user forwards a bounce as an attachment, maybe inside another forward: a message
 * with no result is searched through its attached messages, up to `MAX_FORWARD_DEPTH` levels.
 */
export async function readForwarded(
  message: BounceMessage,
  read: ReadDrafts,
): Promise<ReadMessage> {
  const own = { message, ...read, depthLimitReached: false };
  if (message.deliveryStatus !== null || read.drafts.some((draft) => draft.status !== null)) {
    return own;
  }
  let current = { message, ...read };
  for (let depth = 1; depth <= MAX_FORWARD_DEPTH; depth++) {
    const attached = current.message.original;
    if (attached === null || !shouldSearch(attached, current.drafts.length === 0)) return own;
    const inner = await parseBounceMessage(attached);
    const innerRead = readDrafts(inner, originalSender(inner));
    if (innerRead.drafts.length > 0) {
      return { message: inner, ...innerRead, depthLimitReached: false };
    }
    current = { message: inner, ...innerRead };
  }
  const deeper = current.message.original;
  return { ...own, depthLimitReached: deeper !== null && shouldSearch(deeper, true) };
}

/**
 * True for an attached message to search: a DSN, or, under a message without any result, a
 * message with attached messages of its own. The returned message of a plain bounce is
 * neither, so it is not parsed again.
 */
function shouldSearch(attached: string, withoutResult: boolean): boolean {
  if (FORWARDED_REPORT.test(attached)) return true;
  return withoutResult && ATTACHED_MESSAGE.test(attached);
}

/** Returns the kind of a parsed message and its recipients before classification. */
export function readDrafts(message: BounceMessage, sender: string | null): ReadDrafts {
  if (isFeedbackReport(message)) return { kind: "feedback", drafts: draftsFromFeedback(message) };
  const ses = message.deliveryStatus === null ? sesNotification(message.text) : null;
  if (ses !== null) {
    const drafts = draftsFromSes(ses);
    return { kind: drafts[0]?.reason === "feedback" ? "feedback" : "dsn", drafts };
  }

  const notification = notificationPart(message.text);
  const dsnDrafts = readDeliveryStatus(message, notification);
  if (dsnDrafts.length > 0) return { kind: "dsn", drafts: dsnDrafts };
  if (isVerizonNotice(message)) return { kind: "bounce", drafts: draftsFromVerizon(message) };
  if (isNotesBounce(message)) return { kind: "bounce", drafts: draftsFromNotes(message) };
  if (isGoogleGroupsRefusal(message)) {
    return { kind: "bounce", drafts: draftsFromGoogleGroups(message) };
  }
  // A sender such as "noreply@" makes an automatic reply look like a bounce too. When the
  // bounce reader finds no recipient in it, its automatic-reply headers decide.
  const bounce = looksLikeBounce(message);
  const bounceDrafts = bounce ? draftsFromText(message, sender, notification) : [];
  if (bounceDrafts.length > 0) {
    return { kind: "bounce", drafts: withEzwebVerdict(message, bounceDrafts) };
  }
  if (isAutoReply(message)) return { kind: "auto-reply", drafts: draftFromAutoReply(message) };
  return { kind: bounce ? "bounce" : null, drafts: [] };
}

/**
 * Returns the recipients of the delivery status fields: the `message/delivery-status` part,
 * or the same fields written into the text. None when the message has neither.
 */
function readDeliveryStatus(message: BounceMessage, notification: string): RecipientDraft[] {
  const fields =
    message.deliveryStatus ?? (hasInlineDeliveryStatus(message.text) ? message.text : null);
  if (fields === null) return [];
  const returnedTo = firstAddress(/^To:[ \t]*(.+)$/im.exec(message.original ?? "")?.[1]);
  const drafts = draftsFromDeliveryStatus(
    fields,
    recipientBlocks(notification).blocks,
    message.date,
    returnedTo,
  );
  return withoutOpenSmtpdStatus(message, withEzwebVerdict(message, drafts));
}

/**
 * Returns the sender of the returned message: the DSN's envelope sender fields, the returned
 * message's Return-Path or From, else the address the bounce was sent to.
 */
export function originalSender(message: BounceMessage): string | null {
  const fromFields =
    /^(?:X-Postfix-Sender|X-Original-Sender|Original-Mail-From):\s*(?:rfc822;)?\s*(.+)$/im.exec(
      message.deliveryStatus ?? message.feedbackReport ?? "",
    );
  const original = message.original ?? "";
  const returnPath = /^Return-Path:\s*(.+)$/im.exec(original);
  const from = /^From:\s*(.+)$/im.exec(original);
  return (
    firstAddress(fromFields?.[1]) ??
    firstAddress(returnPath?.[1]) ??
    firstAddress(from?.[1]) ??
    message.to ??
    firstAddress(headerValue(message, "to"))
  );
}
