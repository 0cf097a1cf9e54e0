import type { QueueSpaceAnalyser, QueueSpaceSample } from "../analysis/queue-space.js";
import type { MtaName } from "../logs/events.js";
import { DEFAULT_INSTANCE } from "../logs/postfix/queues.js";
import { ONGOING_WINDOW_MS } from "./verdict.js";

/** A line of the log, as the queue space report shows it. */
export interface QueueSpaceLine {
  readonly file: string;
  readonly line: number;
  /** The line's message after the syslog header. */
  readonly text: string;
}

/** The evidence of the log on one of the Postfix instances of a `QueueSpaceReport`. */
export interface QueueSpaceInstance {
  /** The first path component of the tags, such as `postfix-out`. */
  readonly name: string;
  /**
   * `instance` for the default `postfix` and for a name whose own master, postfix-script,
   * `postfix` command, queue manager or systemd unit logged. `alias` for the `-o syslog_name`
   * of a master.cf service of the instance `owner`, whose queue manager or cleanup continued
   * a message that this name received. `unknown` when the log shows neither.
   */
  readonly kind: "instance" | "alias" | "unknown";
  /** The instance whose queue an alias uses, else null. */
  readonly owner: string | null;
}

/**
 * The lines that show the MTA's queue file system short of free space, as `delist diagnose`
 * reports them. While it lasts, Postfix smtpd rejects every client at MAIL FROM, so the server
 * receives no mail, and mail submitted on the server itself fails. That needs a fix the same
 * day, so a `confirmed` report makes `delist diagnose` exit 1.
 */
export interface QueueSpaceReport {
  /** The MTA that wrote the lines, which picks the wording and the fix. */
  readonly mta: MtaName;
  /**
   * The Postfix instances of the lines, the first path components of their tags (`postfix`,
   * `postfix-out`), sorted. The report and the fix name them when they are not only the
   * default `postfix`. At most `MAX_NAMED_INSTANCES`, and empty for Exim and Sendmail.
   */
  readonly instances: readonly string[];
  /** The evidence of the log on each of `instances`, in the same order. */
  readonly instanceKinds: readonly QueueSpaceInstance[];
  /** Lines of every kind. */
  readonly count: number;
  /**
   * Client commands rejected for lack of space: Postfix's `452 4.3.1 Insufficient system
   * storage` and Sendmail's `Insufficient disk space; try again later`.
   */
  readonly rejects: number;
  /**
   * Clients that the rejects name by IP address: exact up to 512, then an estimate with about
   * 1.6 % standard error (see `DistinctCounter`). Sendmail's reject lines name no client, so Sendmail logs give 0.
   */
  readonly rejectedClients: number;
  /**
   * Messages from SMTP clients that the MTA accepted between `first` and `last`, counted for
   * the host and Postfix instance of the lines. Any such message shows that mail still came in
   * at times.
   */
  readonly acceptedMessages: number;
  /**
   * Postfix's `warning: not enough free space in mail queue: …`, Exim's `spool directory space
   * check failed` (or `log directory …`) and Sendmail's `rejecting new messages: min free: N`.
   */
  readonly warnings: number;
  /**
   * Failed writes of a queue file for lack of space: Postfix cleanup and postdrop lines,
   * Exim's `Message abandoned: …` and Sendmail's `SYSERR` lines.
   */
  readonly writeErrors: number;
  /** The Postfix sendmail command's `fatal:` lines on a failed queue file write. */
  readonly sendmailErrors: number;
  /**
   * Queue or spool file writes that failed for another cause than lack of space, such as
   * postdrop's `warning: uid=33: File too large`. They are no disk fault.
   */
  readonly otherWriteErrors: number;
  /**
   * Local submissions that failed. A postdrop line and a sendmail line of one submission count
   * once, and so do several Sendmail `SYSERR(USER)` lines of one process or queue id.
   */
  readonly lostSubmissions: number;
  /** Lines that ended a local submission, at least `lostSubmissions`. */
  readonly lostSubmissionLines: number;
  readonly first: string;
  readonly last: string;
  /**
   * True when the last such line is within the last two hours of the log. Later lines show
   * the queue written again once the space is back, so an older fault is over.
   */
  readonly ongoing: boolean;
  /** True when the lines show a fault (see `isQueueSpaceFault`), false for a note only. */
  readonly confirmed: boolean;
  /**
   * The first line that names the lack of space: a warning, which names the free bytes, else a
   * write error, else a sendmail error, else the first reject, else the first write that failed
   * for another cause.
   */
  readonly sample: QueueSpaceLine;
  /**
   * The first Postfix sendmail line of a lost local submission, else the first line of any MTA
   * that ended one (postdrop's, Exim's or Sendmail's), or null when none was lost.
   */
  readonly lostSample: QueueSpaceLine | null;
  /** The first write that failed for another cause, or null when `otherWriteErrors` is 0. */
  readonly otherWriteSample: QueueSpaceLine | null;
}

/**
 * Minimum rejects for lack of space (Postfix's 452 4.3.1, Sendmail's 452 4.4.5) in one run that
 * make a fault without any other line.
 */
export const MIN_QUEUE_SPACE_REJECTS = 3;

/** Minimum span from the first to the last reject of a run that makes a fault, in ms. */
export const MIN_QUEUE_SPACE_SPAN_MS = 10 * 60_000;

/**
 * Decides whether the lines show a queue disk fault that sets the verdict label and exit status
 * 1. A line that names the lack of space decides alone: smtpd's free-space warning, which
 * measured the disk, or a write that failed with `No space left on device`, including the
 * sendmail command's. sendmail's `queue file write error` names no cause, so it decides only
 * through postdrop's `uid=UID: No space left on device` line, and writes that failed for
 * another cause never do. 452 4.3.1 rejects without such a line make a fault only as a run, a
 * series with no mail accepted from an SMTP client between its rejects (see
 * `QueueSpaceAnalyser`). The run needs at least `MIN_QUEUE_SPACE_REJECTS` rejects, or 2 or
 * more that span `MIN_QUEUE_SPACE_SPAN_MS`.
 * Other rejects can be passing moments, such as a large file written and removed again, and
 * mail accepted between two rejects shows that the free space came back. An SMTP client
 * retries a 4xx reply later, so the mail is only delayed. The reply text may also come from a milter or a proxy filter and not from Postfix's
 * own check. The report still lists such rejects as a note.
 */
export function isQueueSpaceFault(queueSpace: QueueSpaceAnalyser): boolean {
  if (queueSpace.warnings + queueSpace.writeErrors + queueSpace.sendmailSpaceErrors > 0) {
    return true;
  }
  if (queueSpace.maxRunRejects >= MIN_QUEUE_SPACE_REJECTS) return true;
  return queueSpace.maxRunSpanMs >= MIN_QUEUE_SPACE_SPAN_MS;
}

/**
 * Returns true when the lines need the admin's action: a fault (see `isQueueSpaceFault`) or
 * a lost local submission, whose mail is gone. Either leaves out the `healthy` finding and
 * makes `delist diagnose` exit 1 (see `isQueueSpaceReportProblem`).
 */
export function isQueueSpaceProblem(queueSpace: QueueSpaceAnalyser): boolean {
  return queueSpace.lostSubmissions > 0 || isQueueSpaceFault(queueSpace);
}

/** Returns true when `report` shows a fault or a lost local submission. */
export function isQueueSpaceReportProblem(report: QueueSpaceReport | null): boolean {
  return report !== null && (report.confirmed || report.lostSubmissions > 0);
}

/**
 * Builds the report, with times formatted by `time` and `logEnd` the time of the log's last line,
 * or returns null when the log shows none.
 */
export function queueSpaceReport(
  queueSpace: QueueSpaceAnalyser,
  time: (epochMs: number) => string,
  logEnd: number | null,
): QueueSpaceReport | null {
  const sample =
    queueSpace.firstWarning ??
    queueSpace.firstWriteError ??
    queueSpace.firstSendmailError ??
    queueSpace.firstReject ??
    queueSpace.firstOtherWriteError;
  const mta = queueSpace.mta;
  if (sample === null || mta === null || queueSpace.first === null || queueSpace.last === null) {
    return null;
  }
  const instances = [...queueSpace.instances].sort();
  return {
    mta,
    instances,
    instanceKinds: instances.map((name) => instanceKindOf(queueSpace, name)),
    count:
      queueSpace.rejects +
      queueSpace.warnings +
      queueSpace.writeErrors +
      queueSpace.sendmailErrors +
      queueSpace.otherWriteErrors,
    rejects: queueSpace.rejects,
    rejectedClients: queueSpace.rejectClients.size,
    acceptedMessages: queueSpace.acceptedInSpan,
    warnings: queueSpace.warnings,
    writeErrors: queueSpace.writeErrors,
    sendmailErrors: queueSpace.sendmailErrors,
    otherWriteErrors: queueSpace.otherWriteErrors,
    lostSubmissions: queueSpace.lostSubmissions,
    lostSubmissionLines: queueSpace.lostSubmissionLines,
    first: time(queueSpace.first),
    last: time(queueSpace.last),
    ongoing: logEnd === null || queueSpace.last >= logEnd - ONGOING_WINDOW_MS,
    confirmed: isQueueSpaceFault(queueSpace),
    sample: lineOf(sample),
    lostSample: lostSampleOf(queueSpace),
    otherWriteSample:
      queueSpace.firstOtherWriteError === null ? null : lineOf(queueSpace.firstOtherWriteError),
  };
}

function instanceKindOf(queueSpace: QueueSpaceAnalyser, name: string): QueueSpaceInstance {
  const evidence = queueSpace.syslogNames.get(name);
  if (name === DEFAULT_INSTANCE || evidence?.isInstance === true) {
    return { name, kind: "instance", owner: null };
  }
  const owner = evidence?.owner ?? null;
  return owner === null ? { name, kind: "unknown", owner } : { name, kind: "alias", owner };
}

// sendmail's line names the account (`www-data(33)`), so it is preferred to postdrop's uid.
function lostSampleOf(queueSpace: QueueSpaceAnalyser): QueueSpaceLine | null {
  const sample = queueSpace.firstSendmailError ?? queueSpace.firstLostSubmission;
  return sample === null ? null : lineOf(sample);
}

function lineOf(sample: QueueSpaceSample): QueueSpaceLine {
  return { file: sample.position.file, line: sample.position.line, text: sample.text };
}
