import type { LinePosition, MtaName, QueueSpaceEvent } from "../logs/events.js";
import { detach } from "./time.js";

/** The first line of a kind, kept as the sample of `QueueSpaceAnalyser`. */
export interface QueueSpaceSample {
  readonly time: number;
  readonly position: LinePosition;
  readonly text: string;
}

/**
 * Maximum time between postdrop's `uid=N: No space left on device` and sendmail's `fatal:`
 * line of the same submission, in ms. postdrop logs its line just before it returns the status
 * that makes sendmail exit, so both lines usually carry the same second.
 */
export const SUBMISSION_PAIR_WINDOW_MS = 60_000;

/** Maximum failed submissions kept while they wait for their pair, so memory stays bounded. */
const MAX_WAITING_FAILURES = 64;

/** A failed local submission whose line of the other program has not been seen yet. */
interface WaitingFailure {
  readonly time: number;
  readonly uid: number | null;
  readonly sendmail: boolean;
}

/**
 * Lines that show the MTA's queue file system short of free space (see `QueueSpaceEvent`). It
 * keeps counts, the first and last time, and the first line of each kind, so its memory does not
 * grow with the log.
 */
export class QueueSpaceAnalyser {
  /** The MTA of the first such line, or null before any line. */
  mta: MtaName | null = null;
  /** Client commands rejected for lack of space: Postfix's 452 4.3.1, Sendmail's 452 4.4.5. */
  rejects = 0;
  /** Free-space warnings of the MTA, and Exim's failed free-space checks. */
  warnings = 0;
  /** Writes of a queue or spool file that failed for lack of space. */
  writeErrors = 0;
  /** The Postfix sendmail command's `fatal:` lines on a failed queue file write. */
  sendmailErrors = 0;
  /**
   * Local submissions that failed. One failure often writes two lines, postdrop's
   * `uid=N: No space left on device` and sendmail's `fatal: USER(N): queue file write error`,
   * and such a pair counts once.
   */
  lostSubmissions = 0;
  /** Time of the earliest and latest line of any kind, in epoch ms. Null before any line. */
  first: number | null = null;
  last: number | null = null;
  firstReject: QueueSpaceSample | null = null;
  firstWarning: QueueSpaceSample | null = null;
  firstWriteError: QueueSpaceSample | null = null;
  firstSendmailError: QueueSpaceSample | null = null;
  /** The first line that ended a local submission. */
  firstLostSubmission: QueueSpaceSample | null = null;

  private waiting: WaitingFailure[] = [];

  add(event: QueueSpaceEvent): void {
    this.mta ??= event.mta;
    switch (event.kind) {
      case "reject":
        this.rejects += 1;
        this.firstReject = earlierSample(this.firstReject, event);
        break;
      case "warning":
        this.warnings += 1;
        this.firstWarning = earlierSample(this.firstWarning, event);
        break;
      case "write-error":
        this.writeErrors += 1;
        this.firstWriteError = earlierSample(this.firstWriteError, event);
        break;
      case "sendmail-error":
        this.sendmailErrors += 1;
        this.firstSendmailError = earlierSample(this.firstSendmailError, event);
    }
    if (event.submissionFailed) this.addFailedSubmission(event);
    if (this.first === null || event.time < this.first) this.first = event.time;
    if (this.last === null || event.time > this.last) this.last = event.time;
  }

  /**
   * Counts a failed submission, unless it is the second line of a pair: a line of the other
   * program with the same uid, at most `SUBMISSION_PAIR_WINDOW_MS` away, that has no pair yet.
   * A line without a uid pairs with none.
   */
  private addFailedSubmission(event: QueueSpaceEvent): void {
    this.firstLostSubmission = earlierSample(this.firstLostSubmission, event);
    const sendmail = event.kind === "sendmail-error";
    this.waiting = this.waiting.filter(
      (failure) => Math.abs(event.time - failure.time) <= SUBMISSION_PAIR_WINDOW_MS,
    );
    const pair = this.waiting.findIndex(
      (failure) => failure.sendmail !== sendmail && event.uid !== null && failure.uid === event.uid,
    );
    if (pair >= 0) {
      this.waiting.splice(pair, 1);
      return;
    }
    this.lostSubmissions += 1;
    if (this.waiting.length >= MAX_WAITING_FAILURES) this.waiting.shift();
    this.waiting.push({ time: event.time, uid: event.uid, sendmail });
  }
}

// Lines come in log order, which can step back in time across files, so the earlier one wins.
function earlierSample(sample: QueueSpaceSample | null, event: QueueSpaceEvent): QueueSpaceSample {
  if (sample !== null && sample.time <= event.time) return sample;
  return { time: event.time, position: { ...event.position }, text: detach(event.text) };
}
