import type { QueueSpaceEvent } from "../logs/events.js";
import { detach } from "./time.js";

/**
 * Maximum time between two lines of one failed Sendmail submission, in ms, measured from the
 * latest line of the submission. One sendmail process logs its `SYSERR` lines one after
 * another, such as `queueup: cannot create queue temp file` and then `Error writing control
 * file`, so they should share a second or two.
 *
 * NOTE: an estimate from Sendmail's source, not from a logged submission. A pid that the system
 * gives to a new failing submission within this time joins the earlier one when a line has no
 * queue id.
 */
export const SAME_SUBMISSION_WINDOW_MS = 5_000;

/** Maximum submissions kept for their later lines, so memory stays bounded. */
const MAX_RECENT_SUBMISSIONS = 64;

/** A failed submission whose later lines may still come. */
interface RecentSubmission {
  readonly host: string;
  pid: number | null;
  queueId: string | null;
  time: number;
}

/**
 * Groups the lines of failed local submissions that name their process or queue id, as
 * Sendmail's `SYSERR(USER)` lines do (see `QueueSpaceEvent.pid`). Two lines of one syslog host
 * belong to one submission when they name the same queue id, or when either names none and
 * both name the same pid, at most `SAME_SUBMISSION_WINDOW_MS` apart.
 */
export class SubmissionLines {
  private recent: RecentSubmission[] = [];

  /**
   * Returns true when `event` is a later line of a submission seen before, and notes it as the
   * latest line of its submission either way. Returns false for a line with neither pid nor
   * queue id, which starts a submission of its own.
   */
  isLaterLine(event: QueueSpaceEvent): boolean {
    if (event.pid === null && event.queueId === null) return false;
    this.recent = this.recent.filter(
      (submission) => Math.abs(event.time - submission.time) <= SAME_SUBMISSION_WINDOW_MS,
    );
    const earlier = this.recent.find((submission) => isSameSubmission(submission, event));
    if (earlier !== undefined) {
      earlier.time = Math.max(earlier.time, event.time);
      earlier.pid ??= event.pid;
      earlier.queueId ??= event.queueId === null ? null : detach(event.queueId);
      return true;
    }
    if (this.recent.length >= MAX_RECENT_SUBMISSIONS) this.recent.shift();
    this.recent.push({
      host: detach(event.host),
      pid: event.pid,
      queueId: event.queueId === null ? null : detach(event.queueId),
      time: event.time,
    });
    return false;
  }
}

// Two different queue ids are two messages even in one process, so the pid decides only when
// a line names no queue id.
function isSameSubmission(submission: RecentSubmission, event: QueueSpaceEvent): boolean {
  if (submission.host !== event.host) return false;
  if (submission.queueId !== null && event.queueId !== null) {
    return submission.queueId === event.queueId;
  }
  return submission.pid !== null && submission.pid === event.pid;
}
