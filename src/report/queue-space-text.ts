import type { QueueSpaceLine, QueueSpaceReport } from "../diagnose/queue-space.js";
import type { MtaName } from "../logs/events.js";
import {
  instancesPhrase,
  POSTFIX_QUEUE_FILE_SYSTEM,
  queueDirectoryText,
  type QueueDirectoryText,
} from "./queue-instances-text.js";
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

/** The verdict words for lost local submissions (see `queueSpaceLabelWords`). */
const LOST_MAIL_WORDS = "local mail lost";

/**
 * Returns the verdict words for this server's queue faults, or null when the report shows
 * neither a fault nor a lost local submission. A fault reads "queue disk full" while it goes
 * on at the end of the log, else "queue disk was full". Exim calls its queue the spool, so an
 * Exim log reads "spool disk" in place of "queue disk". A lost local submission adds "local
 * mail lost", because it makes `delist diagnose` exit 1 also without a fault, such as for a
 * message above the size limit. The verdict label puts the words after "not blocked, ".
 */
export function queueSpaceLabelWords(report: QueueSpaceReport | null): string | null {
  if (report === null) return null;
  const words = [
    report.confirmed ? diskStateWords(report) : null,
    report.lostSubmissions > 0 ? LOST_MAIL_WORDS : null,
  ].filter((part) => part !== null);
  return words.length === 0 ? null : words.join(", ");
}

function diskStateWords(report: QueueSpaceReport): string {
  const disk = diskName(report.mta);
  return report.ongoing ? `${disk} full` : `${disk} was full`;
}

function diskName(mta: MtaName): string {
  return mta === "exim" ? "spool disk" : "queue disk";
}

function queueFileName(mta: MtaName): string {
  return mta === "exim" ? "spool file" : "queue file";
}

/** The file system of each MTA's queue directory, as the fixes name it. */
const QUEUE_FILE_SYSTEM: Record<MtaName, string> = {
  postfix: POSTFIX_QUEUE_FILE_SYSTEM,
  exim:
    "the file system of Exim's spool directory (`exim -bP spool_directory`, usually " +
    "/var/spool/exim or /var/spool/exim4)",
  sendmail:
    "the file system of Sendmail's queue directory (the QueueDirectory option in " +
    "sendmail.cf, usually /var/spool/mqueue)",
};

/** Returns the sentences of `report`, or null when the log shows no such line. */
export function queueSpaceSentences(report: QueueSpaceReport | null): QueueSpaceSentences | null {
  if (report === null) return null;
  const times =
    report.first === report.last
      ? `at ${shortTime(report.first)}`
      : `from ${shortTime(report.first)} to ${shortTime(report.last)}`;
  const period = times + instancesPhrase(report);
  const directories = queueFileSystem(report);
  return {
    counts: report.confirmed ? faultSentences(report, period) : noteSentences(report, period),
    sample: lineText(report.sample),
    lost: lostText(report),
    fix: report.confirmed
      ? faultFix(report, directories) + otherWriteFix(report)
      : noteFix(report, directories),
  };
}

/**
 * Returns the fix of a report that shows no fault. When no line names a lack of space and a
 * write failed for another cause, that cause comes first.
 */
function noteFix(report: QueueSpaceReport, directories: QueueDirectoryText): string {
  const freeSpace = withSentences(
    `If it repeats, check the free space of ${directories.fileSystem} with \`df -h\`.`,
    directories.sentences,
  );
  const namesSpace = report.rejects + report.warnings + report.writeErrors > 0;
  if (namesSpace || report.otherWriteErrors === 0) return freeSpace + otherWriteFix(report);
  return `${otherWriteFix(report).trimStart()} ${freeSpace}`;
}

/**
 * Returns the file system to free and the sentences that go with it: for Postfix, the queue
 * directories of the report's instances (see `queueDirectoryText`).
 */
function queueFileSystem(report: QueueSpaceReport): QueueDirectoryText {
  if (report.mta === "postfix") return queueDirectoryText(report);
  return { fileSystem: QUEUE_FILE_SYSTEM[report.mta], sentences: "" };
}

function otherWriteFix(report: QueueSpaceReport): string {
  if (report.otherWriteErrors === 0) return "";
  const directory = report.mta === "exim" ? "spool directory" : "queue directory";
  const causes =
    " A write that failed for another cause needs that cause fixed, such as a file size " +
    `limit, a disk quota or the permissions of the ${directory}.`;
  return isPostfixFileTooLarge(report) ? causes + POSTFIX_FILE_SIZE_FIX : causes;
}

/**
 * Postfix's sendmail, postdrop and cleanup programs set their file size limit to
 * `message_size_limit` (`set_file_limit` in their sources), so a queue file write that fails
 * with EFBIG comes from a message larger than that limit.
 */
const POSTFIX_FILE_SIZE_FIX =
  ' "File too large" means a message larger than message_size_limit (`postconf -h ' +
  "message_size_limit`): raise the limit, or have the program send smaller mail.";

function isPostfixFileTooLarge(report: QueueSpaceReport): boolean {
  return (
    report.mta === "postfix" && report.otherWriteSample?.text.includes("File too large") === true
  );
}

function faultSentences(report: QueueSpaceReport, period: string): string {
  switch (report.mta) {
    case "postfix":
      return postfixFaultSentences(report, period);
    case "exim":
      return eximFaultSentences(report, period);
    case "sendmail":
      return sendmailFaultSentences(report, period);
  }
}

function postfixFaultSentences(report: QueueSpaceReport, period: string): string {
  const smtpd = [
    report.rejects === 0
      ? null
      : `logged ${rejectsText(report)} with 452 4.3.1 Insufficient system storage`,
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
  pushOtherWriteSentence(sentences, report);
  pushLostSentence(sentences, report);
  sentences.push(
    inflowSentence(report, "Postfix smtpd", "smtpd rejects every MAIL FROM, so no mail comes in"),
  );
  return sentences.join(" ");
}

/**
 * Adds the sentence on lost local submissions, if any. Programs submit through the sendmail
 * command of every MTA (Exim and Sendmail install one too), and the sentence names the line
 * that each MTA logs for a lost one.
 */
function pushLostSentence(sentences: string[], report: QueueSpaceReport): void {
  if (report.lostSubmissions === 0) return;
  const lost = plural(report.lostSubmissions, "local submission");
  const were = report.lostSubmissions === 1 ? "was" : "were";
  const lines =
    report.lostSubmissionLines > report.lostSubmissions
      ? ` (${plural(report.lostSubmissionLines, "log line")})`
      : "";
  sentences.push(
    `${lost} ${were} lost${lines}: ${LOST_LINE[report.mta]}, so the program that ran the sendmail ` +
      "command, such as PHP's mail() or cron, got the error.",
  );
}

/** The clause of the lost sentence that names the line each MTA logs for a lost submission. */
const LOST_LINE: Record<MtaName, string> = {
  postfix: "the Postfix sendmail command exited with an error and queued nothing",
  exim:
    "Exim logged `Message abandoned` while it received the message from a local account, " +
    "and kept nothing in its spool",
  sendmail: "Sendmail logged a `SYSERR(USER)` line for the calling user and queued nothing",
};

/** Counts rejects and the clients they name apart: "2 rejects of 1 client". */
function rejectsText(report: QueueSpaceReport): string {
  const rejects = plural(report.rejects, "reject");
  if (report.rejectedClients === 0) return rejects;
  return `${rejects} of ${plural(report.rejectedClients, "client")}`;
}

/**
 * Returns the sentence on incoming mail: the clause `blocked` on what the MTA does while free
 * space is short. When the log shows mail from SMTP clients accepted between the lines, the
 * sentence counts that mail instead, because "no mail comes in" would be false.
 */
function inflowSentence(report: QueueSpaceReport, mta: string, blocked: string): string {
  if (report.acceptedMessages === 0) return `While free space is short, ${blocked}.`;
  return (
    `${mta} still accepted ${plural(report.acceptedMessages, "message")} from SMTP clients ` +
    "in that time, so free space ran short only at times."
  );
}

// Exim's failed check is logged for each MAIL FROM that got `452 Space shortage`.
function eximFaultSentences(report: QueueSpaceReport, period: string): string {
  const sentences = [`Spool disk full: ${period}.`];
  if (report.warnings > 0) {
    sentences.push(
      `${plural(report.warnings, "free-space check")} of the spool or log directory ` +
        "failed, and Exim answered each of those MAIL FROM commands with 452 Space shortage, " +
        "please try later.",
    );
  }
  if (report.writeErrors > 0) {
    sentences.push(
      `Exim abandoned ${plural(report.writeErrors, "incoming message")} because a spool ` +
        "file write failed with No space left on device.",
    );
  }
  pushOtherWriteSentence(sentences, report);
  pushLostSentence(sentences, report);
  sentences.push(
    inflowSentence(report, "Exim", "Exim rejects every MAIL FROM, so no mail comes in"),
  );
  return sentences.join(" ");
}

function sendmailFaultSentences(report: QueueSpaceReport, period: string): string {
  const sentences = [`Queue disk full: ${period}.`];
  if (report.warnings > 0) {
    sentences.push(
      `Sendmail logged ${plural(report.warnings, "line")} saying that it rejects new ` +
        "messages because the queue file system has fewer free blocks than MinFreeBlocks.",
    );
  }
  if (report.rejects > 0) {
    sentences.push(
      `Sendmail answered ${plural(report.rejects, "client command")} with 452 4.4.5 ` +
        "Insufficient disk space; try again later.",
    );
  }
  if (report.writeErrors > 0) {
    sentences.push(
      `Sendmail logged ${plural(report.writeErrors, "system error")} (SYSERR) on a queue ` +
        "or temp file that could not be written for lack of space.",
    );
  }
  pushOtherWriteSentence(sentences, report);
  pushLostSentence(sentences, report);
  sentences.push(
    inflowSentence(
      report,
      "Sendmail",
      "the Sendmail daemon accepts no new messages, so no mail comes in",
    ),
  );
  return sentences.join(" ");
}

/**
 * Returns the note of a report that is no fault (see `isQueueSpaceFault`). Such a report has
 * rejects without a line that names the lack of space, sendmail command errors without a
 * postdrop line that names it, or writes that failed for another cause.
 */
function noteSentences(report: QueueSpaceReport, period: string): string {
  const sentences =
    report.rejects > 0
      ? [rejectsNote(report, period)]
      : [
          `Note: ${period}, ${queueFileName(report.mta)} writes failed, but no line names a ` +
            "lack of space.",
        ];
  if (report.sendmailErrors > 0) {
    sentences.push(
      `The Postfix sendmail command logged ${plural(report.sendmailErrors, "queue file write error")}, ` +
        "and no postdrop line named lack of space as the cause.",
    );
  }
  pushOtherWriteSentence(sentences, report);
  pushLostSentence(sentences, report);
  return sentences.join(" ");
}

/** Adds the sentence on writes that failed for another cause than lack of space, if any. */
function pushOtherWriteSentence(sentences: string[], report: QueueSpaceReport): void {
  const other = report.otherWriteSample;
  if (report.otherWriteErrors === 0 || other === null) return;
  const writes = plural(report.otherWriteErrors, `${queueFileName(report.mta)} write`);
  sentences.push(
    `${writes} failed for another cause than lack of space, which is no disk fault. ` +
      `The first reads "${other.text}".`,
  );
}

// Exim logs no rejects for lack of space, so only Postfix and Sendmail reports have them.
function rejectsNote(report: QueueSpaceReport, period: string): string {
  const sendmail = report.mta === "sendmail";
  const rejected = sendmail
    ? `Sendmail answered ${plural(report.rejects, "client command")} with 452 4.4.5 ` +
      "Insufficient disk space and logged no line that it rejects new messages."
    : `Postfix smtpd logged ${rejectsText(report)} with 452 4.3.1 Insufficient system ` +
      "storage and logged no warning that the mail queue lacks free space.";
  const accepted =
    report.acceptedMessages === 0
      ? ""
      : ` ${sendmail ? "Sendmail" : "Postfix smtpd"} accepted ` +
        `${plural(report.acceptedMessages, "message")} from SMTP clients in that time.`;
  return (
    `Note: ${period}, ${rejected}${accepted} One or two such rejects within 10 minutes, or ` +
    "rejects with mail accepted between them, can be a passing shortage. Clients retry a 4xx " +
    "reply later, so they are no fault by themselves."
  );
}

/** The second sentence of each MTA's fix: the free-space limit that it checks. */
const FREE_SPACE_LIMIT: Record<MtaName, string> = {
  postfix:
    "Postfix smtpd needs free space of 1.5 times message_size_limit, or queue_minfree when " +
    "that is larger.",
  exim:
    "Exim rejects MAIL FROM while the spool directory has less free space than " +
    "check_spool_space (`exim -bP check_spool_space`) or the log directory less than " +
    "check_log_space.",
  sendmail:
    "The Sendmail daemon accepts no new messages while the queue file system has fewer free " +
    "blocks than MinFreeBlocks (`grep -E 'QueueDirectory|MinFreeBlocks' " +
    "/etc/mail/sendmail.cf`).",
};

function faultFix(report: QueueSpaceReport, directories: QueueDirectoryText): string {
  const freeSpace = `Free space on ${directories.fileSystem} and check it with \`df -h\`.`;
  const fix = `${withSentences(freeSpace, directories.sentences)} ${FREE_SPACE_LIMIT[report.mta]}`;
  if (report.lostSubmissions === 0) return fix;
  return (
    `${fix} Lost local submissions are gone: ${LOST_ACCOUNT[report.mta]} names the local ` +
    "account, whose programs must send them again."
  );
}

/** The part of each MTA's lines of a lost local submission that names the sending account. */
const LOST_ACCOUNT: Record<MtaName, string> = {
  postfix: "the uid in their sendmail or postdrop lines",
  exim: "the login after `while receiving` in their `Message abandoned` lines",
  sendmail: "the user in their `SYSERR(USER)` lines",
};

function withSentences(sentence: string, more: string): string {
  return more === "" ? sentence : `${sentence} ${more}`;
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
