import { detach } from "./time.js";

/** Outbound recipients of one envelope sender in one hour. */
export interface SenderHour {
  /**
   * Recipients since the sender took its place in the hour's table. The count is exact when
   * `overcount` is 0, else a lower bound, because the sender may have held an earlier place
   * and lost it.
   */
  readonly recipients: number;
  /**
   * Recipients that the sender inherited from the sender it replaced, 0 for a sender that
   * never replaced another. The Space-Saving estimate is `recipients + overcount`, an upper
   * bound.
   */
  readonly overcount: number;
  /** When the sender's earliest message since it took its place entered the queue (epoch ms). */
  readonly firstTime: number;
}

interface Slot {
  sender: string | null;
  recipients: number;
  overcount: number;
  firstTime: number;
}

/**
 * Counts outbound recipients by envelope sender within one hour in bounded memory, with the
 * Space-Saving algorithm. It stores at most `capacity` senders. A new sender that finds the
 * table full takes the place of the sender with the smallest estimate and inherits that
 * estimate as its `overcount`. The smallest estimate is at most total / capacity, so every
 * sender with more than that share of the hour's recipients is in the table, also one that
 * first sends late in the hour.
 *
 * The key is "" for the null sender `<>` and null for messages whose sender the log does not
 * show.
 */
export class HourSenders implements Iterable<[string | null, SenderHour]> {
  private readonly slots: Slot[] = [];
  private readonly bySender = new Map<string | null, Slot>();
  private replaced = false;
  /** Lower bound of every stored estimate. Estimates only grow, and a new one is above it. */
  private floor = 0;
  /** Slot index where the next search for the smallest estimate starts, so ties take turns. */
  private cursor = 0;

  constructor(private readonly capacity: number) {}

  /** Number of senders stored. */
  get size(): number {
    return this.slots.length;
  }

  /**
   * True while no sender was replaced. Every count is then exact, and a sender that is not
   * stored sent nothing in the hour.
   */
  get isExact(): boolean {
    return !this.replaced;
  }

  /**
   * The maximum recipients that a sender not stored can have had in the hour. It is 0 while no
   * sender was replaced, else the smallest estimate stored, because a sender leaves the table
   * only as the smallest and the smallest never decreases.
   */
  get maxMissingRecipients(): number {
    if (!this.replaced) return 0;
    return Math.min(...this.slots.map((slot) => slot.recipients + slot.overcount));
  }

  get(sender: string | null): SenderHour | undefined {
    return this.bySender.get(sender);
  }

  [Symbol.iterator](): IterableIterator<[string | null, SenderHour]> {
    return this.bySender.entries();
  }

  /** Counts one recipient of `sender` in a message that entered the queue at `firstTime`. */
  add(sender: string | null, firstTime: number): void {
    const known = this.bySender.get(sender);
    if (known !== undefined) {
      known.recipients += 1;
      // Deliveries come in the order of their attempts, not of the messages' submission.
      if (firstTime < known.firstTime) known.firstTime = firstTime;
      return;
    }

    const stored = sender === null ? null : detach(sender);
    if (this.slots.length < this.capacity) {
      const slot = { sender: stored, recipients: 1, overcount: 0, firstTime };
      this.slots.push(slot);
      this.bySender.set(stored, slot);
      return;
    }

    const index = this.smallestIndex();
    const smallest = this.slots[index];
    if (smallest === undefined) return;
    const slot = {
      sender: stored,
      recipients: 1,
      overcount: smallest.recipients + smallest.overcount,
      firstTime,
    };
    this.bySender.delete(smallest.sender);
    this.slots[index] = slot;
    this.bySender.set(stored, slot);
    this.replaced = true;
  }

  /**
   * Returns the index of a slot with the smallest estimate: the next one from `cursor` whose
   * estimate is `floor`, or else the first smallest after a whole round, which becomes the new
   * `floor`. A linear scan suits a table of tens of senders, because it runs only for a sender
   * that is not stored, while a heap would cost a step on every recipient. The cursor makes the
   * scan short while many senders share the smallest estimate, as light senders do.
   */
  private smallestIndex(): number {
    const length = this.slots.length;
    let best = 0;
    let bestEstimate = Infinity;
    for (let step = 0; step < length; step++) {
      const index = (this.cursor + step) % length;
      const slot = this.slots[index];
      if (slot === undefined) continue;
      const estimate = slot.recipients + slot.overcount;
      if (estimate <= this.floor) {
        this.cursor = index + 1;
        return index;
      }
      if (estimate < bestEstimate) {
        best = index;
        bestEstimate = estimate;
      }
    }
    this.floor = bestEstimate;
    this.cursor = best + 1;
    return best;
  }
}
