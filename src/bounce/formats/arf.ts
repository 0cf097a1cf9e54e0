/** Spam complaints in the Abuse Reporting Format (RFC 5965) and Microsoft's older JMRP form. */
import { firstAddress } from "./address.js";
import { parseDeliveryStatus } from "../dsn.js";
import { headerValue, type BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

/** True when the message is a feedback report or a Hotmail/Outlook.com complaint. */
export function isFeedbackReport(message: BounceMessage): boolean {
  if (message.feedbackReport !== null) return true;
  const contentType = headerValue(message, "content-type") ?? "";
  if (/report-type="?feedback-report/i.test(contentType)) return true;
  return /^X-HmXmrOriginalRecipient:/im.test(message.original ?? "");
}

/**
 * Returns one draft per complained-about recipient. The recipient is the report's
 * `Original-Rcpt-To` (RFC 5965 section 3.2), else `Removal-Recipient`, else the `To` of
 * the returned message.
 */
export function draftsFromFeedback(message: BounceMessage): RecipientDraft[] {
  const report = parseDeliveryStatus(message.feedbackReport ?? "").message;
  const original = message.original ?? "";
  const recipient =
    firstAddress(report.get("original-rcpt-to")) ??
    firstAddress(report.get("removal-recipient")) ??
    firstAddress(/^X-HmXmrOriginalRecipient:\s*(.+)$/im.exec(original)?.[1]) ??
    firstAddress(/^To:\s*(.+)$/im.exec(original)?.[1]) ??
    firstAddress(/^To:\s*(.+)$/im.exec(message.text)?.[1]);
  if (recipient === null) return [];

  const feedbackType = report.get("feedback-type")?.trim().toLowerCase() ?? "abuse";
  const sourceIp = report.get("source-ip") ?? null;
  return [
    {
      recipient,
      action: null,
      status: null,
      diagnostic: `feedback report (${feedbackType})${sourceIp === null ? "" : ` about ${sourceIp}`}`,
      remoteMta: report.get("reporting-mta")?.replace(/^[^;]*;\s*/, "") ?? null,
      time: null,
      reason: "feedback",
      command: null,
      feedbackType,
    },
  ];
}
