import type { QueueSpaceEvent } from "../events.js";
import type { LogRecord, ParseOutcome } from "../record.js";
import { queueSpaceEventOf } from "../queue-space-event.js";
import type { PostfixContext } from "./context.js";
import { postfixInstanceOf, type PostfixProgram } from "./program.js";

/** The reply of Postfix smtpd to MAIL FROM while its queue file system lacks free space. */
export const QUEUE_SPACE_REPLY = "452 4.3.1 Insufficient system storage";

/** The warning that smtpd logs before it sends `QUEUE_SPACE_REPLY`. */
export const QUEUE_SPACE_WARNING = "warning: not enough free space in mail queue";

/** The end of a line that names `ENOSPC`, in the words of glibc's `strerror`. */
const NO_SPACE = ": No space left on device";

/** The sendmail command's text when postdrop reports a failed write of the maildrop file. */
const SENDMAIL_WRITE_ERROR = "): queue file write error";

/** The sendmail command's text when its own write of the message fails, before `%m`. */
const SENDMAIL_WRITE_FAILED = "): error writing queue file: ";

/**
 * Emits a `queue-space` event for `record`. The event's instance comes from the line's own tag,
 * so a tag that rsyslog cut to `postfix` gives the default instance.
 */
export function sinkQueueSpace(
  context: PostfixContext,
  record: LogRecord,
  kind: QueueSpaceEvent["kind"],
  submissionFailed = false,
  uid: number | null = null,
  clientIp: string | null = null,
): void {
  const instance = postfixInstanceOf(record.program);
  context.sink(
    queueSpaceEventOf(record, "postfix", kind, submissionFailed, uid, clientIp, instance),
  );
}

/**
 * Reads a line without a queue id of cleanup, postdrop or the sendmail command that shows a
 * queue file write failing. Returns null for other lines, which the caller passes on to its
 * other handlers. cleanup and postdrop lines count when they start with `warning: ` or
 * `fatal: ` and end in `No space left on device`. Such lines are cleanup's `warning: QID: write
 * queue file: …`, `warning: mail_queue_enter: create file incoming/…: …` (or `maildrop/…` of
 * postdrop) and postdrop's `warning: uid=1004: …`. postdrop's `uid=` line counts with any other
 * cause too, as a write that failed for that cause. sendmail lines count in the forms of
 * `SENDMAIL_WRITE_ERROR` and `SENDMAIL_WRITE_FAILED`.
 */
export function handleQueueWriteError(
  context: PostfixContext,
  record: LogRecord,
  program: PostfixProgram,
): ParseOutcome | null {
  if (program.service === "sendmail") return handleSendmailError(context, record);

  const text = record.message;
  // postdrop writes `uid=N: %m` when it could not finish the maildrop file, and then exits
  // with an error, whatever the cause. Its `mail_queue_enter: create file …` warning repeats
  // every 10 seconds until the file can be made, so that submission may still succeed.
  const ended = program.service === "postdrop" && text.startsWith("warning: uid=");
  const uid = ended ? uidBetween(text, 13, text.indexOf(":", 13)) : null;
  if (ended && uid !== null && !text.endsWith(NO_SPACE)) {
    sinkQueueSpace(context, record, "other-write-error", true, uid);
    return "parsed";
  }

  if (!text.endsWith(NO_SPACE)) return null;
  if (!text.startsWith("warning: ") && !text.startsWith("fatal: ")) return null;
  sinkQueueSpace(context, record, "write-error", ended, uid);
  return "parsed";
}

/**
 * Reads `fatal: SENDER(UID): queue file write error` and `fatal: SENDER(UID): error writing
 * queue file: No space left on device`. sendmail exits with status 75 (EX_TEMPFAIL) after
 * either, so the program that ran it, such as PHP's mail() or cron, gets an error and the
 * message is not queued. The first form names no cause, which postdrop's `warning: uid=UID: …`
 * line before it names, so only the second form shows the disk full by itself. Other errors of
 * the second form, such as `Broken pipe` when postdrop died, do not show the disk full and are
 * left to the caller.
 */
function handleSendmailError(context: PostfixContext, record: LogRecord): ParseOutcome | null {
  const text = record.message;
  if (!text.startsWith("fatal: ")) return null;

  let end = -1;
  if (text.endsWith(SENDMAIL_WRITE_ERROR)) {
    end = text.length - SENDMAIL_WRITE_ERROR.length;
  } else if (text.endsWith(NO_SPACE)) {
    end = text.indexOf(SENDMAIL_WRITE_FAILED);
  }
  if (end < 0) return null;

  const open = text.lastIndexOf("(", end);
  const uid = open < 0 ? null : uidBetween(text, open + 1, end);
  sinkQueueSpace(context, record, "sendmail-error", true, uid);
  return "parsed";
}

/** Returns the decimal number between `start` and `end`, or null when it is no number. */
function uidBetween(text: string, start: number, end: number): number | null {
  if (end <= start || end - start > 10) return null;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return null;
  }
  return Number(text.slice(start, end));
}
