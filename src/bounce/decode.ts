/**
 * Decoding one message: which kind it is (delivery status notification, plain-text bounce,
 * feedback report, automatic reply, or none of these), then one result per recipient with
 * the reply classified and the reason decided.
 */
import type { ReplyClassifier } from "../reply/classify.js";
import { statusContradiction } from "./dsn.js";
import { headerValue, parseBounceMessage, type BounceMessage } from "./mime.js";
import { countCutEscapeSequences } from "./mime-japanese.js";
import {
  headWithinPartLimit,
  isPartLimitError,
  partLimitNote,
  plainDeliveryStatusNote,
  withPlainDeliveryStatus,
} from "./mime-repair.js";
import { MAX_FORWARD_DEPTH, originalSender, readDrafts, readForwarded } from "./read.js";
import { decideReason, isHardBounce } from "./reason/decide.js";
import { hasTemporaryError, isPermanent, recipientCodes } from "./reason/codes.js";
import { placeholderStatus } from "./reason/status.js";
import { returnedQueueId } from "./queue-id.js";
import type { BounceKind, BounceReason, BounceResult, RecipientDraft } from "./types.js";
import { endsInsideReport, unreadBounceError } from "./unread-bounce.js";

/** What one message decoded to; `kind` is null for a message that is none of the known kinds. */
export interface DecodedMessage {
  readonly kind: BounceKind | null;
  readonly results: BounceResult[];
  /** The error for a message whose headers mark it as a bounce but that gave no recipient. */
  readonly error: string | null;
  /** True when the message ends inside its delivery report, so the last recipient may be cut. */
  readonly endsInsideReport: boolean;
  /** The message's own `Message-ID` field, trimmed, or null when it has none. */
  readonly messageId: string | null;
  /** ISO-2022-JP escape sequences cut short, which were left out of the decoded text. */
  readonly cutEscapeSequences: number;
  /** Notes on parts of the message that were repaired or skipped before it was read. */
  readonly notes: readonly string[];
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
  const parsed = await parseRepaired(raw, file);
  const message = parsed.message;
  const read = await readForwarded(message, readDrafts(message, originalSender(message)));
  const sender = originalSender(read.message);
  const kind = read.kind;
  const queueId = returnedQueueId(read.message);
  const results = read.drafts.map((draft) =>
    finish(draft, { file, kind: kind ?? "bounce", message, sender, queueId, classifier }),
  );
  // A message whose only content lies past the depth limit is unread, not "not a bounce".
  const unreadDeeper = results.length === 0 && read.depthLimitReached;
  const error = unreadDeeper
    ? depthLimitError(file)
    : results.length === 0
      ? unreadBounceError(message, file, parsed.raw, parsed.partLimitReached)
      : null;
  // A head cut at the part limit ends just before a boundary delimiter, so every part read is
  // whole, and its missing closing delimiter does not mean that the file was cut.
  const cut =
    results.length > 0 && !parsed.partLimitReached && endsInsideReport(message, parsed.raw);
  const messageId = headerValue(message, "message-id")?.trim() ?? "";
  return {
    kind,
    results,
    error,
    endsInsideReport: cut,
    messageId: messageId === "" ? null : messageId,
    cutEscapeSequences: typeof raw === "string" ? 0 : countCutEscapeSequences(raw),
    notes:
      read.depthLimitReached && !unreadDeeper
        ? [...parsed.notes, depthLimitNote(file)]
        : parsed.notes,
  };
}

function depthLimitError(file: string): string {
  return (
    `"${file}" could not be read to the end: it has messages attached more than ` +
    `${MAX_FORWARD_DEPTH} levels deep, the limit that delist searches for a bounce, and none ` +
    "of the levels read is a bounce. Save the innermost attached message as an .eml file and " +
    "read that"
  );
}

function depthLimitNote(file: string): string {
  return (
    `"${file}" has messages attached more than ${MAX_FORWARD_DEPTH} levels deep, the limit ` +
    "that delist searches for a bounce, so the deeper ones were not read"
  );
}

/** A parsed message, the bytes that were parsed, and the notes on how they were repaired. */
interface ParsedMessage {
  readonly message: BounceMessage;
  readonly raw: Uint8Array | string;
  readonly notes: string[];
  /** True when only the head within the MIME part limit was parsed. */
  readonly partLimitReached: boolean;
}

/**
 * Parses a message after relabelling a delivery status part that is not base64, and reads
 * only the head of a message over the MIME part limit. Returns the bytes that were parsed.
 */
async function parseRepaired(original: Uint8Array | string, file: string): Promise<ParsedMessage> {
  const notes: string[] = [];
  const plain = withPlainDeliveryStatus(original);
  if (plain.changed) notes.push(plainDeliveryStatusNote(file));
  try {
    const message = await parseBounceMessage(plain.raw);
    return { message, raw: plain.raw, notes, partLimitReached: false };
  } catch (error) {
    if (!isPartLimitError(error)) throw error;
    const head = headWithinPartLimit(plain.raw);
    if (!head.changed) throw error;
    notes.push(partLimitNote(file));
    const message = await parseBounceMessage(head.raw);
    return { message, raw: head.raw, notes, partLimitReached: true };
  }
}

interface FinishContext {
  readonly file: string;
  readonly kind: BounceKind;
  readonly message: BounceMessage;
  readonly sender: string | null;
  readonly queueId: string | null;
  readonly classifier: ReplyClassifier;
}

function finish(draft: RecipientDraft, context: FinishContext): BounceResult {
  const diagnostic = draft.diagnostic.slice(0, MAX_DIAGNOSTIC_CHARS);
  const explained = context.classifier.explain(diagnostic === "" ? "-" : diagnostic, {
    recipient: draft.recipient,
    relayHost: draft.remoteMta,
  });
  const codes = recipientCodes(draft, diagnostic, explained);
  const { replyCode } = codes;
  const reason = decideReason({
    formatReason: draft.reason,
    ...(draft.defaultReason === undefined ? {} : { defaultReason: draft.defaultReason }),
    status: codes.status,
    replyCode,
    // The reply without continuation markers ("552-5.7.0") that split its sentences.
    text: diagnostic === "" ? "" : `${diagnostic}\n${explained.text}`,
    command: draft.command ?? explained.stage,
    action: draft.action,
    ruleId: explained.ruleId,
    category: explained.category,
    knownProvider: explained.provider !== null && explained.provider !== "other",
  });
  const permanent = isPermanent(draft, codes, context.kind === "dsn");
  const status =
    codes.status ??
    (reason === "feedback" || reason === "vacation"
      ? null
      : placeholderStatus(placeholderReason(draft, reason), !hasTemporaryError(draft, replyCode)));
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
    providerToken: explained.providerToken,
    permanent,
    // A delayed recipient is still retried, so even an "unknown user" reply has not settled
    // that the address is bad.
    hardBounce:
      context.kind === "feedback" || context.kind === "auto-reply" || draft.action === "delayed"
        ? false
        : isHardBounce(reason, permanent),
    reason,
    feedbackType: draft.feedbackType,
    queueId: context.queueId,
    ...notesOf(draft, context.kind),
  };
}

// Only a DSN states its Action. The other readers derive it from the notice's wording, so a
// status that disagrees with it is no contradiction within the bounce.
function notesOf(draft: RecipientDraft, kind: BounceKind): { notes?: readonly string[] } {
  const contradiction = kind === "dsn" ? statusContradiction(draft.action, draft.status) : null;
  const notes = [...(draft.notes ?? []), ...(contradiction === null ? [] : [contradiction])];
  return notes.length === 0 ? {} : { notes };
}

// Exim lists a refusal of the envelope sender ("SMTP error from remote mail server after
// MAIL FROM:<…>") under each recipient, though none of them was tried. Sisimai's results
// give such recipients the on-hold placeholder (x.0.901) whatever reason the reply shows,
// and delist's placeholders follow Sisimai's so that both group alike.
function placeholderReason(draft: RecipientDraft, reason: BounceReason): BounceReason {
  return /\bSMTP error from remote mail server after MAIL FROM\b/i.test(draft.diagnostic)
    ? "onhold"
    : reason;
}
