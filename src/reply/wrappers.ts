import type { SmtpStage } from "../knowledge/categories.js";
import { unwrapClientError } from "./client-errors.js";
import { stageFromWording } from "./stage.js";

/** A reply taken out of the log line, bounce or exception that carried it, not yet parsed. */
export interface Unwrapped {
  /** The reply as the wrapper left it, line breaks included. */
  readonly body: string;
  /**
   * True when the wrapper joined the reply's lines and may have re-wrapped them (Postfix, DSN
   * folding), so line breaks say nothing about where a reply line ended.
   */
  readonly flattened: boolean;
  readonly remoteHost: string | null;
  readonly remoteIp: string | null;
  readonly stage: SmtpStage | null;
  /** Reply code that the wrapper states apart from the text (Python tuple, Rust enum, Java suffix). */
  readonly replyCode: number | null;
  /** Enhanced code from a Postfix `dsn=` field in the same line. */
  readonly dsn: string | null;
}

const POSTFIX_SAID = /\bhost\s+([^\s[\]]+)\s*\[([^[\]\n]*)\]\s*(said|refused to talk to me):\s*/;
// Postfix names the command in a few words ("RCPT TO", "end of DATA"); the bound keeps a text
// with many "(in reply to" and no "command)" from costing quadratic time.
const POSTFIX_IN_REPLY = /\(in\s+reply\s+to\s+([^()]{1,40}?)\s+command\)/;
// The same trailer at the end of a text pasted from a Postfix line without its "host … said:",
// maybe with the ")" that closed Postfix's "status=bounced (".
const POSTFIX_TRAILER = /\(in\s+reply\s+to\s+([^()]{1,40}?)\s+command\)\)?\s*$/;
// Exim names the command with the envelope address and any ESMTP parameters (RFC 5321
// section 4.1.2) that it sent: "MAIL FROM:<a@b> SIZE=1893 BODY=8BITMIME", "RCPT TO:<a@b>
// NOTIFY=FAILURE ORCPT=rfc822;a@b", after "pipelined" when the command was pipelined. The
// parameters end at the colon before the reply, so a value may hold neither blanks nor a
// colon. The bound of 10 parameters keeps a long run of words from costing more than linear
// time.
const EXIM_ERROR =
  /SMTP error from remote (?:mail server|mailer) after ((?:pipelined\s+)?(?:RCPT TO|MAIL FROM):\s*<[^<>\n]*>(?:[ \t]+[A-Za-z0-9][A-Za-z0-9-]*(?:=[^\s<>:]*)?){0,10}|[^:\n]{1,80}?)\s*:\s*/i;
const EXIM_HOST =
  /\bH=([^\s[\]]+)\s+\[([^[\]\n]+)\]|(?:^|\n)[ \t]*host\s+([^\s[\]]+)\s+\[([^[\]\n]+)\]/;
const DSN_DIAGNOSTIC = /^[ \t]*Diagnostic-Code:[ \t]*smtp;[ \t]*/im;
const GOOGLE_BOUNCE = /The response from the remote server was:[ \t]*\n?/i;
const DESTINATION_IP = /destination host IP\s*-\s*([0-9a-fA-F.:]+)\s*-\s*/;
// Exchange Server's NDR quotes the reply: "Remote Server returned '554 5.7.1 …'". Some
// versions put their own "<host #5.0.0 smtp; …>" around the reply inside the quotes.
const EXCHANGE_RETURNED = /\bRemote Server returned '/i;
const EXCHANGE_BRACKETS = /^\s*<[^<>#\n]*#[245]\.\d{1,3}\.\d{1,3}\s+smtp;\s*([^]*?)>\s*$/i;
// A Sendmail transcript writes the client's command as ">>> MAIL From:<a@b> SIZE=n" and the
// server's reply as "<<< 554 …", and `cleanInput` removes both marks. The command is the line
// before the first failure reply, and "." is the end of the message data.
const TRANSCRIPT_COMMAND =
  /^[ \t]*((?:MAIL FROM:|RCPT TO:|EHLO\b|HELO\b|AUTH\b)[^\n]*|(?:DATA|\.|STARTTLS|QUIT)[ \t]*)\n(?=[ \t]*[45]\d\d(?:[ -]|$))/im;
const FAILURE_LINE = /^[ \t]*[45]\d\d(?:[ -]|$)/m;

/** Takes the reply out of its wrapper, keeping what the wrapper says about host and stage. */
export function unwrap(text: string): Unwrapped {
  return (
    unwrapClientError(text) ??
    unwrapPostfix(text) ??
    unwrapExim(text) ??
    unwrapDsn(text) ??
    unwrapExchange(text) ??
    unwrapTranscript(text) ??
    unwrapOther(text)
  );
}

function unwrapPostfix(text: string): Unwrapped | null {
  const said = POSTFIX_SAID.exec(text);
  if (said === null) return null;

  const prefix = text.slice(0, said.index);
  let body = text.slice(said.index + said[0].length);
  let stage: SmtpStage | null = said[3] === "said" ? null : "connect";
  const inReply = POSTFIX_IN_REPLY.exec(body);
  if (inReply !== null) {
    body = body.slice(0, inReply.index).trimEnd();
    stage ??= stageFromWording((inReply[1] ?? "").replace(/\s+/g, " "));
  } else if (/\(\s*$/.test(prefix)) {
    // "status=deferred (host … refused to talk to me: …)" has no "in reply to" before its ")".
    body = body.replace(/\)\s*$/, "");
  }
  const dsn = /\bdsn=(\d\.\d{1,3}\.\d{1,3})\b/.exec(prefix);
  return {
    body,
    flattened: true,
    remoteHost: said[1] ?? null,
    remoteIp: said[2] ?? null,
    stage,
    replyCode: null,
    dsn: dsn?.[1] ?? null,
  };
}

function unwrapExim(text: string): Unwrapped | null {
  const error = EXIM_ERROR.exec(text);
  if (error === null) return null;

  let body = text.slice(error.index + error[0].length);
  const host = EXIM_HOST.exec(text.slice(0, error.index));
  let remoteHost = host?.[1] ?? host?.[3] ?? null;
  let remoteIp = host?.[2] ?? host?.[4] ?? null;
  // Exim before 4.80 names the host after the stage: "after RCPT TO:<a@b>: host H [ip]: 550 …".
  const lateHost = /^host\s+(\S+)\s+\[([^\]]+)\]:\s*/.exec(body);
  if (lateHost !== null) {
    remoteHost = lateHost[1] ?? null;
    remoteIp = lateHost[2] ?? null;
    body = body.slice(lateHost[0].length);
  }
  return {
    body: endAtBlankLine(body),
    flattened: false,
    remoteHost,
    remoteIp,
    stage: stageFromWording(error[1] ?? ""),
    replyCode: null,
    dsn: null,
  };
}

/** Takes the reply out of a DSN `Diagnostic-Code: smtp;` field, or returns null without one. */
export function unwrapDsn(text: string): Unwrapped | null {
  const diagnostic = DSN_DIAGNOSTIC.exec(text);
  if (diagnostic === null) return null;

  // The field continues on folded lines, which start with white space (RFC 5322 section 2.2.3).
  const rest = text.slice(diagnostic.index + diagnostic[0].length);
  const folded = /^[^\n]*(?:\n[ \t][^\n]*)*/.exec(rest)?.[0] ?? rest;
  const remoteMta = /^[ \t]*Remote-MTA:[ \t]*dns;[ \t]*([^\s(;]+)/im.exec(text);
  return {
    body: folded.replace(/\n[ \t]+/g, " "),
    flattened: true,
    remoteHost: remoteMta?.[1]?.replace(/\.$/, "") ?? null,
    remoteIp: null,
    stage: null,
    replyCode: null,
    dsn: null,
  };
}

function unwrapExchange(text: string): Unwrapped | null {
  const returned = EXCHANGE_RETURNED.exec(text);
  if (returned === null) return null;

  // The quote ends at the last "'" before a blank line, because the reply itself may hold
  // quotes ("weren't") and an NDR re-wrapped at 76 columns continues it on the next lines.
  const rest = endAtBlankLine(text.slice(returned.index + returned[0].length));
  const close = rest.lastIndexOf("'");
  const quoted = close < 0 ? rest : rest.slice(0, close);
  return {
    body: EXCHANGE_BRACKETS.exec(quoted)?.[1] ?? quoted,
    flattened: true,
    remoteHost: null,
    remoteIp: null,
    stage: null,
    replyCode: null,
    dsn: null,
  };
}

function unwrapTranscript(text: string): Unwrapped | null {
  const command = TRANSCRIPT_COMMAND.exec(text);
  // A failure reply before the command is the one the text is about, and the transcript
  // below it belongs to another host of the same bounce.
  if (command === null || FAILURE_LINE.test(text.slice(0, command.index))) return null;

  const line = (command[1] ?? "").trim();
  const wording = line === "." ? "end of data" : line;
  return {
    body: endAtLastReplyLine(text.slice(command.index + command[0].length)),
    flattened: false,
    remoteHost: null,
    remoteIp: null,
    stage: stageFromWording(wording),
    replyCode: null,
    dsn: null,
  };
}

// The last line of a reply has a blank or nothing after its code (RFC 5321 section 4.2.1).
const LAST_REPLY_LINE = /^[ \t]*[2-5]\d\d(?:[ \t][^\n]*)?$/m;

/**
 * Cuts a transcript after the last line of its first reply, so that the MTA's own summary
 * below it ("554 5.0.0 Service unavailable") does not join the receiver's text.
 */
function endAtLastReplyLine(text: string): string {
  const last = LAST_REPLY_LINE.exec(text);
  return last === null ? text : text.slice(0, last.index + last[0].length);
}

function unwrapOther(text: string): Unwrapped {
  let body = text;
  const googleBounce = GOOGLE_BOUNCE.exec(body);
  if (googleBounce !== null)
    body = endAtBlankLine(body.slice(googleBounce.index + googleBounce[0].length));
  const destination = DESTINATION_IP.exec(body);
  // Postfix writes this trailer after the reply's lines joined into one, so the text is flattened.
  const trailer = POSTFIX_TRAILER.exec(body);
  if (trailer !== null) body = body.slice(0, trailer.index).trimEnd();
  return {
    body,
    flattened: trailer !== null,
    remoteHost: null,
    remoteIp: destination?.[1] ?? null,
    stage: trailer === null ? null : stageFromWording((trailer[1] ?? "").replace(/\s+/g, " ")),
    replyCode: null,
    dsn: null,
  };
}

/** Cuts the text at the first blank line after its first non-blank line. */
export function endAtBlankLine(text: string): string {
  const start = text.search(/\S/);
  if (start < 0) return text;
  const blank = /\n[ \t]*\n/.exec(text.slice(start));
  return blank === null ? text : text.slice(0, start + blank.index);
}
