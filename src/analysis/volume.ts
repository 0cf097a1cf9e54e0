import type { LinePosition, LoggedMessage } from "../logs/events.js";
import type { Delivery } from "./delivery.js";
import { HourSenders } from "./hour-senders.js";
import { hourOf } from "./time.js";

/** Outbound volume in one hour: new recipients and messages, and who sent them. */
export interface HourVolume {
  recipients: number;
  messages: number;
  /**
   * Recipients by envelope sender, at most `MAX_SENDERS_PER_HOUR` senders: those that send the
   * most (see `HourSenders`).
   */
  readonly senders: HourSenders;
  /** The earliest message of the hour. */
  firstTime: number;
  firstPosition: LinePosition;
}

/**
 * A sender with more than 1/64 of an hour's recipients is always among the stored senders of
 * that hour (see `HourSenders`).
 */
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
        senders: new HourSenders(MAX_SENDERS_PER_HOUR),
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
    hour.senders.add(state.message.sender, state.message.firstTime);
  }
}
