import { PROVIDER_NAMES, type ProviderId } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural } from "./build.js";

/**
 * Gmail, Yahoo and Outlook.com ask bulk senders to keep the share of mail reported as spam
 * under 0.3 %; above it, reputation drops and mitigation stops (support.google.com/mail/answer/81126).
 */
export const MAX_COMPLAINT_RATE = 0.003;

/**
 * `spam-complaints`: recipients marked the server's mail as spam, as ARF feedback reports
 * (from the providers' feedback loops) show. With logs of the same period the rate against
 * the outbound recipients is given too. Reports dated more than a day before or a week after
 * the mail log are not counted here, because the analyser leaves them out and an input note
 * counts them.
 */
export function detectSpamComplaints(context: DiagnoseContext): Finding | null {
  const complaints = context.facts.complaints;
  if (complaints.count === 0) return null;

  const outbound = [...context.facts.volume.hours.values()].reduce(
    (sum, hour) => sum + hour.recipients,
    0,
  );
  const rate = outbound > 0 ? complaints.count / outbound : null;
  const severe = rate !== null ? rate >= MAX_COMPLAINT_RATE : complaints.count >= 10;
  const senders = [...complaints.bySender].sort((a, b) => b[1] - a[1]).slice(0, 5);
  const providers = [...complaints.byProvider].map(([id, count]) => ({
    provider: id === "unknown" ? "unknown" : PROVIDER_NAMES[id as ProviderId],
    count,
  }));

  return finding("spam-complaints", {
    severity: severe ? "critical" : "warning",
    role: "cause",
    title: `Recipients reported ${plural(complaints.count, "message")} as spam`,
    summary:
      `Feedback reports from ${providers.map((entry) => entry.provider).join(", ")}` +
      (rate !== null
        ? `: ${(rate * 100).toFixed(2)} % of the ${outbound.toLocaleString("en-US")} outbound recipients in the logs.`
        : "."),
    evidence: {
      count: complaints.count,
      outboundRecipients: outbound,
      rate: rate === null ? null : Math.round(rate * 100_000) / 100_000,
      byProvider: Object.fromEntries(providers.map((entry) => [entry.provider, entry.count])),
      feedbackTypes: Object.fromEntries(complaints.byFeedbackType),
      senders: senders.map(([sender, count]) => ({ sender, count })),
      first: context.timeOrNull(complaints.firstTime),
      last: context.timeOrNull(complaints.lastTime),
    },
    samples:
      complaints.firstFile === null
        ? []
        : [
            {
              file: complaints.firstFile,
              line: 1,
              time: context.timeOrNull(complaints.firstTime),
              text: "first feedback report",
            },
          ],
    fix: [
      "Find which mailing or sender drew the complaints (the senders in its evidence) and stop mailing recipients who did not ask for it.",
      "Add a visible unsubscribe link and RFC 8058 one-click unsubscribe (List-Unsubscribe and List-Unsubscribe-Post), and honour it within two days.",
      "Remove every address that complained from all lists at once.",
      "Keep the spam rate under 0.3 % (under 0.1 % to be safe); watch it in Gmail Postmaster Tools and Yahoo's and Microsoft's feedback loops.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailPostmaster],
  });
}
