import type { DeliveryEvent, LinePosition } from "../logs/events.js";
import { detach, hourOf, increment } from "./time.js";

/** Outbound volume in one hour: new recipients and messages, and who sent them. */
export interface HourVolume {
  recipients: number;
  messages: number;
  /** Recipients by envelope sender, capped at `MAX_SENDERS_PER_HOUR` senders. */
  readonly senders: Map<string, number>;
  /** The earliest message of the hour. */
  firstTime: number;
  firstPosition: LinePosition;
}

const MAX_SENDERS_PER_HOUR = 64;

/**
 * Outbound recipients per hour, counted once per message and recipient (first remote
 * attempt) and placed in the hour the message entered the queue, so retries do not inflate
 * the volume and a burst shows up where it was submitted.
 */
export class VolumeAnalyser {
  readonly hours = new Map<number, HourVolume>();
  private readonly countedMessages = new WeakSet<object>();

  addDelivery(event: DeliveryEvent): void {
    if (!event.firstAttempt || event.message.isBounce) return;
    const message = event.message;
    const hour = this.hourVolume(
      hourOf(message.firstTime),
      message.firstTime,
      message.firstPosition,
    );
    if (message.firstTime < hour.firstTime) {
      hour.firstTime = message.firstTime;
      hour.firstPosition = message.firstPosition;
    }
    hour.recipients += 1;
    if (!this.countedMessages.has(event.message)) {
      this.countedMessages.add(event.message);
      hour.messages += 1;
    }
    const sender = event.message.sender ?? "";
    if (hour.senders.has(sender) || hour.senders.size < MAX_SENDERS_PER_HOUR) {
      increment(hour.senders, hour.senders.has(sender) ? sender : detach(sender));
    }
  }

  private hourVolume(hour: number, firstTime: number, firstPosition: LinePosition): HourVolume {
    let volume = this.hours.get(hour);
    if (volume === undefined) {
      volume = { recipients: 0, messages: 0, senders: new Map(), firstTime, firstPosition };
      this.hours.set(hour, volume);
    }
    return volume;
  }
}
