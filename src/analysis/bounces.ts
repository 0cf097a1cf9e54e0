import type { BounceResult } from "../bounce/types.js";
import type { ProviderId } from "../knowledge/providers.js";
import { newLoggedMessage, type DeliveryEvent, type DeliveryStatus } from "../logs/events.js";
import { addCapped } from "./replies.js";
import { detach, increment } from "./time.js";

/** Spam complaints from ARF feedback reports (RFC 5965). */
export class ComplaintAnalyser {
  count = 0;
  firstTime: number | null = null;
  lastTime: number | null = null;
  firstFile: string | null = null;
  readonly byProvider = new Map<ProviderId | "unknown", number>();
  readonly byFeedbackType = new Map<string, number>();
  /** The envelope senders of the complained-about mail, capped in size. */
  readonly bySender = new Map<string, number>();

  add(result: BounceResult): void {
    this.count += 1;
    increment(this.byProvider, result.provider ?? "unknown");
    increment(this.byFeedbackType, result.feedbackType ?? "abuse");
    if (result.originalSender !== null) addCapped(this.bySender, result.originalSender);
    const time = resultTime(result);
    if (time === null) return;
    if (this.firstTime === null || time < this.firstTime) {
      this.firstTime = time;
      this.firstFile = detach(result.file);
    }
    if (this.lastTime === null || time > this.lastTime) this.lastTime = time;
  }
}

/** Counts of what the bounce inputs contained, for the report. */
export class BounceInputAnalyser {
  results = 0;
  failed = 0;
  delayed = 0;
  complaints = 0;
  autoReplies = 0;
  /** Results without a usable time, left out of timelines. */
  undated = 0;
  /**
   * Failed and delayed recipients dated well outside the mail log's time, left out of the verdict
   * and findings, because an old bounce shows nothing about the time the log covers. They are
   * also counted in `failed` and `delayed`.
   */
  outsideLog = 0;
  /** Spam complaints dated well outside the mail log's time, left out of the spam-complaints finding. */
  complaintsOutsideLog = 0;
  /**
   * Failed and delayed recipients whose attempt the mail log also shows, left out of the
   * delivery evidence so that the attempt counts once. They are also counted in `failed` and
   * `delayed`.
   */
  alreadyLogged = 0;
  /**
   * Envelope sender domains of the returned messages of failed and delayed recipients, capped
   * in size. A bounce goes back to the envelope sender, so these count as this server's own.
   */
  readonly senderDomains = new Map<string, number>();
}

const ACTION_STATUS: Readonly<Record<string, DeliveryStatus>> = {
  failed: "bounced",
  delayed: "deferred",
  delivered: "sent",
  relayed: "sent",
  expanded: "sent",
};

/**
 * Turns one recipient of a bounce into the delivery result the log analysers read: the
 * receiver's reply as the response, the bounce's remote MTA as the relay. Returns null for
 * results that report no delivery (auto-replies, complaints) or carry no time.
 */
export function bounceDelivery(result: BounceResult): DeliveryEvent | null {
  if (result.kind === "auto-reply" || result.kind === "feedback") return null;
  const time = resultTime(result);
  if (time === null) return null;
  const status: DeliveryStatus =
    result.action === null
      ? result.permanent
        ? "bounced"
        : "deferred"
      : (ACTION_STATUS[result.action] ?? "other");
  const position = { file: result.file, line: 1 };
  const message = newLoggedMessage("bounce", "", result.file, time, position);
  message.sender = result.originalSender;
  return {
    type: "delivery",
    time,
    position,
    message,
    recipient: result.recipient,
    originalRecipient: null,
    status,
    transport: "bounce",
    remote: true,
    relayHost: result.remoteMta,
    relayIp: null,
    dsn: result.status,
    response: responseOf(result),
    firstAttempt: true,
  };
}

// The reply as a log would show it: with its reply code, when the bounce kept it apart.
function responseOf(result: BounceResult): string | null {
  const text = result.diagnosticText.trim();
  if (text === "") return null;
  if (result.replyCode === null || text.startsWith(String(result.replyCode))) return text;
  return `${result.replyCode} ${text}`;
}

/**
 * Returns a result's time in epoch milliseconds: the time the bounce or feedback report states,
 * else the Date of the message that carried it, or null when neither parses.
 */
export function resultTime(result: BounceResult): number | null {
  const time = Date.parse(result.time ?? result.messageDate ?? "");
  return Number.isFinite(time) ? time : null;
}
