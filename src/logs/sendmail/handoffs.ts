import type { DeliveryEvent } from "../events.js";
import type { QueuedMessage } from "./message.js";

const ACCEPTED = " Message accepted for delivery)";

/**
 * Returns the queue id that a Sendmail daemon gave a message it accepted, from the hand-off
 * reply on the submitting side (`Sent (21QBRGdY006006 Message accepted for delivery)`), or null
 * for any other reply. Postfix on 127.0.0.1 replies `Ok: queued as …` instead, and its copy is
 * not linked here.
 */
export function acceptedQueueId(stat: string): string | null {
  if (!stat.startsWith("Sent (") || !stat.endsWith(ACCEPTED)) return null;
  const id = stat.slice(6, stat.length - ACCEPTED.length);
  return /^[A-Za-z0-9]{7,20}$/.test(id) ? id : null;
}

/**
 * How long a submission copy's hand-off waits for the daemon's `from=` line. The two processes
 * usually log within the same second, so a copy still missing after this is taken as not in
 * the log, as a Postfix filter copy is after the same time.
 */
export const DAEMON_WAIT_MS = 10 * 60 * 1000;

/** A submission copy whose hand-off named a daemon copy that the log has not shown yet. */
export interface HeldHandoff {
  readonly submission: QueuedMessage;
  /** The hand-off's delivery events, as they go out when no daemon copy comes. */
  readonly events: DeliveryEvent[];
  readonly time: number;
}

/**
 * Submission copies waiting for the daemon's copy that their hand-off reply names, by the
 * `tableKey` of that copy. Entries are in the order they were held, which is the order of the log.
 */
export class HeldHandoffs {
  private readonly held = new Map<string, HeldHandoff>();

  get size(): number {
    return this.held.size;
  }

  /** Holds the hand-off events of `submission` until the daemon copy `daemonKey` shows up. */
  hold(daemonKey: string, submission: QueuedMessage, events: DeliveryEvent[], time: number): void {
    const known = this.held.get(daemonKey);
    if (known !== undefined && known.submission === submission) {
      known.events.push(...events);
      return;
    }
    this.held.set(daemonKey, { submission, events, time });
  }

  /** Removes and returns what waits for the daemon copy `daemonKey`, or undefined. */
  take(daemonKey: string): HeldHandoff | undefined {
    const entry = this.held.get(daemonKey);
    if (entry !== undefined) this.held.delete(daemonKey);
    return entry;
  }

  /** Removes and returns the entry of `submission`, or undefined when it waits for nothing. */
  takeSubmission(submission: QueuedMessage): HeldHandoff | undefined {
    if (!submission.awaitingDaemon) return undefined;
    for (const [key, entry] of this.held) {
      if (entry.submission === submission) {
        this.held.delete(key);
        return entry;
      }
    }
    return undefined;
  }

  /** Removes and returns the entries held longer than `DAEMON_WAIT_MS` before `now`. */
  takeOverdue(now: number): HeldHandoff[] {
    const overdue: HeldHandoff[] = [];
    for (const [key, entry] of this.held) {
      if (now - entry.time <= DAEMON_WAIT_MS) break;
      this.held.delete(key);
      overdue.push(entry);
    }
    return overdue;
  }

  /** Removes and returns every entry. */
  takeAll(): HeldHandoff[] {
    const all = [...this.held.values()];
    this.held.clear();
    return all;
  }
}
