/** Reads the recipients of an RFC 3464 delivery status notification. */
import { firstAddress } from "./address.js";
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

/**
 * Turns delivery status fields into recipient drafts. A recipient without a
 * `Diagnostic-Code` gets the text that the human-readable part gives for it, when any.
 */
export function draftsFromDeliveryStatus(
  fields: string,
  blocks: readonly RecipientBlock[],
): RecipientDraft[] {
  const status = parseDeliveryStatus(fields);
  return status.recipients.flatMap((group) => {
    const draft = draftOfGroup(group, status);
    return draft === null ? [] : [withBlockText(draft, blocks)];
  });
}

function draftOfGroup(
  group: ReadonlyMap<string, string>,
  status: DeliveryStatus,
): RecipientDraft | null {
  const recipient =
    firstAddress(typedAddress(group.get("final-recipient"))) ??
    firstAddress(typedAddress(group.get("original-recipient"))) ??
    firstAddress(group.get("x-actual-recipient"));
  if (recipient === null) return null;

  const diagnostic = group.get("diagnostic-code");
  const type = fieldType(diagnostic);
  const remoteMta = typedValue(group.get("remote-mta"))?.replace(/\.$/, "") ?? null;
  return {
    recipient,
    action: parseAction(group.get("action")),
    status: parseStatus(group.get("status")),
    // Non-SMTP diagnostics keep their type, which says which program failed (x-unix, x-postfix).
    diagnostic:
      type !== null && type !== "smtp" && diagnostic !== undefined
        ? `${type}; ${typedValue(diagnostic) ?? ""}`
        : (typedValue(diagnostic) ?? diagnostic ?? ""),
    remoteMta: remoteMta === null ? null : remoteMta.replace(/^\[|\]$/g, ""),
    time:
      isoTime(group.get("last-attempt-date")) ??
      isoTime(status.message.get("arrival-date")) ??
      null,
    // A local delivery program failed (procmail, a pipe): the MTA's mailer, not the address.
    reason: type === "x-unix" ? "mailererror" : null,
    command: null,
    feedbackType: null,
  };
}

/**
 * Completes a draft from the human-readable part: its text when the DSN has no
 * `Diagnostic-Code`, and the SMTP command, which Postfix writes only there
 * ("in reply to RCPT TO command").
 */
function withBlockText(draft: RecipientDraft, blocks: readonly RecipientBlock[]): RecipientDraft {
  const block = blocks.find((candidate) => candidate.recipient === draft.recipient);
  const command =
    commandOf(draft.diagnostic) ?? (block === undefined ? null : commandOf(block.text));
  if (draft.diagnostic.trim() !== "") return { ...draft, command };
  const text = (block ?? blocks[0])?.text ?? "";
  return { ...draft, diagnostic: text, command };
}

/** True when the text contains DSN recipient fields written as plain text. */
export function hasInlineDeliveryStatus(text: string): boolean {
  return /^\s*Final-Recipient:\s*\S/im.test(text) && /^\s*(?:Status|Action):\s*\S/im.test(text);
}
