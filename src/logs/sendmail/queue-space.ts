/**
 * Sendmail lines that show the queue file system short of free space. The shapes follow
 * Sendmail 8.x's `daemon.c`, `srvrsmtp.c`, `collect.c`, `queue.c` and `err.c`:
 *
 * - `rejecting new messages: min free: N` (LogLevel 9 and up, no queue id): the daemon found
 *   fewer free blocks than `MinFreeBlocks` in a queue directory and accepts no new messages.
 *   It checks once a minute and logs the line once per shortage.
 * - `Insufficient disk space; try again later`, with a queue id or `NOQUEUE:`: a client's
 *   command got `452 4.4.5 Insufficient disk space; try again later`. Sendmail logs such a
 *   user error without its reply codes.
 * - `SYSERR(USER): …: No space left on device`: a system error on a queue or temp file, such
 *   as `queueup: cannot create queue temp file ./tfQID, uid=0`. Sendmail adds the errno text
 *   after `: `. `SYSERR(USER): Out of disk space for temp file` is the data file of a message
 *   that could not be written while it was received, and the client gets 421.
 */
import type { QueueSpaceEvent } from "../events.js";
import { queueSpaceEventOf } from "../queue-space-event.js";
import type { LogRecord } from "../record.js";

const REJECTING = "rejecting new messages: min free: ";
const INSUFFICIENT = "Insufficient disk space; try again later";
const SYSERR = "SYSERR(";
/** `strerror(ENOSPC)` in glibc's words, as `SYSERR` appends it. */
const NO_SPACE = ": No space left on device";
const OUT_OF_DISK = "): Out of disk space for temp file";

/**
 * Returns the `queue-space` event of the line's text from `start` (after the queue id or
 * `NOQUEUE: `, if any), or null when it is no such line.
 */
export function queueSpaceEvent(record: LogRecord, start: number): QueueSpaceEvent | null {
  const text = record.message;
  let kind: QueueSpaceEvent["kind"];
  if (text.startsWith(REJECTING, start)) {
    kind = "warning";
  } else if (text.startsWith(INSUFFICIENT, start)) {
    kind = "reject";
  } else if (text.startsWith(SYSERR, start) && isSpaceError(text, start)) {
    kind = "write-error";
  } else {
    return null;
  }
  // NOTE: a SYSERR line of a local submission (`sendmail -t` run by a program) means that the
  // calling program got an error. The line does not show whether the daemon or a local
  // submission wrote it, so `submissionFailed` is false for every Sendmail line.
  return queueSpaceEventOf(record, "sendmail", kind);
}

function isSpaceError(text: string, start: number): boolean {
  return text.endsWith(NO_SPACE) || text.includes(OUT_OF_DISK, start);
}
