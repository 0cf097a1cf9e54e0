import type { LinePosition, LoggedMessage } from "../logs/events.js";
import type { Delivery } from "./delivery.js";
import { detach, hourOf } from "./time.js";

/** Outbound recipients of one envelope sender in one hour. */
export interface SenderHour {
  recipients: number;
  /** When the sender's earliest message of the hour entered the queue (epoch ms). */
  firstTime: number;
}

/** Outbound volume in one hour: new recipients and messages, and who sent them. */
export interface HourVolume {
  recipients: number;
  messages: number;
  /**
   * Recipients by envelope sender, capped at `MAX_SENDERS_PER_HOUR` senders. The key is "" for
   * the null sender `<>` and null for messages whose sender the log does not show.
   */
  readonly senders: Map<string | null, SenderHour>;
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
  // Messages come mostly in time order, so most belong to the hour of the one before.
  private lastKey = NaN;
  private lastVolume: HourVolume | undefined = undefined;

  /** Returns the counters of the hour `message` was submitted in; null for bounces. */
  hourFor(message: LoggedMessage): HourVolume | null {
    if (message.isBounce) return null;
    const key = hourOf(message.firstTime);
    let volume = key === this.lastKey ? this.lastVolume : this.hours.get(key);
    if (volume === undefined) {
      volume = {
        recipients: 0,
        messages: 0,
        senders: new Map(),
        firstTime: message.firstTime,
        firstPosition: message.firstPosition,
      };
      this.hours.set(key, volume);
    } else if (message.firstTime < volume.firstTime) {
      volume.firstTime = message.firstTime;
      volume.firstPosition = message.firstPosition;
    }
    this.lastKey = key;
    this.lastVolume = volume;
    return volume;
  }

  addDelivery(delivery: Delivery): void {
    const { event, state } = delivery;
    const hour = state.volumeHour;
    if (!event.firstAttempt || hour === null) return;
    hour.recipients += 1;
    if (!state.counted) {
      state.counted = true;
      hour.messages += 1;
    }
    const { sender, firstTime } = state.message;
    const known = hour.senders.get(sender);
    if (known !== undefined) {
      known.recipients += 1;
      // Deliveries come in the order of their attempts, not of the messages' submission.
      if (firstTime < known.firstTime) known.firstTime = firstTime;
    } else if (hour.senders.size < MAX_SENDERS_PER_HOUR) {
      hour.senders.set(sender === null ? null : detach(sender), { recipients: 1, firstTime });
    }
  }
}
