/**
 * Decoding one message: which kind it is (delivery status notification, plain-text bounce,
 * feedback report, automatic reply, or none of these), then one result per recipient with
 * the reply classified and the reason decided.
 */
import type { ReplyClassifier } from "../reply/classify.js";
import type { ExplainedReply } from "../reply/types.js";
import { firstAddress } from "./formats/address.js";
import { draftsFromSes, sesNotification } from "./formats/amazon-ses.js";
import { draftFromAutoReply, isAutoReply } from "./formats/auto-reply.js";
import { draftsFromFeedback, isFeedbackReport } from "./formats/arf.js";
import { recipientBlocks } from "./formats/blocks.js";
import { draftsFromDeliveryStatus, hasInlineDeliveryStatus } from "./formats/dsn-reader.js";
import { notificationPart } from "./formats/notification.js";
import { draftsFromGoogleGroups, isGoogleGroupsRefusal } from "./formats/google-groups.js";
import { draftsFromText, looksLikeBounce } from "./formats/text-bounce.js";
import { headerValue, parseBounceMessage, type BounceMessage } from "./mime.js";
import { decideReason, isHardBounce } from "./reason/decide.js";
import { placeholderStatus } from "./reason/status.js";
import type { BounceKind, BounceResult, RecipientDraft } from "./types.js";

/** What one message decoded to; `kind` is null for a message that is none of the known kinds. */
export interface DecodedMessage {
  readonly kind: BounceKind | null;
  readonly results: BounceResult[];
}

// Diagnostic texts longer than this are cut before classification; a reply is far shorter,
// and a longer text is a whole notification whose tail says nothing more.
const MAX_DIAGNOSTIC_CHARS = 2_000;

/** Decodes one raw message read from `file`. Rejects only when the MIME parser does. */
export async function decodeMessage(
  raw: Uint8Array | string,
  file: string,
  classifier: ReplyClassifier,
): Promise<DecodedMessage> {
  const message = await parseBounceMessage(raw);
  const sender = originalSender(message);
  const { kind, drafts } = readDrafts(message, sender);
  const results = drafts.map((draft) =>
    finish(draft, { file, kind: kind ?? "bounce", message, sender, classifier }),
  );
  return { kind, results };
}

/** Returns the kind of a parsed message and its recipients before classification. */
export function readDrafts(
  message: BounceMessage,
  sender: string | null,
): { kind: BounceKind | null; drafts: RecipientDraft[] } {
  if (isFeedbackReport(message)) return { kind: "feedback", drafts: draftsFromFeedback(message) };
  const ses = message.deliveryStatus === null ? sesNotification(message.text) : null;
  if (ses !== null) {
    const drafts = draftsFromSes(ses);
    return { kind: drafts[0]?.reason === "feedback" ? "feedback" : "dsn", drafts };
  }

  const notification = notificationPart(message.text);
  const fields =
    message.deliveryStatus ?? (hasInlineDeliveryStatus(message.text) ? message.text : null);
  if (fields !== null) {
    const { blocks } = recipientBlocks(notification);
    const drafts = draftsFromDeliveryStatus(fields, blocks);
    if (drafts.length > 0) return { kind: "dsn", drafts };
  }
  if (isGoogleGroupsRefusal(message)) {
    return { kind: "bounce", drafts: draftsFromGoogleGroups(message) };
  }
  if (looksLikeBounce(message)) {
    return { kind: "bounce", drafts: draftsFromText(message, sender) };
  }
  if (isAutoReply(message)) return { kind: "auto-reply", drafts: draftFromAutoReply(message) };
  return { kind: null, drafts: [] };
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

interface FinishContext {
  readonly file: string;
  readonly kind: BounceKind;
  readonly message: BounceMessage;
  readonly sender: string | null;
  readonly classifier: ReplyClassifier;
}

function finish(draft: RecipientDraft, context: FinishContext): BounceResult {
  const diagnostic = draft.diagnostic.slice(0, MAX_DIAGNOSTIC_CHARS);
  const explained = context.classifier.explain(diagnostic === "" ? "-" : diagnostic, {
    recipient: draft.recipient,
    relayHost: draft.remoteMta,
  });
  // Amazon SES and WorkMail end an expiry notice with the last remote reply in angle
  // brackets ("…840 minutes.<421 4.4.2 Connection timed out>"): that reply is the cause.
  const nested = /<([45]\d\d) ([45]\.\d{1,3}\.\d{1,3})\b[^<>]*>\s*$/.exec(diagnostic);
  const replyCode = nested === null ? replyCodeOf(explained) : Number(nested[1]);
  let status = chooseStatus(
    draft.status,
    nested?.[2] ?? explained.enhancedStatus ?? statusInText(diagnostic),
    replyCode,
  );
  const reason = decideReason({
    formatReason: draft.reason,
    status,
    replyCode,
    // The reply without continuation markers ("552-5.7.0") that split its sentences.
    text: `${diagnostic}\n${explained.text}`,
    command: draft.command ?? explained.stage,
    action: draft.action,
    ruleId: explained.ruleId,
    category: explained.category,
    knownProvider: explained.provider !== null && explained.provider !== "other",
  });
  const permanent = isPermanent(draft, status, replyCode);
  if (status === null && context.kind !== "feedback" && context.kind !== "auto-reply") {
    status = placeholderStatus(reason, permanent);
  }
  return {
    file: context.file,
    messageDate: context.message.date,
    kind: context.kind,
    format: context.kind === "dsn" ? "rfc3464" : context.kind,
    recipient: draft.recipient,
    originalSender: context.sender,
    action: draft.action,
    status,
    replyCode,
    diagnosticText: diagnostic.replace(/\s+/g, " ").trim(),
    remoteMta: draft.remoteMta ?? explained.remoteHost,
    time: draft.time,
    category: explained.category,
    ruleId: explained.ruleId,
    provider: explained.provider,
    permanent,
    hardBounce:
      context.kind === "feedback" || context.kind === "auto-reply"
        ? false
        : isHardBounce(reason, permanent),
    reason,
    feedbackType: draft.feedbackType,
  };
}

function replyCodeOf(explained: ExplainedReply): number | null {
  const code = explained.replyCode;
  return code !== null && code >= 400 && code < 600 ? code : null;
}

/**
 * Chooses the status of a recipient: the one the format states, unless that is a vague code and the
 * reply text carries a more precise code (Postfix writes 5.0.0 for many remote refusals).
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

const GAVE_UP_RETRYING = /retry timeout exceeded|have been failing for a long time/i;

/** Returns an enhanced code anywhere in the text (`#5.1.0`, `(#4.4.1)`), for texts without a reply code. */
function statusInText(text: string): string | null {
  return /(?:^|[\s#([:;])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(text)?.[1] ?? null;
}

function isPermanent(
  draft: RecipientDraft,
  status: string | null,
  replyCode: number | null,
): boolean {
  if (draft.action === "delayed") return false;
  // Exim gives up on a temporary error when its retry time runs out, which is no verdict on
  // the address.
  if (status === null && GAVE_UP_RETRYING.test(draft.diagnostic)) return false;
  if (status !== null) return status.startsWith("5");
  if (replyCode !== null) return replyCode >= 500;
  return true;
}
