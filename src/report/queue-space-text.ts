import type { QueueSpaceLine, QueueSpaceReport } from "../diagnose/queue-space.js";
import { plural, shortTime } from "./wrap.js";

/** Heading of the report section on faults of this server itself. */
export const SERVER_FAULTS_HEADING = "Server faults";

/**
 * The sentences on a queue file system short of free space: what the log shows, the first line,
 * the first lost local submission and the fix. Text and Markdown reports share them.
 */
export interface QueueSpaceSentences {
  readonly counts: string;
  readonly sample: string;
  /** The first line of a lost local submission, or null when none was lost or it is `sample`. */
  readonly lost: string | null;
  readonly fix: string;
}

/**
 * Returns the verdict words for a log without blocks whose queue file system ran short of free
 * space: "not blocked, queue disk full" while the fault goes on at the end of the log, else
 * "not blocked, queue disk was full". The text report prints them in capitals.
 */
export function queueSpaceVerdictLabel(report: QueueSpaceReport): string {
  return report.ongoing ? "not blocked, queue disk full" : "not blocked, queue disk was full";
}

/** The queue directory's file system, as both fixes name it. */
const QUEUE_FILE_SYSTEM =
  "the file system of the queue directory (`postconf -h queue_directory`, usually " +
  "/var/spool/postfix)";

/** Returns the sentences of `report`, or null when the log shows no such line. */
export function queueSpaceSentences(report: QueueSpaceReport | null): QueueSpaceSentences | null {
  if (report === null) return null;
  const period =
    report.first === report.last
      ? `at ${shortTime(report.first)}`
      : `from ${shortTime(report.first)} to ${shortTime(report.last)}`;
  return {
    counts: report.confirmed ? faultSentences(report, period) : noteSentences(report, period),
    sample: lineText(report.sample),
    lost: lostText(report),
    fix: report.confirmed
      ? faultFix(report)
      : `If it repeats, check the free space of ${QUEUE_FILE_SYSTEM} with \`df -h\`.`,
  };
}

function faultSentences(report: QueueSpaceReport, period: string): string {
  const smtpd = [
    report.rejects === 0
      ? null
      : `rejected ${plural(report.rejects, "client")} with 452 4.3.1 Insufficient system storage`,
    report.warnings === 0
      ? null
      : `logged ${plural(report.warnings, "warning")} that the mail queue lacks free space`,
  ].filter((part) => part !== null);
  const sentences = [`Queue disk full: ${period}.`];
  if (smtpd.length > 0) sentences.push(`Postfix smtpd ${smtpd.join(" and ")}.`);
  if (report.writeErrors > 0) {
    sentences.push(
      `Postfix cleanup or postdrop logged ${plural(report.writeErrors, "queue file write")} ` +
        "that failed with No space left on device.",
    );
  }
  if (report.lostSubmissions > 0) {
    const lost = plural(report.lostSubmissions, "local submission");
    const were = report.lostSubmissions === 1 ? "was" : "were";
    sentences.push(
      `${lost} ${were} lost: sendmail exited with an error and queued nothing, so the program ` +
        "that ran it, such as PHP's mail() or cron, got the error.",
    );
  }
  sentences.push("While free space is short, smtpd rejects every MAIL FROM, so no mail comes in.");
  return sentences.join(" ");
}

// A report that is no fault has rejects only (see `isQueueSpaceFault`).
function noteSentences(report: QueueSpaceReport, period: string): string {
  return (
    `Note: ${period}, Postfix smtpd rejected ${plural(report.rejects, "client")} with ` +
    "452 4.3.1 Insufficient system storage and logged no warning that the mail queue lacks " +
    "free space. One or two such rejects within 10 minutes can be a passing shortage, and " +
    "clients retry a 4xx reply later, so they are no fault by themselves."
  );
}

function faultFix(report: QueueSpaceReport): string {
  const fix =
    `Free space on ${QUEUE_FILE_SYSTEM} and check it with \`df -h\`. Postfix smtpd needs free space of 1.5 times ` +
    "message_size_limit, or queue_minfree when that is larger.";
  if (report.lostSubmissions === 0) return fix;
  return (
    `${fix} Lost local submissions are gone: the uid in their sendmail or postdrop lines names ` +
    "the local account, whose programs must send them again."
  );
}

// The lost submission's line is left out when it is the first line already.
function lostText(report: QueueSpaceReport): string | null {
  const lost = report.lostSample;
  if (lost === null) return null;
  if (lost.file === report.sample.file && lost.line === report.sample.line) return null;
  return lineText(lost);
}

function lineText(line: QueueSpaceLine): string {
  return `${line.file}:${line.line}: ${line.text}`;
}
