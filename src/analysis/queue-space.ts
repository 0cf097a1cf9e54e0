import type {
  LinePosition,
  LoggedMessage,
  MtaName,
  PostfixInstanceEvent,
  QueueSpaceEvent,
} from "../logs/events.js";
import { DEFAULT_INSTANCE } from "../logs/postfix/queues.js";
import { DistinctCounter } from "./distinct.js";
import { SubmissionLines } from "./submission-lines.js";
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

/** `strerror(ENOSPC)` in glibc's words, at the end of a line that names it. */
const NO_SPACE = ": No space left on device";

/** Maximum failed submissions kept while they wait for their pair, so memory stays bounded. */
const MAX_WAITING_FAILURES = 64;

/**
 * Maximum syslog hosts, or Postfix instances of a host, whose runs `QueueSpaceAnalyser` keeps.
 * Only those with queue-space lines get a state, an estimated 100 bytes each, so the maps stay
 * near 100 kB.
 */
export const MAX_QUEUE_SPACE_HOSTS = 1000;

/** Maximum Postfix instances that `QueueSpaceAnalyser.instances` names. */
export const MAX_NAMED_INSTANCES = 16;

/**
 * The reject run and the accepted mail of one syslog host, or of one Postfix instance of a
 * host, as `QueueSpaceAnalyser` keeps them.
 */
interface HostQueueSpace {
  /** Time of the host's latest queue-space line, in epoch ms. */
  last: number;
  /** Messages accepted after `last`, which join `acceptedInSpan` when a later line comes. */
  acceptedAfterLast: number;
  runRejects: number;
  runFirst: number;
  runLast: number;
  runEnded: boolean;
}

/** The evidence of all hosts' lines on one Postfix `syslog_name` (see `PostfixInstanceEvent`). */
export interface SyslogNameEvidence {
  /** True when some host showed a Postfix instance of this name. */
  isInstance: boolean;
  /** The instance whose queue the name uses on the first host that showed an alias, or null. */
  owner: string | null;
}

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
   * Of `sendmailErrors`, the lines that name `No space left on device` themselves. The others
   * (`queue file write error`) leave the cause to postdrop's line before them.
   */
  sendmailSpaceErrors = 0;
  /** Writes of a queue or spool file that failed for another cause than lack of space. */
  otherWriteErrors = 0;
  /**
   * Local submissions that failed. One failure often writes two lines, postdrop's
   * `uid=N: No space left on device` and sendmail's `fatal: USER(N): queue file write error`,
   * and such a pair counts once. Several Sendmail `SYSERR(USER)` lines of one process or
   * queue id count once too (see `SubmissionLines`).
   */
  lostSubmissions = 0;
  /** Lines that ended a local submission, each line of a submission counted. */
  lostSubmissionLines = 0;
  /** Time of the earliest and latest line of any kind, in epoch ms. Null before any line. */
  first: number | null = null;
  last: number | null = null;
  firstReject: QueueSpaceSample | null = null;
  firstWarning: QueueSpaceSample | null = null;
  firstWriteError: QueueSpaceSample | null = null;
  firstSendmailError: QueueSpaceSample | null = null;
  firstOtherWriteError: QueueSpaceSample | null = null;
  /** The first line that ended a local submission. */
  firstLostSubmission: QueueSpaceSample | null = null;
  /** Clients that the rejects name by IP address. Only Postfix's rejects name one. */
  readonly rejectClients = new DistinctCounter();
  /**
   * Messages from SMTP clients that a host accepted between that host's first and last line of
   * any kind, by the time of their first line (Postfix's `client=`). They show that the free
   * space was enough for the MTA's check at that time. A Postfix instance counts apart from the
   * other instances of its host, because each has a queue directory of its own.
   */
  acceptedInSpan = 0;
  /**
   * The maximum rejects in one run, and the maximum span of a run from its first to its last
   * reject, in ms. A run is a series of rejects of one syslog host and Postfix instance with no
   * message accepted from an SMTP client by that host and instance between them, so a run of
   * several rejects shows the shortage going on.
   */
  maxRunRejects = 0;
  maxRunSpanMs = 0;

  /**
   * Lines of the hosts and instances past `MAX_QUEUE_SPACE_HOSTS`. They count in the totals above, but in no
   * run and not for `acceptedInSpan`.
   */
  untrackedLines = 0;
  /**
   * The Postfix instances of the lines (see `postfixInstanceOf`), at most
   * `MAX_NAMED_INSTANCES`. Empty for Exim and Sendmail lines.
   */
  readonly instances = new Set<string>();
  /**
   * The evidence of the log on the Postfix `syslog_name`s other than the default, by name, for
   * at most `MAX_QUEUE_SPACE_HOSTS` names. It distinguishes an instance from a master.cf service
   * with `-o syslog_name`, which uses the queue of its instance.
   */
  readonly syslogNames = new Map<string, SyslogNameEvidence>();

  private waiting: WaitingFailure[] = [];
  private readonly submissionLines = new SubmissionLines();
  // Runs and accepted mail by syslog host, because each server has its own queue disk. This
  // map keys the default Postfix instance and the other MTAs by host alone, so the mail of a
  // single-instance log takes one look-up.
  private readonly hosts = new Map<string, HostQueueSpace>();
  // Runs and accepted mail of the other Postfix instances, by host and then by instance.
  private readonly otherInstances = new Map<string, Map<string, HostQueueSpace>>();
  private stateCount = 0;

  add(event: QueueSpaceEvent): void {
    this.mta ??= event.mta;
    if (event.instance !== null) this.addInstance(event.instance);
    const host = this.hostOf(event.host, event.instance);
    if (host !== null) this.addToHost(host, event);
    switch (event.kind) {
      case "reject":
        this.rejects += 1;
        this.firstReject = earlierSample(this.firstReject, event);
        if (event.clientIp !== null) this.rejectClients.add(event.clientIp);
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
        if (event.text.endsWith(NO_SPACE)) this.sendmailSpaceErrors += 1;
        this.firstSendmailError = earlierSample(this.firstSendmailError, event);
        break;
      case "other-write-error":
        this.otherWriteErrors += 1;
        this.firstOtherWriteError = earlierSample(this.firstOtherWriteError, event);
    }
    if (event.submissionFailed) this.addFailedSubmission(event);
    if (this.first === null || event.time < this.first) this.first = event.time;
    if (this.last === null || event.time > this.last) this.last = event.time;
  }

  /**
   * Takes a message that entered the queue, so that mail accepted between the lines of this
   * analyser counts. Local submissions do not count, because Postfix smtpd's free-space check
   * at MAIL FROM does not apply to them. A message counts by the time of its first line, which
   * can come before a reject while its `message` event comes after it. Such a message does
   * not end the run of that reject, so the rule errs towards a fault.
   */
  addMessage(message: LoggedMessage): void {
    if (message.clientIp === null) return;
    // Only the mail of the host and Postfix instance whose queue disk logged the lines counts.
    // In a central log, the mail of one server shows nothing about the free space of another,
    // and on one host, the mail of one instance shows nothing about another's queue.
    // NOTE: a master.cf service with `-o syslog_name=postfix-NAME` counts as the instance
    // postfix-NAME here, also when `syslogNames` shows it to be an alias, so its lines and the
    // mail of its instance count apart, though they share one queue.
    const instance = message.instance;
    const host =
      instance === null || instance === DEFAULT_INSTANCE
        ? this.hosts.get(message.host)
        : this.otherInstances.get(message.host)?.get(instance);
    if (host === undefined) return;
    if (message.firstTime > host.last) host.acceptedAfterLast += 1;
    if (host.runRejects > 0 && message.firstTime > host.runLast) host.runEnded = true;
  }

  /**
   * Takes what a host's lines show about a Postfix `syslog_name`.
   * NOTE: the evidence of all hosts is merged by name, so in a central log a name that is an
   * instance on one host and an alias on another counts as an instance everywhere.
   */
  addSyslogName(event: PostfixInstanceEvent): void {
    let evidence = this.syslogNames.get(event.name);
    if (evidence === undefined) {
      if (this.syslogNames.size >= MAX_QUEUE_SPACE_HOSTS) return;
      evidence = { isInstance: false, owner: null };
      this.syslogNames.set(detach(event.name), evidence);
    }
    if (event.kind === "instance") evidence.isInstance = true;
    else evidence.owner ??= event.owner === null ? null : detach(event.owner);
  }

  private addInstance(instance: string): void {
    if (this.instances.size < MAX_NAMED_INSTANCES && !this.instances.has(instance)) {
      this.instances.add(detach(instance));
    }
  }

  // Returns the state of the host `name` and the Postfix `instance` (null for other MTAs), or
  // null when the maps are full and have no such state.
  private hostOf(name: string, instance: string | null): HostQueueSpace | null {
    const other = instance !== null && instance !== DEFAULT_INSTANCE;
    let instances: Map<string, HostQueueSpace> | undefined;
    if (other) {
      instances = this.otherInstances.get(name);
      const known = instances?.get(instance);
      if (known !== undefined) return known;
    } else {
      const known = this.hosts.get(name);
      if (known !== undefined) return known;
    }
    if (this.stateCount >= MAX_QUEUE_SPACE_HOSTS) {
      this.untrackedLines += 1;
      return null;
    }
    const host: HostQueueSpace = {
      last: Number.NEGATIVE_INFINITY,
      acceptedAfterLast: 0,
      runRejects: 0,
      runFirst: 0,
      runLast: 0,
      runEnded: false,
    };
    this.stateCount += 1;
    if (!other) {
      this.hosts.set(detach(name), host);
      return host;
    }
    if (instances === undefined) {
      instances = new Map();
      this.otherInstances.set(detach(name), instances);
    }
    instances.set(detach(instance), host);
    return host;
  }

  // Moves the host's mail accepted since its last line into the span, and adds a reject to the
  // host's run.
  private addToHost(host: HostQueueSpace, event: QueueSpaceEvent): void {
    if (event.time > host.last) {
      this.acceptedInSpan += host.acceptedAfterLast;
      host.acceptedAfterLast = 0;
      host.last = event.time;
    }
    if (event.kind === "reject") this.addRejectToRun(host, event.time);
  }

  // Starts a new run when mail was accepted since the run's last reject.
  private addRejectToRun(host: HostQueueSpace, time: number): void {
    if (host.runRejects === 0 || host.runEnded) {
      host.runRejects = 0;
      host.runFirst = time;
      host.runLast = time;
      host.runEnded = false;
    }
    host.runRejects += 1;
    host.runFirst = Math.min(host.runFirst, time);
    host.runLast = Math.max(host.runLast, time);
    this.maxRunRejects = Math.max(this.maxRunRejects, host.runRejects);
    this.maxRunSpanMs = Math.max(this.maxRunSpanMs, host.runLast - host.runFirst);
  }

  /**
   * Counts a failed submission, unless it is a later line of a Sendmail submission (see
   * `SubmissionLines`) or the second line of a pair. The pair of a line is a line of the other
   * program with the same uid, at most `SUBMISSION_PAIR_WINDOW_MS` away, that has no pair yet.
   * A line without a uid pairs with none.
   */
  private addFailedSubmission(event: QueueSpaceEvent): void {
    this.firstLostSubmission = earlierSample(this.firstLostSubmission, event);
    this.lostSubmissionLines += 1;
    if (this.submissionLines.isLaterLine(event)) return;
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
