import type { ProviderId } from "../knowledge/providers.js";
import type { ExplainedReply } from "../reply/types.js";
import type { Delivery } from "./delivery.js";
import type { ReplyHints } from "./explainer.js";
import { addCapped, occurrenceOf, type ReplyOccurrence } from "./replies.js";
import { increment } from "./time.js";

/**
 * Replies that say a recipient does not exist, by provider and by envelope sender. A high
 * share of them means an old or bought list, or a dictionary attack through this server.
 */
export class UnknownRecipientAnalyser {
  count = 0;
  /** Distinct outbound recipients attempted (first attempts), the denominator of the rate. */
  attempted = 0;
  first: ReplyOccurrence | null = null;
  readonly byProvider = new Map<ProviderId, number>();
  readonly codes = new Map<string, number>();
  readonly bySender = new Map<string, number>();
  /** First-attempt recipients by envelope sender, for each sender's own rate. */
  readonly attemptedBySender = new Map<string, number>();

  /** `explainFully` gives the evidence text of the first unknown-recipient reply. */
  constructor(private readonly explainFully: (text: string, hints: ReplyHints) => ExplainedReply) {}

  addDelivery(delivery: Delivery, reply: ExplainedReply | null): void {
    const event = delivery.event;
    const sender = event.message.sender ?? "";
    if (event.firstAttempt && !event.message.isBounce) {
      this.attempted += 1;
      addCapped(this.attemptedBySender, sender);
    }
    if (reply === null || !reply.findings.includes("unknown-recipients")) return;
    if (event.status !== "bounced") return;

    this.count += 1;
    increment(this.byProvider, delivery.provider);
    const code = `${reply.replyCode ?? ""} ${reply.enhancedStatus ?? ""}`.trim();
    increment(this.codes, code === "" ? "?" : code);
    addCapped(this.bySender, sender);
    if ((this.first === null || event.time < this.first.time) && event.response !== null) {
      const hints = { relayHost: event.relayHost, recipient: event.recipient, dsn: event.dsn };
      this.first = occurrenceOf(
        this.explainFully(event.response, hints),
        event.time,
        event.position,
        event.recipient,
        event.relayHost,
      );
    }
  }
}
