import type { BounceResult } from "../bounce/types.js";
import type { DeliveryEvent, DeliveryStatus, LogEvent } from "../logs/events.js";
import { resultTime } from "./bounces.js";

/**
 * How long before and after a logged attempt a bounce without a matching queue id may be dated
 * and still report that attempt. An MTA sends a bounce or delay warning right after the attempt
 * it reports, and the bounce's `Date` comes from the same host as the log's timestamps.
 */
const BOUNCE_BEFORE_ATTEMPT_MS = 60 * 1000;
const BOUNCE_AFTER_ATTEMPT_MS = 10 * 60 * 1000;

// The log statuses that each DSN action reports. A message that failed after its retries ran
// out is logged as expired by some MTAs.
const LOGGED_STATUSES: Readonly<Record<"failed" | "delayed", readonly DeliveryStatus[]>> = {
  failed: ["bounced", "expired"],
  delayed: ["deferred"],
};

/**
 * Finds the bounce results that report an attempt the mail log also shows, so that such an
 * attempt counts once. Build it from the bounce results before the log is read, and pass it
 * every log event. A logged failure or deferral matches a failed or delayed result for the same
 * recipient when both name the same queue id. Without that, it matches a result dated within
 * minutes of the attempt that gives the same enhanced status code, unless either lacks one.
 * Each attempt and each result match at most once. Memory grows with the number of results,
 * not of events.
 */
export class LoggedBounceMatcher {
  private readonly byRecipient = new Map<string, BounceResult[]>();
  private readonly logged = new Set<BounceResult>();

  constructor(results: readonly BounceResult[]) {
    for (const result of results) {
      if (reportedAction(result) === null) continue;
      const key = result.recipient.toLowerCase();
      const list = this.byRecipient.get(key);
      if (list === undefined) this.byRecipient.set(key, [result]);
      else list.push(result);
    }
  }

  /** Takes one log event and marks the first unmatched result that reports it. */
  observe(event: LogEvent): void {
    if (event.type !== "delivery" || !event.remote || event.withoutAttempt !== undefined) return;
    if (this.byRecipient.size === 0) return;
    const candidates = this.byRecipient.get(event.recipient.toLowerCase());
    if (candidates === undefined) return;
    const unmatched = candidates.filter(
      (result) => !this.logged.has(result) && reportsStatus(result, event.status),
    );
    const match =
      unmatched.find((result) => result.queueId === event.message.id) ??
      unmatched.find((result) => reportsAttemptNearby(result, event));
    if (match !== undefined) this.logged.add(match);
  }

  /** True when the mail log shows the attempt that `result` reports. */
  isLogged(result: BounceResult): boolean {
    return this.logged.has(result);
  }
}

// A bounce without a DSN Action counts as failed when its reply was permanent and as delayed
// otherwise, as in `bounceDelivery`.
function reportedAction(result: BounceResult): "failed" | "delayed" | null {
  if (result.kind === "auto-reply" || result.kind === "feedback") return null;
  if (result.action === null) return result.permanent ? "failed" : "delayed";
  return result.action === "failed" || result.action === "delayed" ? result.action : null;
}

function reportsStatus(result: BounceResult, status: DeliveryStatus): boolean {
  const action = reportedAction(result);
  return action !== null && LOGGED_STATUSES[action].includes(status);
}

function reportsAttemptNearby(result: BounceResult, event: DeliveryEvent): boolean {
  const time = resultTime(result);
  if (time === null) return false;
  const offset = time - event.time;
  if (offset < -BOUNCE_BEFORE_ATTEMPT_MS || offset > BOUNCE_AFTER_ATTEMPT_MS) return false;
  return result.status === null || event.dsn === null || result.status === event.dsn;
}
