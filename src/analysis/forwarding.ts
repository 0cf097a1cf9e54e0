import { domainOf } from "../knowledge/providers.js";
import type { LinePosition } from "../logs/events.js";
import type { ExplainedReply } from "../reply/types.js";
import type { Delivery } from "./delivery.js";
import { addCapped, isBlockSignal } from "./replies.js";
import { detach, increment } from "./time.js";

const MAX_ALIASES = 200;

/**
 * Mail that arrived for a local address and left again to another server because of an
 * alias or forward (Postfix `orig_to=`, Exim's `<parent>`). Forwarding spam to Gmail ruins
 * the forwarding server's reputation, and forwarding without SRS fails SPF and DMARC.
 */
export class ForwardingAnalyser {
  messages = 0;
  attempts = 0;
  sent = 0;
  blockedAttempts = 0;
  /** Messages whose envelope sender was rewritten with SRS (`SRS0=`/`SRS1=`). */
  srsMessages = 0;
  first: { time: number; position: LinePosition } | null = null;
  readonly aliases = new Map<string, string>();
  readonly messagesByAlias = new Map<string, number>();
  readonly recipientsByOperator = new Map<string, number>();
  /** Envelope sender domains of forwarded messages. */
  readonly senderDomains = new Map<string, number>();
  readonly blockRules = new Map<string, number>();

  addDelivery(delivery: Delivery, reply: ExplainedReply | null): void {
    const event = delivery.event;
    const original = event.originalRecipient;
    if (original === null || original.toLowerCase() === event.recipient.toLowerCase()) return;
    const message = event.message;
    if (message.saslUsername !== null || message.uid !== null || message.isBounce) return;

    this.attempts += 1;
    if (event.status === "sent") this.sent += 1;
    if (reply !== null && isBlockSignal(reply)) {
      this.blockedAttempts += 1;
      increment(this.blockRules, reply.ruleId);
    }
    if (this.first === null || event.time < this.first.time) {
      this.first = { time: event.time, position: { ...event.position } };
    }
    if (delivery.state.forwarded) return;

    delivery.state.forwarded = true;
    this.messages += 1;
    const alias = original.toLowerCase();
    if (!this.aliases.has(alias) && this.aliases.size < MAX_ALIASES) {
      this.aliases.set(detach(alias), detach(event.recipient.toLowerCase()));
    }
    addCapped(this.messagesByAlias, alias);
    increment(this.recipientsByOperator, delivery.operator);
    const sender = message.sender ?? "";
    if (/^srs[01][=+-]/i.test(sender)) this.srsMessages += 1;
    const senderDomain = domainOf(sender);
    if (senderDomain !== null) addCapped(this.senderDomains, senderDomain);
  }
}
