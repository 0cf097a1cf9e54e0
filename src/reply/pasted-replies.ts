/**
 * Splitting text pasted into `delist explain` into its separate replies, so that two log lines
 * or two replies are explained one by one instead of as one merged reply. The lines of one
 * reply arrive broken in many ways: `NNN-` continuation lines, re-wraps at 76 columns, and a
 * reply code on one line with its enhanced code on the next. So only a line that the text
 * marks as the start of another log line or reply splits it.
 */

// A syslog stamp ("Mar  4 10:00:03") or an RFC 3339 stamp ("2024-03-04T10:00:03", or with a
// blank as Exim writes it), maybe after a syslog priority ("<22>", "<22>1 " of RFC 5424).
const LOG_STAMP =
  /^(?:<\d{1,3}>(?:1 )?)?(?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)/;
// An Exim delivery failure or deferral without its stamp: "1rA001-000001-AA ** carol@…".
// The message id has 6, 6 to 11 and 2 to 4 characters (Exim 4.97 made the last two longer).
const EXIM_FAILURE = /^(?:[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} )?(?:\*\*|==) \S/;
// The delivery status of a Postfix delivery agent's line: "status=bounced (host … said: …)".
const POSTFIX_STATUS = /\bstatus=[a-z]+\b/;
// A failure reply line: its code, then "-" before more lines or a blank before the last line.
const FAILURE_LINE = /^([45]\d\d)([ -]|$)/;
// The first line of a recipient's paragraph in a Postfix non-delivery notice:
// "<carol@example.net>: host mx.example.net[192.0.2.1] said: 550 …".
const RECIPIENT_PARAGRAPH = /^<[^<>\s]+@[^<>\s]+>: /;
// Sendmail's line before the transcript of one remote host: "... while talking to HOST.:".
const TALKING_TO_HOST = /^\.\.\. while talking to \S/;
// A reply code anywhere in a line, as Postfix writes it after "said:".
const REPLY_CODE = /(?:^|\s)[45]\d\d[ -]/;
// A line of an SMTP transcript: a command, or Sendmail's ">>>" mark before one. Replies in a
// transcript follow each other (the MTA's own summary comes after the receiver's reply), so
// a transcript is never split at a reply code.
const TRANSCRIPT_LINE =
  /^[ \t]*(?:>>>|(?:MAIL FROM|RCPT TO):|(?:EHLO|HELO|AUTH)\b|(?:DATA|STARTTLS|QUIT|\.)[ \t]*$)/im;
// Markdown quote marks and Sendmail's "<<<" mark before a server line, which `cleanInput`
// removes later. They are left out before the line is tested.
const LINE_MARKS = /^[ \t]*(?:(?:>+|<<<)(?=[ \t]|$)[ \t]?)+/;
// Maximum length of a line that a re-wrap leaves, because mail clients usually wrap at 72 to 78
// columns (an estimate). A line without a reply code after a longer continuation line is not
// the rest of it.
// NOTE: a continuation line within this width followed at once by prose keeps the prose.
const MAX_WRAPPED_LINE = 80;

/**
 * Splits pasted text into the texts of its replies, in order. Once the current reply has text,
 * a line starts another reply when it starts a log line (a syslog or RFC 3339 stamp, an Exim
 * `**` or `==` line) or repeats Postfix's `status=` of a line before it. Once the current
 * reply has a reply code, a Postfix recipient paragraph (`<addr>: …`) or Sendmail's
 * `... while talking to HOST` starts another one. Outside transcripts, a failure reply line
 * starts another reply when the last reply code line before it was the last line of a reply,
 * even with re-wrapped text in between. A continuation line (`550-…`) waits for a line with
 * the same code (RFC 5321, section 4.2.1). So another reply starts at a failure line with
 * another code, at any line after a blank line, and at a line without a code after an
 * unwrapped continuation line. Each text keeps its line breaks but not
 * the blank lines around it. Returns the whole text as one reply when nothing splits it.
 */
export function splitPastedReplies(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const splitsAtCodes = !TRANSCRIPT_LINE.test(text);
  const replies: string[][] = [];
  let current: string[] = [];
  let hasStatus = false;
  let hasReplyCode = false;
  // True when the last line of the current reply that starts with a failure code is the last
  // line of a failure reply ("550 5.1.1 …"), not a continuation line ("550-5.1.1 …").
  let replyEnded = false;
  // The code of the last failure line while it is a continuation line, and whether a blank
  // line has come after it. Re-wrapped text after a continuation line keeps it open.
  let continuedCode: string | null = null;
  let blankAfterContinuation = false;
  let previousLength = 0;

  for (const line of lines) {
    const bare = line.replace(LINE_MARKS, "");
    if (bare.trim() === "") {
      if (continuedCode !== null) blankAfterContinuation = true;
      current.push(line);
      continue;
    }
    const failure = FAILURE_LINE.exec(bare);
    const startsLogLine = LOG_STAMP.test(bare) || EXIM_FAILURE.test(bare);
    const repeatsStatus = hasStatus && POSTFIX_STATUS.test(bare);
    const otherCode = failure !== null && continuedCode !== null && failure[1] !== continuedCode;
    const notWrapped =
      failure === null && continuedCode !== null && previousLength > MAX_WRAPPED_LINE;
    const endsContinuation = blankAfterContinuation || otherCode || notWrapped;
    const startsReply = splitsAtCodes && (endsContinuation || (replyEnded && failure !== null));
    const startsPart =
      hasReplyCode && (RECIPIENT_PARAGRAPH.test(bare) || TALKING_TO_HOST.test(bare));
    if (hasText(current) && (startsLogLine || repeatsStatus || startsReply || startsPart)) {
      replies.push(current);
      current = [];
      hasStatus = false;
      hasReplyCode = false;
      replyEnded = false;
      continuedCode = null;
    }
    blankAfterContinuation = false;
    previousLength = bare.length;
    current.push(line);
    if (POSTFIX_STATUS.test(bare)) hasStatus = true;
    if (REPLY_CODE.test(bare)) hasReplyCode = true;
    if (failure !== null) {
      replyEnded = failure[2] !== "-";
      continuedCode = failure[2] === "-" ? (failure[1] as string) : null;
    }
  }
  replies.push(current);
  const texts = replies.filter(hasText);
  return texts.length > 1 ? texts.map(joinLines) : [text];
}

/** Joins the lines of one reply without the blank lines around them. */
function joinLines(lines: readonly string[]): string {
  return lines
    .join("\n")
    .replace(/^(?:[ \t]*\n)+/, "")
    .trimEnd();
}

function hasText(lines: readonly string[]): boolean {
  return lines.some((line) => line.trim() !== "");
}
