import type { QueueSpaceAnalyser } from "../analysis/queue-space.js";
import { ONGOING_WINDOW_MS } from "./verdict.js";

/**
 * The lines that show the MTA's queue file system short of free space, as `delist diagnose`
 * reports them. While it lasts, Postfix smtpd rejects every client at MAIL FROM, so the server
 * receives no mail. That needs a fix the same day, so the report makes `delist diagnose` exit 1.
 */
export interface QueueSpaceReport {
  /** Lines of either kind. */
  readonly count: number;
  /** Clients rejected with `452 4.3.1 Insufficient system storage`. */
  readonly rejects: number;
  /** Free-space warnings (`warning: not enough free space in mail queue: …`). */
  readonly warnings: number;
  readonly first: string;
  readonly last: string;
  /**
   * True when the last such line is within the last two hours of the log. Later lines show
   * the queue written again once the space is back, so an older fault is over.
   */
  readonly ongoing: boolean;
  /** The first warning, which names the free bytes, or else the first reject. */
  readonly sample: {
    readonly file: string;
    readonly line: number;
    /** The line's message after the syslog header. */
    readonly text: string;
  };
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
  const sample = queueSpace.firstWarning ?? queueSpace.firstReject;
  if (sample === null || queueSpace.first === null || queueSpace.last === null) return null;
  return {
    count: queueSpace.rejects + queueSpace.warnings,
    rejects: queueSpace.rejects,
    warnings: queueSpace.warnings,
    first: time(queueSpace.first),
    last: time(queueSpace.last),
    ongoing: logEnd === null || queueSpace.last >= logEnd - ONGOING_WINDOW_MS,
    sample: { file: sample.position.file, line: sample.position.line, text: sample.text },
  };
}
