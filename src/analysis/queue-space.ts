import type { LinePosition, QueueSpaceEvent } from "../logs/events.js";
import { detach } from "./time.js";

/** The first line of a kind, kept as the sample of `QueueSpaceAnalyser`. */
export interface QueueSpaceSample {
  readonly time: number;
  readonly position: LinePosition;
  readonly text: string;
}

/**
 * Lines that show the MTA's queue file system short of free space (see `QueueSpaceEvent`). It
 * keeps counts, the first and last time, and the first line of each kind, so its memory does not
 * grow with the log.
 */
export class QueueSpaceAnalyser {
  /** Clients rejected with `452 4.3.1 Insufficient system storage`. */
  rejects = 0;
  /** Free-space warnings of the MTA. */
  warnings = 0;
  /** Time of the earliest and latest line of either kind, in epoch ms. Null before any line. */
  first: number | null = null;
  last: number | null = null;
  firstReject: QueueSpaceSample | null = null;
  firstWarning: QueueSpaceSample | null = null;

  add(event: QueueSpaceEvent): void {
    if (event.kind === "reject") {
      this.rejects += 1;
      this.firstReject = earlierSample(this.firstReject, event);
    } else {
      this.warnings += 1;
      this.firstWarning = earlierSample(this.firstWarning, event);
    }
    if (this.first === null || event.time < this.first) this.first = event.time;
    if (this.last === null || event.time > this.last) this.last = event.time;
  }
}

// Lines come in log order, which can step back in time across files, so the earlier one wins.
function earlierSample(sample: QueueSpaceSample | null, event: QueueSpaceEvent): QueueSpaceSample {
  if (sample !== null && sample.time <= event.time) return sample;
  return { time: event.time, position: { ...event.position }, text: detach(event.text) };
}
