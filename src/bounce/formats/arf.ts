/** Spam complaints in the Abuse Reporting Format (RFC 5965) and Microsoft's older JMRP form. */
import { firstAddress } from "./address.js";
import { parseDeliveryStatus } from "../dsn.js";
import { headerValue, type BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

/** True when the message is a feedback report or a Hotmail/Outlook.com complaint. */
export function isFeedbackReport(message: BounceMessage): boolean {
  if (reportText(message) !== null) return true;
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
  const text = reportText(message) ?? "";
  const report = parseDeliveryStatus(text).message;
  const feedbackType = report.get("feedback-type")?.trim().toLowerCase() ?? "abuse";
  const sourceIp = report.get("source-ip") ?? null;
  return complainedRecipients(message, text).map((recipient) => draftOf(recipient));

  function draftOf(recipient: string): RecipientDraft {
    return {
      recipient,
      action: null,
      status: null,
      diagnostic: `feedback report (${feedbackType})${sourceIp === null ? "" : ` about ${sourceIp}`}`,
      remoteMta: report.get("reporting-mta")?.replace(/^[^;]*;\s*/, "") ?? null,
      time: null,
      reason: "feedback",
      command: null,
      feedbackType,
    };
  }
}

/** The report fields: the `message/feedback-report` part, or the same fields in the text of a forwarded report. */
function reportText(message: BounceMessage): string | null {
  if (message.feedbackReport !== null) return message.feedbackReport;
  for (const text of [message.text, message.original ?? ""]) {
    const start = text.search(/^Feedback-Type:[ \t]*\S/im);
    if (start >= 0) return text.slice(Math.max(0, text.lastIndexOf("\n\n", start)));
  }
  return null;
}

// Every Original-Rcpt-To (a report may name several), else Removal-Recipient, else the
// recipient the returned message names, else the address the report was sent to.
function complainedRecipients(message: BounceMessage, report: string): string[] {
  const listed = [...report.matchAll(/^(?:Original-Rcpt-To|Removal-Recipient):[ \t]*(.+)$/gim)]
    .map((match) => firstAddress(match[1]))
    .filter((address): address is string => address !== null);
  if (listed.length > 0) return [...new Set(listed)];

  const original = message.original ?? "";
  const single =
    firstAddress(/^X-HmXmrOriginalRecipient:\s*(.+)$/im.exec(original)?.[1]) ??
    firstAddress(/^To:\s*(.+)$/im.exec(original)?.[1]) ??
    message.to;
  return single === null ? [] : [single];
}
