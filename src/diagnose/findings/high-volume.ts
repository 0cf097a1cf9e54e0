import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding } from "./build.js";
import { dailyRecipients } from "./volume-spike.js";
import { toPoints } from "../series.js";

/**
 * Gmail treats a sender of about 5,000 messages a day to personal accounts as a bulk sender
 * with stricter rules (support.google.com/mail/answer/81126). The hourly threshold is a
 * judgement, not a published limit: 1,000 recipients in one hour is the kind of burst that big
 * receivers throttle whatever the daily total.
 */
export const BULK_RECIPIENTS_PER_DAY = 5000;
export const HIGH_RECIPIENTS_PER_HOUR = 1000;

/** `high-volume`: the server sends bulk volumes, with the stricter rules that brings. */
export function detectHighVolume(context: DiagnoseContext): Finding | null {
  const hours = toPoints([...context.facts.volume.hours].map(([hour, v]) => [hour, v.recipients]));
  const peakHour = hours.reduce((best, point) => (point.value > best.value ? point : best), {
    hour: 0,
    value: 0,
  });
  const days = dailyRecipients(context);
  const peakDay = days.reduce((best, day) => (day.recipients > best.recipients ? day : best), {
    day: 0,
    recipients: 0,
  });
  if (peakHour.value < HIGH_RECIPIENTS_PER_HOUR && peakDay.recipients < BULK_RECIPIENTS_PER_DAY)
    return null;

  const bulk = peakDay.recipients >= BULK_RECIPIENTS_PER_DAY;
  return finding("high-volume", {
    severity: "info",
    role: "contributing",
    title: bulk
      ? `The server sends bulk volumes: up to ${peakDay.recipients.toLocaleString("en-US")} recipients a day`
      : `The server sends bursts of up to ${peakHour.value.toLocaleString("en-US")} recipients an hour`,
    summary: bulk
      ? "At this volume Gmail, Yahoo and Outlook.com apply their bulk-sender rules: SPF and DKIM both pass, DMARC published and aligned, one-click unsubscribe, spam rate under 0.3 %."
      : `Bursts this large look like bulk mail to receivers, which throttle them. Gmail's bulk-sender rules start at about 5,000 messages a day to personal accounts; this log shows up to ${peakDay.recipients.toLocaleString("en-US")} recipients a day.`,
    evidence: {
      peakRecipientsPerHour: peakHour.value,
      peakHour: context.time(peakHour.hour),
      peakRecipientsPerDay: peakDay.recipients,
      peakDay: context.time(peakDay.day).slice(0, 10),
      thresholds: {
        recipientsPerHour: HIGH_RECIPIENTS_PER_HOUR,
        recipientsPerDay: BULK_RECIPIENTS_PER_DAY,
      },
    },
    fix: [
      "Meet the bulk-sender requirements: SPF and DKIM pass, a DMARC record aligned with the From domain, and RFC 8058 one-click unsubscribe on marketing mail.",
      "Spread campaigns over time instead of sending them in one hour.",
      "Register the sending domain in Gmail Postmaster Tools and the sending IPs in Microsoft SNDS to see the reputation receivers give them.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailPostmaster],
  });
}
