/** Reads the recipients of an RFC 3464 delivery status notification. */
import { addressOfField, firstAddress } from "./address.js";
import {
  fieldType,
  isoTime,
  parseAction,
  parseDeliveryStatus,
  parseStatus,
  typedAddress,
  typedValue,
  type DeliveryStatus,
} from "../dsn.js";
import type { RecipientDraft } from "../types.js";
import type { RecipientBlock } from "./blocks.js";
import { commandOf } from "./command.js";
import { withCauseOfExpiry } from "./exchange.js";
import { reasonOfBounceCategory } from "./powermta.js";

/**
 * Turns delivery status fields into recipient drafts. A recipient without a
 * `Diagnostic-Code` gets the text that the human-readable part gives for it, when any.
 * `reportTime` is the notification's `Date` as ISO 8601, or null. `returnedTo` is the first
 * `To` address of the returned message, the recipient of a lone group that names none.
 */
export function draftsFromDeliveryStatus(
  fields: string,
  blocks: readonly RecipientBlock[],
  reportTime: string | null,
  returnedTo: string | null = null,
): RecipientDraft[] {
  const status = parseDeliveryStatus(fields);
  // Exim writes the file or pipe of a local delivery ("/mail/spool/…") as the
  // Final-Recipient. When the notification lists as many recipients, the one at the same
  // position names the address.
  const paired = blocks.length === status.recipients.length ? blocks : [];
  const lone = status.recipients.length === 1 ? returnedTo : null;
  return status.recipients.flatMap((group, index) => {
    const listed = { block: paired[index]?.recipient ?? null, returnedTo: lone };
    const draft = draftOfGroup(group, status, listed, reportTime);
    const single = blocks.length === 1 && status.recipients.length === 1;
    return draft === null ? [] : [withBlockText(draft, blocks, single)];
  });
}

/** Addresses found outside a recipient's fields: in the notification, in the returned message. */
interface ListedRecipient {
  readonly block: string | null;
  readonly returnedTo: string | null;
}

function draftOfGroup(
  group: ReadonlyMap<string, string>,
  status: DeliveryStatus,
  listed: ListedRecipient,
  reportTime: string | null,
): RecipientDraft | null {
  const named =
    addressOfField(typedAddress(group.get("final-recipient"))) ??
    addressOfField(typedAddress(group.get("original-recipient"))) ??
    firstAddress(group.get("x-actual-recipient"));
  const recipient = named ?? listed.block ?? listed.returnedTo;
  if (recipient === null) return null;
  const unnamed = !group.has("final-recipient") && !group.has("original-recipient");
  const notes = unnamed ? [missingRecipientNote(named, listed)] : [];

  const diagnostic = group.get("diagnostic-code");
  const type = fieldType(diagnostic);
  const remoteMta = typedValue(group.get("remote-mta"))?.replace(/\.$/, "") ?? null;
  return {
    recipient,
    action: parseAction(group.get("action")),
    status: parseStatus(group.get("status")),
    diagnostic: diagnosticText(diagnostic) ?? statusComment(group.get("status")),
    remoteMta: remoteMta === null ? null : remoteMta.replace(/^\[|\]$/g, ""),
    // Arrival-Date is when the sending MTA received the message, which can be days before a
    // delay or failure is reported, so it serves only when the report has no date.
    time:
      isoTime(group.get("last-attempt-date")) ??
      reportTime ??
      isoTime(status.message.get("arrival-date")) ??
      null,
    // A local delivery program failed (procmail, a pipe): the MTA's mailer, not the address.
    reason:
      type === "x-unix"
        ? "mailererror"
        : reasonOfBounceCategory(group.get("x-powermta-bouncecategory")),
    command: null,
    replyCode: null,
    feedbackType: null,
    ...(notes.length === 0 ? {} : { notes }),
  };
}

function missingRecipientNote(named: string | null, listed: ListedRecipient): string {
  const missing = "The delivery status names no Final-Recipient or Original-Recipient";
  if (named !== null) return `${missing}, so the recipient is its X-Actual-Recipient.`;
  if (listed.block !== null) return `${missing}, so the recipient is the notification's.`;
  return `${missing}, so the recipient is the To address of the returned message.`;
}

/**
 * A diagnostic type before its semicolon (RFC 3464 section 2.3.6): one word such as `smtp`, or
 * an MTA's own such as `X-Postfix` or `x-unix`. A text before a semicolon with spaces or
 * digits first, such as `550 5.1.1 user unknown; mailbox disabled`, is part of the diagnostic.
 */
const DIAGNOSTIC_TYPE = /^\s*[a-z][a-z0-9.-]*\s*;/i;

/**
 * Returns the text of a `Diagnostic-Code` without its diagnostic type, or null when the field
 * is missing or empty. The type only names the program that failed, and `reason` keeps
 * `x-unix` as `mailererror`.
 */
function diagnosticText(value: string | undefined): string | null {
  if (value === undefined) return null;
  const text = value.replace(DIAGNOSTIC_TYPE, "").trim();
  return text === "" ? null : text;
}

/**
 * Completes a draft from the human-readable part: its text when the DSN has no
 * `Diagnostic-Code`, and the SMTP command, which Postfix writes only there
 * ("in reply to RCPT TO command"). The only block of a one-recipient bounce is the
 * recipient's even when it writes the address differently.
 */
function withBlockText(
  draft: RecipientDraft,
  blocks: readonly RecipientBlock[],
  single: boolean,
): RecipientDraft {
  const block =
    blocks.find((candidate) => candidate.recipient === draft.recipient) ??
    (single ? blocks[0] : undefined);
  const command =
    commandOf(draft.diagnostic) ?? (block === undefined ? null : commandOf(block.text));
  if (draft.diagnostic.trim() !== "") {
    return withCauseOfExpiry({ ...draft, command }, block?.text ?? "");
  }
  return { ...draft, diagnostic: block?.text ?? "", command };
}

/**
 * Returns the comment of a `Status` field as error text ("4.0.0 (cat.example.net: host
 * name lookup failure)"), unless it only names the class or an "other or undefined" code
 * in RFC 3463's words ("(permanent failure)", "(other or undefined network or routing
 * status)"), which adds nothing to the code.
 */
function statusComment(value: string | undefined): string {
  const comment = /\(([^()]+)\)\s*$/.exec(value ?? "")?.[1]?.trim() ?? "";
  return /\b(?:permanent|temporary|transient) failure\b|other or undefined/i.test(comment)
    ? ""
    : comment;
}

/** True when the text contains DSN recipient fields written as plain text. */
export function hasInlineDeliveryStatus(text: string): boolean {
  return /^\s*Final-Recipient:\s*\S/im.test(text) && /^\s*(?:Status|Action):\s*\S/im.test(text);
}
