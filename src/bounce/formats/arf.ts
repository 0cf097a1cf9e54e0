/**
 * Spam complaints in the Abuse Reporting Format (RFC 5965) and Microsoft's older JMRP form,
 * and Apple Mail's unsubscribe requests.
 */
import { firstAddress } from "./address.js";
import { parseDeliveryStatus } from "../dsn.js";
import { headerValue, type BounceMessage } from "../mime.js";
import { isoDate } from "../mime-shared.js";
import type { RecipientDraft } from "../types.js";

/**
 * True when the message is a feedback report, a Hotmail/Outlook.com complaint or an
 * unsubscribe request from Apple Mail.
 */
export function isFeedbackReport(message: BounceMessage): boolean {
  if (reportText(message) !== null || isAppleUnsubscribe(message)) return true;
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
  if (isAppleUnsubscribe(message) && reportText(message) === null) {
    return draftFromUnsubscribe(message);
  }
  const text = reportText(message) ?? "";
  const report = parseDeliveryStatus(text).message;
  const feedbackType = report.get("feedback-type")?.trim().toLowerCase() ?? "abuse";
  const sourceIp = report.get("source-ip") ?? null;
  // When the complained-about message arrived (RFC 5965 section 3.2), which a report without
  // a readable Date header still gives.
  const arrived = isoDate(report.get("arrival-date") ?? report.get("received-date"));
  return complainedRecipients(message, text).map((recipient) => draftOf(recipient));

  function draftOf(recipient: string): RecipientDraft {
    return {
      recipient,
      action: null,
      status: null,
      diagnostic: `feedback report (${feedbackType})${sourceIp === null ? "" : ` about ${sourceIp}`}`,
      remoteMta: report.get("reporting-mta")?.replace(/^[^;]*;\s*/, "") ?? null,
      time: arrived,
      reason: "feedback",
      command: null,
      replyCode: null,
      feedbackType,
    };
  }
}

/** The report fields: the `message/feedback-report` part, or the same fields in the text of a forwarded report. */
function reportText(message: BounceMessage): string | null {
  if (message.feedbackReport !== null) return message.feedbackReport;
  for (const text of [message.text, message.original ?? ""]) {
    // A plain search for the field name first: the anchored pattern scans far slower.
    if (!/feedback-type:/i.test(text)) continue;
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

/**
 * True for the message that Apple Mail's "Unsubscribe" button sends to the address of a
 * list's `List-Unsubscribe` header: it carries `X-Apple-Unsubscribe: true`, and its own
 * `Auto-Submitted: auto-replied` must not make it read as an automatic reply.
 */
function isAppleUnsubscribe(message: BounceMessage): boolean {
  return headerValue(message, "x-apple-unsubscribe")?.trim().toLowerCase() === "true";
}

// The person who asked to stop is the sender of the request. "opt-out" is the feedback type
// that bounce processors (Sisimai among them) give such requests.
function draftFromUnsubscribe(message: BounceMessage): RecipientDraft[] {
  const recipient = message.from ?? firstAddress(headerValue(message, "reply-to"));
  if (recipient === null) return [];
  return [
    {
      recipient,
      action: null,
      status: null,
      diagnostic: "unsubscribe request sent by Apple Mail",
      remoteMta: null,
      time: message.date,
      reason: "feedback",
      command: null,
      replyCode: null,
      feedbackType: "opt-out",
    },
  ];
}
