import type { QueueSpaceReport } from "../diagnose/queue-space.js";
import { plural, shortTime } from "./wrap.js";

/** Heading of the report section on faults of this server itself. */
export const SERVER_FAULTS_HEADING = "Server faults";

/**
 * The sentences on a queue file system short of free space: what the log shows, the first line
 * and the fix. Text and Markdown reports share them.
 */
export interface QueueSpaceSentences {
  readonly counts: string;
  readonly sample: string;
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

/** Returns the sentences of `report`, or null when the log shows no such line. */
export function queueSpaceSentences(report: QueueSpaceReport | null): QueueSpaceSentences | null {
  if (report === null) return null;
  const period =
    report.first === report.last
      ? `at ${shortTime(report.first)}`
      : `from ${shortTime(report.first)} to ${shortTime(report.last)}`;
  const kinds = [
    report.rejects === 0
      ? null
      : `rejected ${plural(report.rejects, "client")} with 452 4.3.1 Insufficient system storage`,
    report.warnings === 0
      ? null
      : `logged ${plural(report.warnings, "warning")} that the mail queue lacks free space`,
  ].filter((kind) => kind !== null);
  return {
    counts:
      `Queue disk full: ${period}, Postfix ${kinds.join(" and ")}. ` +
      "While free space is short, smtpd rejects every MAIL FROM, so no mail comes in.",
    sample: `${report.sample.file}:${report.sample.line}: ${report.sample.text}`,
    fix:
      "Free space on the file system of the queue directory (`postconf -h queue_directory`, " +
      "usually /var/spool/postfix) and check it with `df -h`. Postfix smtpd needs free space " +
      "of 1.5 times message_size_limit, or queue_minfree when that is larger.",
  };
}
