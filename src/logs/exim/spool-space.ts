/**
 * Exim main-log lines that show the spool or log directory short of free space. The shapes
 * follow Exim's `receive.c` and `spool_out.c` (4.9x):
 *
 * - `spool directory space check failed: space=N inodes=N` and `log directory space check
 *   failed: space=N inodes=N`, with N in KB and inodes. Exim checks the free space at each MAIL
 *   FROM against `check_spool_space` (plus the message size when `smtp_check_spool_space` is
 *   set) and `check_log_space`. When a check fails, it logs the line and replies
 *   `452 Space shortage, please try later`. That reply itself is not logged.
 * - `Message abandoned: Spool write error (No space left on device) while receiving message
 *   from SENDER` when the data file cannot be written, and `Message abandoned: spool file write
 *   error while receiving from SENDER: No space left on device` (or `open`, `rename`) when the
 *   header file cannot be written. Exim has given the message its id by then, so the line
 *   starts with that id. SENDER is the client host, which always ends in `[IP]`, or for a
 *   local submission (`exim -t`, `sendmail -t`, `exim -bs`) the caller's login. An SMTP client
 *   gets a 451 reply and tries again later. The program that ran a local submission gets the
 *   error, and nothing is queued. The same lines with another errno text, such as
 *   `Input/output error`, are spool writes that failed for another cause.
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

/** The words before SENDER in both `Message abandoned` forms. */
const WHILE_RECEIVING = " while receiving ";

/**
 * Returns the `queue-space` event of a line whose text from `start` (after the message id, if
 * any) shows the spool short of free space, or null when it does not.
 */
export function spoolSpaceEvent(record: LogRecord, start = 0): QueueSpaceEvent | null {
  const text = record.message;
  if (SPACE_CHECK_FAILED.some((prefix) => text.startsWith(prefix, start))) {
    return queueSpaceEventOf(record, "exim", "warning");
  }
  if (!text.startsWith(ABANDONED, start)) return null;
  const kind = abandonedKind(text, start + ABANDONED.length);
  if (kind === null) return null;
  return queueSpaceEventOf(record, "exim", kind, isLocalSender(text, start));
}

/** The starts of both `Message abandoned` forms of a spool write. */
const SPOOL_WRITE_ERRORS = ["Spool write error (", "spool file "];

// `Input read error (…)` is a read from the client that failed, not a spool write.
function abandonedKind(text: string, cause: number): QueueSpaceEvent["kind"] | null {
  if (text.includes(NO_SPACE, cause)) return "write-error";
  if (SPOOL_WRITE_ERRORS.some((error) => text.startsWith(error, cause))) {
    return "other-write-error";
  }
  return null;
}

// NOTE: the login form of SENDER is read from Exim's source, not from a logged line.
function isLocalSender(text: string, start: number): boolean {
  const receiving = text.indexOf(WHILE_RECEIVING, start);
  return receiving >= 0 && !text.includes("[", receiving);
}
