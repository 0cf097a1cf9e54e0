/**
 * Amazon SES notifications delivered by e-mail through SNS: a JSON document (bare, or inside
 * an SNS envelope's `Message` string) with `notificationType` Bounce, Complaint or Delivery.
 */
import type { BounceAction, BounceReason, RecipientDraft } from "../types.js";
import { normaliseAddress } from "./address.js";

interface SesRecipient {
  readonly emailAddress?: unknown;
  readonly action?: unknown;
  readonly status?: unknown;
  readonly diagnosticCode?: unknown;
}

interface SesNotification {
  readonly notificationType?: unknown;
  readonly eventType?: unknown;
  readonly bounce?: {
    readonly bouncedRecipients?: readonly SesRecipient[];
    readonly reportingMTA?: unknown;
    readonly timestamp?: unknown;
  };
  readonly complaint?: {
    readonly complainedRecipients?: readonly SesRecipient[];
    readonly complaintFeedbackType?: unknown;
    readonly timestamp?: unknown;
  };
  readonly delivery?: {
    readonly recipients?: readonly unknown[];
    readonly smtpResponse?: unknown;
    readonly reportingMTA?: unknown;
    readonly timestamp?: unknown;
  };
}

/** Returns the SES notification in a message body, or null when the body is none. */
export function sesNotification(text: string): SesNotification | null {
  const start = text.indexOf("{");
  if (start < 0 || !/"(?:notificationType|eventType)"|"Message"\s*:/.test(text)) return null;
  // SNS folds lines longer than 990 characters with "!", a line end and a space.
  const json = text.slice(start, text.lastIndexOf("}") + 1).replace(/!\r?\n /g, "");
  const outer = parseObject(json);
  if (outer === null) return null;
  const message = (outer as { Message?: unknown }).Message;
  const inner = typeof message === "string" ? parseObject(message) : outer;
  const type = inner?.notificationType ?? inner?.eventType;
  return type === "Bounce" || type === "Complaint" || type === "Delivery" ? inner : null;
}

/** Returns one draft per recipient of the notification. */
export function draftsFromSes(notification: SesNotification): RecipientDraft[] {
  const type = notification.notificationType ?? notification.eventType;
  if (type === "Complaint") {
    const complaint = notification.complaint;
    const feedbackType = text(complaint?.complaintFeedbackType) ?? "abuse";
    return (complaint?.complainedRecipients ?? []).flatMap((recipient) =>
      draft(recipient.emailAddress, {
        diagnostic: `feedback report (${feedbackType})`,
        reason: "feedback",
        feedbackType,
        time: text(complaint?.timestamp),
      }),
    );
  }
  if (type === "Delivery") {
    const delivery = notification.delivery;
    return (delivery?.recipients ?? []).flatMap((recipient) =>
      draft(recipient, {
        action: "delivered",
        diagnostic: text(delivery?.smtpResponse) ?? "",
        remoteMta: text(delivery?.reportingMTA),
        time: text(delivery?.timestamp),
      }),
    );
  }
  const bounce = notification.bounce;
  return (bounce?.bouncedRecipients ?? []).flatMap((recipient) =>
    draft(recipient.emailAddress, {
      action: text(recipient.action) === "failed" ? "failed" : null,
      status: text(recipient.status),
      diagnostic: (text(recipient.diagnosticCode) ?? "").replace(/^smtp;\s*/i, ""),
      time: text(bounce?.timestamp),
    }),
  );
}

interface DraftFields {
  readonly action?: BounceAction | null;
  readonly status?: string | null;
  readonly diagnostic: string;
  readonly remoteMta?: string | null;
  readonly time?: string | null;
  readonly reason?: BounceReason | null;
  readonly feedbackType?: string | null;
}

function draft(address: unknown, fields: DraftFields): RecipientDraft[] {
  const recipient = text(address);
  if (recipient === null || !recipient.includes("@")) return [];
  return [
    {
      recipient: normaliseAddress(recipient),
      action: fields.action ?? null,
      status: fields.status ?? null,
      diagnostic: fields.diagnostic,
      remoteMta: fields.remoteMta ?? null,
      time: fields.time ?? null,
      reason: fields.reason ?? null,
      command: null,
      replyCode: null,
      feedbackType: fields.feedbackType ?? null,
    },
  ];
}

function parseObject(json: string): SesNotification | null {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "object" && value !== null ? (value as SesNotification) : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
