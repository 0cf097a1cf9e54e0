import type { FrozenEvent, LinePosition } from "../logs/events.js";
import { DistinctCounter } from "./distinct.js";
import { detach } from "./time.js";

/** A message frozen in the queue: its id and the first line that showed it frozen. */
export interface FrozenMessage {
  readonly id: string;
  readonly since: number;
  readonly position: LinePosition;
}

/**
 * Maximum number of messages kept as frozen at once. A queue of frozen bounces can grow to
 * thousands. At an estimated 200 bytes an entry, this bounds the table at about 2 MB.
 */
export const MAX_FROZEN = 10_000;

/**
 * Messages that the MTA froze in its queue (Exim freezes a bounce that cannot be delivered), and
 * the ones still frozen at the end of the log.
 */
export class FrozenAnalyser {
  /** Distinct messages that the log shows frozen at least once. */
  readonly messages = new DistinctCounter();
  /** Messages frozen at the latest event, by server host and message id. */
  readonly stillFrozen = new Map<string, FrozenMessage>();
  /**
   * True once a frozen message was left out of `stillFrozen` because it was full. The messages
   * left out may still be frozen at the end, so `stillFrozen` is then a lower bound.
   */
  stillFrozenCapped = false;

  add(event: FrozenEvent): void {
    const message = event.message;
    const key = message.host === "" ? message.id : `${message.host} ${message.id}`;
    if (!event.frozen) {
      this.stillFrozen.delete(key);
      return;
    }
    this.messages.add(key);
    if (this.stillFrozen.has(key)) return;
    // Past the cap, later frozen messages are not kept, so `stillFrozen` then undercounts.
    // They froze later than those kept, so the oldest frozen message stays right.
    if (this.stillFrozen.size >= MAX_FROZEN) {
      this.stillFrozenCapped = true;
      return;
    }
    this.stillFrozen.set(detach(key), {
      id: detach(message.id),
      since: event.time,
      position: { ...event.position },
    });
  }

  /** Returns the message frozen longest among those still frozen, or null when none is. */
  oldest(): FrozenMessage | null {
    let oldest: FrozenMessage | null = null;
    for (const frozen of this.stillFrozen.values()) {
      if (oldest === null || frozen.since < oldest.since) oldest = frozen;
    }
    return oldest;
  }
}
