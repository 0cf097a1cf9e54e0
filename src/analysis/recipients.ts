import type { ProviderId } from "../knowledge/providers.js";
import type { ExplainedReply } from "../reply/types.js";
import type { Delivery } from "./delivery.js";
import type { ClassifiedReply } from "./reply-cache.js";
import type { ReplyHints } from "./explainer.js";
import type { LinePosition, LoggedMessage } from "../logs/events.js";
import { occurrenceOf, type ReplyOccurrence } from "./replies.js";
import { DistinctCounter } from "./distinct.js";
import { detach, increment } from "./time.js";

/** Outbound recipients of one envelope sender and how many of them did not exist. */
export interface SenderCounts {
  attempted: number;
  unknown: number;
  /**
   * When the sender's latest outbound message entered the queue (epoch ms), or null while the
   * log shows no delivery attempt of its mail.
   */
  lastMessageTime: number | null;
  /**
   * When the latest of the sender's messages that got a block reply (spam, block list,
   * reputation) entered the queue (epoch ms), or null while none did.
   */
  lastBlockedMessageTime: number | null;
  /** The earliest unknown-recipient reply to this sender's mail, or null before the first. */
  first: ReplyOccurrence | null;
}

const MAX_SENDERS = 10_000;
/** Recipients kept to notice mail sent to them again after they bounced as unknown. */
const MAX_DEAD_RECIPIENTS = 100_000;
const MAX_REPEAT_SENDERS = 1000;

/** The first message that went to an address after it had bounced as unknown. */
export interface RepeatedRecipient {
  readonly time: number;
  readonly position: LinePosition;
  readonly recipient: string;
  readonly bouncedAt: number;
}

/** True when `event` has a reply and came before `first`, or there is no `first` yet. */
function isEarlier(event: Delivery["event"], first: ReplyOccurrence | null): boolean {
  return event.response !== null && (first === null || event.time < first.time);
}

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
  /**
   * Counts by envelope sender, capped in size. The key is "" for the null sender `<>` and null
   * for messages whose sender the log does not show.
   */
  readonly bySender = new Map<string | null, SenderCounts>();
  /**
   * Later messages to recipients that had bounced as unknown, a sign that the sender does not
   * remove dead addresses: recycled spam traps are dead addresses that were revived.
   */
  repeatedAttempts = 0;
  readonly repeatedRecipients = new DistinctCounter();
  /**
   * Repeated attempts per envelope sender ("" for the null sender), capped in size. Messages
   * whose sender the log does not show count only in `repeatedAttempts`.
   */
  readonly repeatsBySender = new Map<string, number>();
  firstRepeat: RepeatedRecipient | null = null;
  /** When each recipient (by hash) first bounced as unknown, capped in size. */
  private readonly deadRecipients = new Map<number, number>();

  /** `explainFully` gives the evidence text of the first unknown-recipient reply. */
  constructor(private readonly explainFully: (text: string, hints: ReplyHints) => ExplainedReply) {}

  /** Returns the counters of the message's envelope sender, or null past the cap. */
  countsFor(message: LoggedMessage): SenderCounts | null {
    const sender = message.sender;
    const known = this.bySender.get(sender);
    if (known !== undefined) return known;
    if (this.bySender.size >= MAX_SENDERS) return null;
    const created: SenderCounts = {
      attempted: 0,
      unknown: 0,
      lastMessageTime: null,
      lastBlockedMessageTime: null,
      first: null,
    };
    this.bySender.set(sender === null ? null : detach(sender), created);
    return created;
  }

  addDelivery(delivery: Delivery, classified: ClassifiedReply | null): void {
    const { event, state } = delivery;
    const fromBounce = event.message.mta === "bounce";
    if (event.firstAttempt && !event.message.isBounce && !fromBounce) {
      this.attempted += 1;
      if (state.sender !== null) addAttempt(state.sender, state.message.firstTime);
      if (this.deadRecipients.size > 0) this.checkRepeat(delivery);
    }
    if (classified?.blockSignal === true && state.sender !== null) {
      addBlocked(state.sender, state.message.firstTime);
    }
    if (classified === null || event.status !== "bounced") return;
    if (!classified.reply.findings.includes("unknown-recipients")) return;

    this.count += 1;
    if (fromBounce) this.fromBounces += 1;
    increment(this.byProvider, delivery.provider);
    increment(this.codes, classified.codeKey);
    const sender = state.sender;
    if (sender !== null) {
      sender.unknown += 1;
      if (isEarlier(event, sender.first)) sender.first = this.occurrenceOf(delivery);
    }
    if (!fromBounce && !this.deadRecipients.has(delivery.recipientHash)) {
      if (this.deadRecipients.size < MAX_DEAD_RECIPIENTS) {
        this.deadRecipients.set(delivery.recipientHash, event.time);
      }
    }
    if (isEarlier(event, this.first)) this.first = this.occurrenceOf(delivery);
  }

  /** Builds the evidence of an unknown-recipient reply, explained in full. */
  private occurrenceOf(delivery: Delivery): ReplyOccurrence {
    const { event } = delivery;
    const hints = { relayHost: event.relayHost, recipient: event.recipient, dsn: event.dsn };
    return occurrenceOf(
      this.explainFully(event.response ?? "", hints),
      event.time,
      event.position,
      event.recipient,
      event.relayHost,
    );
  }

  private checkRepeat(delivery: Delivery): void {
    const bouncedAt = this.deadRecipients.get(delivery.recipientHash);
    const { event } = delivery;
    if (bouncedAt === undefined || event.time <= bouncedAt) return;
    this.repeatedAttempts += 1;
    this.repeatedRecipients.addHash(delivery.recipientHash);
    const sender = event.message.sender;
    const known = sender !== null && this.repeatsBySender.has(sender);
    if (sender !== null && (known || this.repeatsBySender.size < MAX_REPEAT_SENDERS)) {
      increment(this.repeatsBySender, known ? sender : detach(sender));
    }
    if (this.firstRepeat === null || event.time < this.firstRepeat.time) {
      this.firstRepeat = {
        time: event.time,
        position: event.position,
        recipient: detach(event.recipient),
        bouncedAt,
      };
    }
  }
}

function addBlocked(counts: SenderCounts, messageTime: number): void {
  if (counts.lastBlockedMessageTime === null || messageTime > counts.lastBlockedMessageTime) {
    counts.lastBlockedMessageTime = messageTime;
  }
}

function addAttempt(counts: SenderCounts, messageTime: number): void {
  counts.attempted += 1;
  if (counts.lastMessageTime === null || messageTime > counts.lastMessageTime) {
    counts.lastMessageTime = messageTime;
  }
}
