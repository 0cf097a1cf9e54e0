import { DAY_MS, HOUR_MS } from "../analysis/time.js";
import type { DiagnoseContext } from "./context.js";
import { listNames, plural } from "./findings/build.js";
import { BURST_LEVEL_TEXT } from "./findings/source-bursts.js";
import {
  STOPPED_AFTER_MS,
  suspectSendingEnds,
  type LateSending,
  type SendingEnd,
} from "./suspect-sending.js";
import type { Finding, ReadinessItem } from "./types.js";

/*
 * The readiness item "Cause stopped": whether the accounts, scripts, connections, forwarding
 * and senders that findings blame for a block stopped sending before the end of the log.
 */

/**
 * Builds the item on whether the sending that caused a block has stopped. It does not apply
 * when the "Cause found" item does not, because with nothing rejected or deferred there is no
 * cause to stop, even when a finding warns of an account or script that may be a service.
 */
export function causeStopped(
  context: DiagnoseContext,
  findings: readonly Finding[],
  logEnd: number,
  cause: ReadinessItem,
): ReadinessItem {
  if (cause.status === "not-checked") {
    return {
      id: "cause-stopped",
      title: "Cause stopped",
      status: "not-checked",
      detail: "Not applicable: no provider rejects or defers mail, so there is no cause to stop.",
    };
  }
  const ends = suspectSendingEnds(findings);
  const latest = ends.reduce<SendingEnd | null>(
    (best, end) => (best === null || end.time > best.time ? end : best),
    null,
  );
  if (latest === null) {
    return {
      id: "cause-stopped",
      title: "Cause stopped",
      status: "not-checked",
      detail: "No abusive account, script or sender in the log to follow.",
    };
  }
  // The item passes only when every sending stopped, so the latest one decides. The detail
  // names every sender, the latest first, so that none is left to go on unnoticed.
  const stopped = latest.time < logEnd - STOPPED_AFTER_MS;
  const others = ends
    .filter((end) => end !== latest && end.sender !== null)
    .sort((a, b) => b.time - a.time)
    .map((end) => senderEndSentence(context, end, logEnd));
  return {
    id: "cause-stopped",
    title: "Cause stopped",
    status: stopped ? "pass" : "fail",
    detail: [
      latest.sender === null
        ? datedEndDetail(context, latest, logEnd, stopped)
        : senderEndDetail(context, latest, logEnd, stopped),
      ...others,
    ].join(" "),
  };
}

/** Says when a named sender other than the latest one last sent mail, or mail at burst level. */
function senderEndSentence(context: DiagnoseContext, end: SendingEnd, logEnd: number): string {
  const sent = end.aboveUsual ? "sent mail at burst level until" : "last sent mail at";
  return `${namedSenderPhrase(end)} ${sent} ${context.time(end.time)}, ${quietPeriod(logEnd - end.time)} before the last line of the log.${laterMessageSentence(context, end)}`;
}

/**
 * Says that the sender's mail after its end stayed below burst level, or returns "" when it
 * sent none after.
 */
function laterMessageSentence(context: DiagnoseContext, end: SendingEnd): string {
  if (end.laterMessage === null) return "";
  return ` Its later mail, the latest at ${context.time(end.laterMessage)}, stayed below that level (${BURST_LEVEL_TEXT}).`;
}

function namedSenderPhrase(end: SendingEnd): string {
  return `${end.sender ?? ""}, which the ${listNames(end.findings)} ${end.findings.length === 1 ? "finding names" : "findings name"},`;
}

/**
 * Says when the sending of an account, script or connection that a finding dates ended, or
 * when the latest forwarded message came.
 */
function datedEndDetail(
  context: DiagnoseContext,
  end: SendingEnd,
  logEnd: number,
  stopped: boolean,
): string {
  const lastAbuse = end.time;
  if (end.findings.includes("forwarding")) {
    return forwardingEndDetail(context, lastAbuse, logEnd, stopped);
  }
  if (!stopped) {
    return `The suspect sending went on until ${context.time(lastAbuse)}, ${untilEnd(context, lastAbuse, logEnd)}`;
  }
  return (
    `The suspect sending ended at ${context.time(lastAbuse)}, ${quietPeriod(logEnd - lastAbuse)} before the last line of the log (${context.time(logEnd)}).` +
    (logEnd - lastAbuse < DAY_MS
      ? " Attackers often pause for hours; read a newer log before asking for removal."
      : "")
  );
}

/**
 * Says when the latest message forwarded to outside mailboxes entered the queue. Forwarding
 * goes on with the next message for a forwarding address, so a quiet end of the log shows only
 * that no mail for it came.
 */
function forwardingEndDetail(
  context: DiagnoseContext,
  lastMessage: number,
  logEnd: number,
  stopped: boolean,
): string {
  if (!stopped) {
    return `Mail was still forwarded to outside mailboxes at ${context.time(lastMessage)}, ${untilEnd(context, lastMessage, logEnd)}`;
  }
  return (
    `The latest message forwarded to outside mailboxes came at ${context.time(lastMessage)}, ${quietPeriod(logEnd - lastMessage)} before the last line of the log (${context.time(logEnd)}).` +
    " The next message for a forwarding address is forwarded too, unless the forward is turned off or filtered."
  );
}

/**
 * Describes which envelope sender the unknown-recipients or volume-spike finding names, and
 * when its latest message entered the queue. For a burst's sender it gives the time until which
 * the sender kept sending (see `senderSendingEnd` of `volume-spike`), which a removal request
 * gives as the end. Near the end of the log, it also names the later mail that kept it open.
 */
function senderEndDetail(
  context: DiagnoseContext,
  end: SendingEnd,
  logEnd: number,
  stopped: boolean,
): string {
  const named = namedSenderPhrase(end);
  if (!stopped) {
    const reasons = end.aboveUsual ? lateSendingReasons(end, logEnd) : NO_LATE_REASONS;
    // A high hour that ended before `end.time` did not happen at that time, so the lead
    // clause then names only the blocked message, and the hour gets its own sentence.
    const hour = reasons.highHour;
    const hourEndedBefore = hour !== null && hour.start + HOUR_MS <= end.time;
    const leadReasons = hourEndedBefore ? { ...reasons, highHour: null } : reasons;
    return (
      `${named} ${stillSendingClause(end, leadReasons)} at ${context.time(end.time)}, ${untilEnd(context, end.time, logEnd)}` +
      lateSendingSentences(context, reasons, hourEndedBefore)
    );
  }
  const sent = end.aboveUsual ? "sent mail at burst level until" : "last sent mail at";
  return (
    `${named} ${sent} ${context.time(end.time)}, ${quietPeriod(logEnd - end.time)} before the last line of the log (${context.time(logEnd)}).` +
    laterMessageSentence(context, end) +
    (logEnd - end.time < DAY_MS
      ? " A mailing can resume after hours; read a newer log before asking for removal."
      : "")
  );
}

/** The reasons that a burst's sender still counts as sending at the end of the log (see `LateSending`). */
interface LateSendingReasons {
  /** Its latest hour at a high rate, when that hour reaches into the last two hours. */
  readonly highHour: NonNullable<LateSending["highHour"]> | null;
  /** Its latest message with a block reply, when that came in the last two hours. */
  readonly blockedMessage: number | null;
}

const NO_LATE_REASONS: LateSendingReasons = { highHour: null, blockedMessage: null };

/**
 * Picks the later mail of a burst's sender that falls in the last `STOPPED_AFTER_MS` of the
 * log and so keeps "Cause stopped" open: a high hourly rate, block replies, or both.
 */
function lateSendingReasons(end: SendingEnd, logEnd: number): LateSendingReasons {
  const windowStart = logEnd - STOPPED_AFTER_MS;
  const hour = end.lateSending?.highHour ?? null;
  const blocked = end.lateSending?.blockedMessage ?? null;
  return {
    highHour: hour !== null && hour.start + HOUR_MS > windowStart ? hour : null,
    blockedMessage: blocked !== null && blocked >= windowStart ? blocked : null,
  };
}

/** Says what the sender still did: sent at a high rate, got block replies, or both. */
function stillSendingClause(end: SendingEnd, reasons: LateSendingReasons): string {
  if (!end.aboveUsual) return "still sent mail";
  const rate = reasons.highHour !== null;
  const blocked = reasons.blockedMessage !== null;
  if (rate && blocked)
    return "still sent mail above its usual rate, and mail that receivers blocked,";
  if (blocked) return "still sent mail that receivers blocked";
  if (rate) return "still sent mail above its usual rate";
  return "still sent mail at burst level";
}

/**
 * Gives the figure of each reason: the hour's recipients against its usual level, and the
 * blocked message. `hourEndedBefore` marks an hour that ended before the time of the lead
 * clause, which the sentence then names as the latest hour above the usual rate.
 */
function lateSendingSentences(
  context: DiagnoseContext,
  reasons: LateSendingReasons,
  hourEndedBefore: boolean,
): string {
  const sentences: string[] = [];
  const hour = reasons.highHour;
  if (hour !== null) {
    const usual = hour.usualRecipients.toLocaleString("en-US", { maximumFractionDigits: 1 });
    const lead = hourEndedBefore
      ? ` Its latest hour above its usual rate was the hour from ${context.time(hour.start)}, in which`
      : ` In the hour from ${context.time(hour.start)}`;
    sentences.push(
      `${lead} it sent mail to ${plural(hour.recipients, "recipient")}, where it usually sends mail to ${usual} an hour at that time of day.`,
    );
  }
  if (reasons.blockedMessage !== null) {
    sentences.push(
      ` Its latest message that got a block reply entered the queue at ${context.time(reasons.blockedMessage)}.`,
    );
  }
  return sentences.join("");
}

/**
 * Ends the sentence of a sending that went on until `last`, in the last `STOPPED_AFTER_MS` of
 * the log. Within a minute of the log's last line it reads "at the end of the log.". Otherwise
 * it gives how long before that line the sending stopped, and how long it must stop to count.
 */
function untilEnd(context: DiagnoseContext, last: number, logEnd: number): string {
  const quiet = logEnd - last;
  if (quiet < 60_000) return "at the end of the log.";
  return `${quietPeriod(quiet)} before the last line of the log (${context.time(logEnd)}). A sending counts as stopped after ${quietPeriod(STOPPED_AFTER_MS)} without it.`;
}

/** Says how long a quiet period lasted: `1 hour 4 minutes`, `3 days 2 hours`. */
export function quietPeriod(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts =
    days > 0
      ? [unit(days, "day"), unit(hours, "hour")]
      : [unit(hours, "hour"), unit(minutes % 60, "minute")];
  return parts.filter((part) => part !== "").join(" ") || "less than a minute";
}

function unit(value: number, noun: string): string {
  if (value === 0) return "";
  return `${value} ${noun}${value === 1 ? "" : "s"}`;
}
