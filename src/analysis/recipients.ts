import type { ProviderId } from "../knowledge/providers.js";
import type { ExplainedReply } from "../reply/types.js";
import type { Delivery } from "./delivery.js";
import type { ReplyHints } from "./explainer.js";
import type { LoggedMessage } from "../logs/events.js";
import { occurrenceOf, type ReplyOccurrence } from "./replies.js";
import { detach, increment } from "./time.js";

/** Outbound recipients of one envelope sender and how many of them did not exist. */
export interface SenderCounts {
  attempted: number;
  unknown: number;
}

const MAX_SENDERS = 10_000;

/**
 * Replies that report an unknown recipient, by provider and by envelope sender. A high
 * share of them means an old or bought list, or a dictionary attack through this server.
 */
export class UnknownRecipientAnalyser {
  count = 0;
  /** Of `count`, the unknown recipients reported by bounce messages rather than logs. */
  fromBounces = 0;
  /** Distinct outbound recipients attempted (first attempts), the denominator of the rate. */
  attempted = 0;
  first: ReplyOccurrence | null = null;
  readonly byProvider = new Map<ProviderId, number>();
  readonly codes = new Map<string, number>();
  /** Counts by envelope sender ("" for the null sender), capped in size. */
  readonly bySender = new Map<string, SenderCounts>();

  /** `explainFully` gives the evidence text of the first unknown-recipient reply. */
  constructor(private readonly explainFully: (text: string, hints: ReplyHints) => ExplainedReply) {}

  /** Returns the counters of the message's envelope sender, or null past the cap. */
  countsFor(message: LoggedMessage): SenderCounts | null {
    const sender = message.sender ?? "";
    const known = this.bySender.get(sender);
    if (known !== undefined) return known;
    if (this.bySender.size >= MAX_SENDERS) return null;
    const created = { attempted: 0, unknown: 0 };
    this.bySender.set(detach(sender), created);
    return created;
  }

  addDelivery(delivery: Delivery, reply: ExplainedReply | null): void {
    const { event, state } = delivery;
    const fromBounce = event.message.mta === "bounce";
    if (event.firstAttempt && !event.message.isBounce && !fromBounce) {
      this.attempted += 1;
      if (state.sender !== null) state.sender.attempted += 1;
    }
    if (reply === null || !reply.findings.includes("unknown-recipients")) return;
    if (event.status !== "bounced") return;

    this.count += 1;
    if (fromBounce) this.fromBounces += 1;
    increment(this.byProvider, delivery.provider);
    const code = `${reply.replyCode ?? ""} ${reply.enhancedStatus ?? ""}`.trim();
    increment(this.codes, code === "" ? "?" : code);
    if (state.sender !== null) state.sender.unknown += 1;
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
