/**
 * Pieces of a syslog header after the timestamp: the `program[pid]:` tag, RFC 5424 structured
 * data, and the tests that tell a syslog-ng line from an Exim main-log line.
 */
import { isClockAt, isIsoDateAt, StampTail } from "./stamps.js";
import { TokenCache } from "./tokens.js";
import { syslogPartOf } from "../exim/syslog-part.js";

/** Program name of native Exim main-log records and of Exim's syslog tags after folding. */
export const EXIM_PROGRAM = "exim";

/**
 * Reads syslog tags: `program[pid]: `, `program: `, `program[pid] ` or `program :`. The
 * result is left in the fields, so that reading a tag allocates nothing on a cache hit.
 */
export class TagReader {
  /** Program name of the last tag read. */
  program = "";
  /** Pid in brackets, or -1 when the tag has none. */
  pid = -1;
  /** Index where the message starts. */
  messageStart = 0;

  private readonly programs = new TokenCache();

  /**
   * Reads a tag at `start`. Returns false when there is none, which is the case for an empty
   * program, a missing `]`, or a tag cut off by the end of the line.
   */
  read(text: string, start: number): boolean {
    // Fast path for `program[pid]`: a cached program that matches the text up to the next
    // `[` contains no space, colon or bracket, so the scan below would end at that `[` too.
    const bracket = text.indexOf("[", start);
    const known = bracket > start ? this.programs.find(text, start, bracket) : null;
    if (known !== null) {
      this.program = known;
      this.pid = -1;
      return this.readAfterProgram(text, bracket);
    }

    let end = start;
    const length = text.length;
    while (end < length) {
      const code = text.charCodeAt(end);
      if (code === 32 || code === 58 || code === 91) break;
      end += 1;
    }
    // A tag that runs to the end of the line was cut off (`host postfix/s`): no tag.
    if (end === start || end === length) return false;
    // A hex dump (`host 0010 8a 2c ee ...`) has its offset where the tag goes, so a name of hex
    // digits alone is no tag. Only names that start with a decimal digit are checked, which
    // keeps the check off other lines, so offsets from 0xa000 on still pass as programs.
    if (isHexDumpOffset(text, start, end)) return false;
    this.program = this.programs.slice(text, start, end);
    this.pid = -1;
    return this.readAfterProgram(text, end);
  }

  // Reads `[pid]`, the colon and the space after the program, which ends at `programEnd`.
  private readAfterProgram(text: string, programEnd: number): boolean {
    let end = programEnd;
    if (text.charCodeAt(end) === 91) {
      end = this.readPid(text, end + 1);
      if (end < 0 || end === text.length) return false;
    }
    if (text.charCodeAt(end) === 32 && text.charCodeAt(end + 1) === 58) end += 1;
    if (text.charCodeAt(end) === 58) end += 1;
    if (text.charCodeAt(end) === 32) end += 1;
    this.messageStart = end;
    return true;
  }

  // Reads the pid digits after `[` and returns the index after `]`, or -1 without a `]`.
  // Brackets that hold something else (`exim[pid-junk]`) leave the pid at -1.
  private readPid(text: string, start: number): number {
    let end = start;
    let pid = 0;
    let code = text.charCodeAt(end);
    while (code >= 48 && code <= 57 && end - start < 10) {
      pid = pid * 10 + (code - 48);
      end += 1;
      code = text.charCodeAt(end);
    }
    if (code === 93 && end > start) {
      this.pid = pid;
      return end + 1;
    }
    const close = text.indexOf("]", end);
    return close < 0 ? -1 : close + 1;
  }
}

/**
 * True when `text` from `start` to `end` is hex digits and starts with a decimal digit, as
 * the offset column of a hex dump does.
 */
export function isHexDumpOffset(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  if (!(first >= 48 && first <= 57)) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const isDigit = code >= 48 && code <= 57;
    const isHexLetter = (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
    if (!isDigit && !isHexLetter) return false;
  }
  return true;
}

/**
 * True when the text after a `YYYY-MM-DD HH:MM:SS` stamp reads `host tag[pid]: ` (syslog-ng
 * templates) rather than an Exim main-log line. Exim lines also contain `word word:` shapes
 * (`server cert:`, `1rhA2b-000Abc-1x DKIM:`), so a syslog tag needs a pid or a known MTA
 * program name, and the host must not be an Exim message id.
 */
export function looksLikeSyslogHeader(text: string, start: number): boolean {
  const hostEnd = text.indexOf(" ", start);
  if (hostEnd <= start) return false;
  const tagEnd = text.indexOf(" ", hostEnd + 1);
  if (tagEnd < 0 || text.charCodeAt(tagEnd - 1) !== 58) return false;

  const host = text.slice(start, hostEnd);
  if (EXIM_MESSAGE_ID.test(host) || /[=<>:]/.test(host)) return false;
  const tag = SYSLOG_TAG.exec(text.slice(hostEnd + 1, tagEnd - 1));
  if (tag === null) return false;
  return tag[2] !== undefined || SYSLOG_PROGRAMS.test(tag[1] ?? "");
}

// Exim message ids: 16 characters before Exim 4.97, 23 characters from 4.97 on.
const EXIM_MESSAGE_ID = /^[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}$/;
const SYSLOG_TAG = /^([A-Za-z][\w./-]*)(\[\d+\])?$/;
const SYSLOG_PROGRAMS = /^(?:postfix[\w-]*\/|exim|sendmail|sm-mta|sm-msp-queue|dovecot|opendkim)/;

/** Skips RFC 5424 structured data (`-` or one or more `[id key="value"]` elements). */
export function skipStructuredData(text: string, start: number): number {
  if (text.charCodeAt(start) === 45) {
    return text.charCodeAt(start + 1) === 32 ? start + 2 : start + 1;
  }
  let index = start;
  while (text.charCodeAt(index) === 91) {
    let inQuotes = false;
    index += 1;
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code === 92 && inQuotes) index += 1;
      else if (code === 34) inQuotes = !inQuotes;
      else if (code === 93 && !inQuotes) break;
      index += 1;
    }
    index += 1;
  }
  return text.charCodeAt(index) === 32 ? index + 1 : index;
}

/**
 * Removes the stamp (and `[pid]`) that Exim writes inside syslog messages when
 * `syslog_timestamp` is on, so the message reads like a main-log line without its stamp. The
 * first of a line's numbered syslog parts keeps its `[1\N] ` before the text (see
 * `syslogPartOf`).
 */
export function stripEmbeddedEximStamp(message: string): string {
  if (message.charCodeAt(0) === 91) return stripStampAfterPart(message);
  if (!isIsoDateAt(message, 0) || message.charCodeAt(10) !== 32 || !isClockAt(message, 11)) {
    return message;
  }
  const tail = new StampTail().read(message, 19);
  let start = tail.end;
  if (message.charCodeAt(start) === 32) start += 1;
  // `log_timezone` adds ` +0100` after the time.
  if (!tail.hasOffset && tail.read(message, start).hasOffset) {
    start = tail.end;
    if (message.charCodeAt(start) === 32) start += 1;
  }
  if (message.charCodeAt(start) === 91) {
    const close = message.indexOf("] ", start);
    if (close > 0) start = close + 2;
  }
  return message.slice(start);
}

function stripStampAfterPart(message: string): string {
  const part = syslogPartOf(message);
  if (part === null) return message;
  const text = message.slice(part.textStart);
  const stripped = stripEmbeddedEximStamp(text);
  return stripped === text ? message : message.slice(0, part.textStart) + stripped;
}

/**
 * Folds program names that mean the same MTA: Debian's `exim4` is Exim. `journalctl -o
 * with-unit` prints the systemd unit in place of the syslog identifier, so an MTA's unit folds
 * to its program too (see `UNIT_PROGRAMS` and `programOfUnit`).
 */
export function normaliseProgram(program: string): string {
  if (program === "exim4" || program === "exim4-daemon") return EXIM_PROGRAM;
  if (program.endsWith(".service")) return programOfUnit(program);
  return program;
}

/**
 * Programs of the MTAs' systemd units. Every Postfix daemon logs under the one unit of its
 * instance, so `postfix.service` folds to the bare `postfix` tag. The Postfix parser then finds
 * the daemon by the message's shape, as for a tag that rsyslog cut to `postfix`.
 */
const UNIT_PROGRAMS = new Map([
  ["postfix.service", "postfix"],
  ["exim4.service", EXIM_PROGRAM],
  ["exim.service", EXIM_PROGRAM],
  ["sendmail.service", "sendmail"],
]);

function programOfUnit(unit: string): string {
  const instance = postfixUnitInstance(unit);
  if (instance === null) return UNIT_PROGRAMS.get(unit) ?? unit;
  return instance === "" ? "postfix" : `${instance}/postfix`;
}

/**
 * Returns the Postfix instance of a systemd unit `postfix@NAME.service`, as its syslog tags
 * would start: "" for Debian's default instance `postfix@-.service`, NAME for a NAME that
 * starts with `postfix-` (which postmulti(1) requires of instance names), else
 * `postfix-NAME`. Returns null for any other unit.
 */
function postfixUnitInstance(unit: string): string | null {
  if (!unit.startsWith("postfix@") || !unit.endsWith(".service")) return null;
  const name = unit.slice(8, -8);
  if (name === "-" || name === "") return "";
  return name.startsWith("postfix-") ? name : `postfix-${name}`;
}

/**
 * Returns the syslog tag of a journal entry with the syslog identifier `program` from the
 * systemd unit `unit`. Instances that keep the default `syslog_name` all log `postfix/smtp`,
 * so the instance of a `postfix@NAME.service` unit goes in front of such a tag (`postfix-out/smtp`, and `postfix-out/postfix` for a bare `postfix`). A
 * tag with an instance of its own, and the lines of other units, keep theirs.
 */
export function journalProgram(program: string, unit: string): string {
  const instance = unit === "" ? null : postfixUnitInstance(unit);
  if (instance === null || instance === "") return program;
  if (program === "postfix") return `${instance}/postfix`;
  return program.startsWith("postfix/") ? instance + program.slice(7) : program;
}
