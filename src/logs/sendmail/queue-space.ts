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
 *
 * - The same `SYSERR` lines with another errno text, such as `Permission denied` or `Disk quota
 *   exceeded`, count as queue file writes that failed for another cause. Such a line names
 *   `queueup: cannot …` (create, commit or save a queue, temp or data file), `Error writing
 *   control file` or `Error writing data file` (`queue.c`), or `collect: Cannot write`
 *   (`collect.c`).
 *
 * `SYSERR(USER)` names the real user of the process that failed (`syserr` in `err.c`). The
 * daemon's is `root`, and the MSP queue runner's is `smmsp`. Any other user ran `sendmail` on
 * the server itself, as PHP's mail() or cron does, so that local submission got the error and
 * nothing was queued.
 */
import type { QueueSpaceEvent } from "../events.js";
import { queueSpaceEventOf } from "../queue-space-event.js";
import type { LogRecord } from "../record.js";
import { queueIdLength } from "./queue-id.js";

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
  if (text.startsWith(REJECTING, start)) return queueSpaceEventOf(record, "sendmail", "warning");
  if (text.startsWith(INSUFFICIENT, start)) return queueSpaceEventOf(record, "sendmail", "reject");
  if (!text.startsWith(SYSERR, start)) return null;
  let kind: QueueSpaceEvent["kind"];
  if (isSpaceError(text, start)) kind = "write-error";
  else if (isQueueWriteError(text, start)) kind = "other-write-error";
  else return null;
  const idLength = queueIdLength(text);
  return {
    ...queueSpaceEventOf(record, "sendmail", kind, isLocalSubmission(text, start)),
    pid: record.pid,
    queueId: idLength === 0 ? null : text.slice(0, idLength),
  };
}

/** Texts of Sendmail's system errors on a queue, temp or data file (see the file header). */
const QUEUE_WRITE_TEXTS = [
  "queueup: cannot ",
  "Error writing control file",
  "Error writing data file",
  "collect: Cannot write",
];

// NOTE: `Error writing … file` is `syserr("!452 Error writing data file %s")` in `queue.c`, read
// from the source and not from a logged line, so it is matched anywhere after `SYSERR(USER): `.
function isQueueWriteError(text: string, start: number): boolean {
  return QUEUE_WRITE_TEXTS.some((queueText) => text.includes(queueText, start));
}

/** Users whose SYSERR lines come from Sendmail's own processes, not from a local submission. */
const DAEMON_USERS = new Set(["root", "smmsp"]);

// NOTE: the `SYSERR(USER)` of a local submission is read from Sendmail's `err.c`, not from a
// logged line. A program that runs sendmail as root, such as root's cron, writes
// `SYSERR(root)` as the daemon does, so its lost submission is not counted.
function isLocalSubmission(text: string, start: number): boolean {
  const userStart = start + SYSERR.length;
  const userEnd = text.indexOf(")", userStart);
  if (userEnd <= userStart) return false;
  return !DAEMON_USERS.has(text.slice(userStart, userEnd));
}

function isSpaceError(text: string, start: number): boolean {
  return text.endsWith(NO_SPACE) || text.includes(OUT_OF_DISK, start);
}
