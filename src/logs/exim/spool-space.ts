/**
 * Exim main-log lines that show the spool or log directory short of free space. The shapes
 * follow Exim's `receive.c` (4.9x):
 *
 * - `spool directory space check failed: space=N inodes=N` and `log directory space check
 *   failed: space=N inodes=N`, with N in KB and inodes. Exim checks the free space at each MAIL
 *   FROM against `check_spool_space` (plus the message size when `smtp_check_spool_space` is
 *   set) and `check_log_space`. When a check fails, it logs the line and replies
 *   `452 Space shortage, please try later`. That reply itself is not logged.
 * - `Message abandoned: Spool write error (No space left on device) while receiving message
 *   from HOST` when the data file cannot be written, and `Message abandoned: spool file write
 *   error while receiving from HOST: No space left on device` (or `open`, `rename`) when the
 *   header file cannot be written. An SMTP client gets a 451 reply and tries again later.
 */
import type { QueueSpaceEvent } from "../events.js";
import { queueSpaceEventOf } from "../queue-space-event.js";
import type { LogRecord } from "../record.js";

const SPACE_CHECK_FAILED = [
  "spool directory space check failed",
  "log directory space check failed",
];

const ABANDONED = "Message abandoned: ";

/** `strerror(ENOSPC)` in glibc's words. */
const NO_SPACE = "No space left on device";

/**
 * Returns the `queue-space` event of a line without message id, or null when the line is no
 * such line.
 */
export function spoolSpaceEvent(record: LogRecord): QueueSpaceEvent | null {
  const text = record.message;
  let kind: QueueSpaceEvent["kind"];
  if (SPACE_CHECK_FAILED.some((prefix) => text.startsWith(prefix))) {
    kind = "warning";
  } else if (text.startsWith(ABANDONED) && text.includes(NO_SPACE, ABANDONED.length)) {
    kind = "write-error";
  } else {
    return null;
  }
  // NOTE: a local submission (`exim -t`) that Exim abandons is lost, because the calling
  // program gets the error. Such a line names the sender's login in place of a host. This
  // code does not check for that, so `submissionFailed` is false for every Exim line.
  return queueSpaceEventOf(record, "exim", kind);
}
