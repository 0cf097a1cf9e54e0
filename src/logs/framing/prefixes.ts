/**
 * Readers for the words that container runtimes, supervisors, syslog templates and journalctl
 * put before or inside a syslog line. The readers of prefixes return the index after what
 * they read, or -1, and give up on the first char that does not fit, because the framer
 * calls some of them on every line whose header it reads from text.
 */
import { looksLikeSyslogHeader } from "./tags.js";

const SPACE = 32;
const PIPE = 124;
const DOT = 46;
const COLON = 58;

// Maximum length of a container or program name before ` | `. Compose names are
// `<project>-<service>-<index>`, and a longer first word is no prefix.
const MAX_PREFIX_NAME_CHARS = 80;

/**
 * Reads the prefix of `docker compose logs` (`postfix-mailcow-1  | `) or of a supervisor that
 * names the program and stream (`postfix stdout | `) at `start`. The name is letters, digits,
 * `_`, `.` and `-`. Compose pads it with spaces, so at least one space must come before the
 * `|`. A single word and one space before `|` is read only when that word is `stdout` or
 * `stderr`, so a message that merely contains `a | b` is not taken for a prefix.
 */
export function containerNameEnd(text: string, start: number): number {
  let index = start;
  const limit = Math.min(text.length, start + MAX_PREFIX_NAME_CHARS);
  while (index < limit && isNameChar(text.charCodeAt(index))) index += 1;
  if (index === start || text.charCodeAt(index) !== SPACE) return -1;
  const nameEnd = index;

  let spaces = 0;
  while (text.charCodeAt(index) === SPACE) {
    index += 1;
    spaces += 1;
  }
  if (text.charCodeAt(index) === PIPE && text.charCodeAt(index + 1) === SPACE) {
    // One space between the name and `|` is also how `a | b` reads in a message, so only a
    // padded name is taken for a compose prefix.
    return spaces > 1 ? index + 2 : -1;
  }
  if (spaces !== 1 || !isStreamAt(text, nameEnd + 1)) return -1;
  index = nameEnd + 7;
  if (text.charCodeAt(index) !== SPACE || text.charCodeAt(index + 1) !== PIPE) return -1;
  return text.charCodeAt(index + 2) === SPACE ? index + 3 : -1;
}

/**
 * Reads the stream and tag of the CRI log format that containerd and CRI-O write under
 * `/var/log/containers` (`stdout F ` or `stderr P `) at `start`. `P` marks a part of a line
 * that the runtime split, and `F` the last or only part.
 */
export function criStreamEnd(text: string, start: number): number {
  if (!isStreamAt(text, start) || text.charCodeAt(start + 6) !== SPACE) return -1;
  const tag = text.charCodeAt(start + 7);
  if (tag !== 70 && tag !== 80) return -1;
  return text.charCodeAt(start + 8) === SPACE ? start + 9 : -1;
}

/** True when the CRI tag before `end` (the result of `criStreamEnd`) is `P`, a partial line. */
export function isPartialCriLine(text: string, end: number): boolean {
  return text.charCodeAt(end - 2) === 80;
}

// `stdout` or `stderr` at `start`.
function isStreamAt(text: string, start: number): boolean {
  return text.startsWith("stdout", start) || text.startsWith("stderr", start);
}

function isNameChar(code: number): boolean {
  const isLetter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  const isDigit = code >= 48 && code <= 57;
  return isLetter || isDigit || code === 95 || code === DOT || code === 45;
}

// The syslog facility and severity keywords of RFC 5424, section 6.2.1, as syslog.conf and
// rsyslog's `%syslogfacility-text%.%syslogseverity-text%` spell them, plus the older aliases.
const FACILITIES = new Set([
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
]);
const SEVERITIES = new Set([
  "emerg",
  "alert",
  "crit",
  "err",
  "error",
  "warning",
  "warn",
  "notice",
  "info",
  "debug",
]);
// `authpriv` and `warning` are the longest words.
const MAX_FACILITY_CHARS = 8;
const MAX_SEVERITY_CHARS = 7;

/**
 * Reads a `facility.severity` word and its space at `start` (`mail.info `), as a syslog
 * template can write before the stamp, the host or the tag. Returns -1 for anything else.
 */
export function facilitySeverityEnd(text: string, start: number): number {
  // Facility names have 3, 4, 6 or 8 letters, so a word without a dot after one of them is
  // passed over with four comparisons.
  const hasDot =
    text.charCodeAt(start + 4) === DOT ||
    text.charCodeAt(start + 6) === DOT ||
    text.charCodeAt(start + 3) === DOT ||
    text.charCodeAt(start + 8) === DOT;
  if (!hasDot) return -1;
  let dot = start;
  const dotLimit = start + MAX_FACILITY_CHARS;
  while (dot <= dotLimit && text.charCodeAt(dot) !== DOT) {
    const code = text.charCodeAt(dot);
    if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 55))) return -1;
    dot += 1;
  }
  if (dot > dotLimit || dot === start) return -1;
  const space = text.indexOf(" ", dot);
  if (space < 0 || space - dot - 1 > MAX_SEVERITY_CHARS) return -1;
  if (!FACILITIES.has(text.slice(start, dot))) return -1;
  return SEVERITIES.has(text.slice(dot + 1, space)) ? space + 1 : -1;
}

const WEEKDAYS = new Set(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);

/** True when `text` has an English weekday and a space at `start` (`Mon `). */
export function isWeekdayAt(text: string, start: number): boolean {
  return text.charCodeAt(start + 3) === SPACE && WEEKDAYS.has(text.slice(start, start + 3));
}

// The levels that supervisord writes after its stamp (supervisor's `LevelsByName`).
const SUPERVISORD_LEVELS = new Set(["CRIT", "ERRO", "WARN", "INFO", "DEBG", "TRAC", "BLAT"]);

/** True when `text` has a supervisord log level and a space at `start` (`INFO `). */
export function isSupervisordLevelAt(text: string, start: number): boolean {
  if (text.charCodeAt(start + 4) !== SPACE) return false;
  return SUPERVISORD_LEVELS.has(text.slice(start, start + 4));
}

/**
 * Returns the index of the host after a `facility.severity` word at `start`, or `start` when
 * there is no such word. A host can be named like one (`mail.info` is a valid domain), so
 * the word is skipped only when the next word is not a tag ending in `:`, as a host is not.
 */
export function skipFacilityBeforeHost(text: string, start: number): number {
  const after = facilitySeverityEnd(text, start);
  if (after < 0) return start;
  const nextEnd = text.indexOf(" ", after);
  if (nextEnd < 0 || text.charCodeAt(nextEnd - 1) === COLON) return start;
  return after;
}

/**
 * True when the word `text[start, end)` where a host belongs is a syslog tag: it ends in `]:`
 * (`postfix/smtp[7]:`) or in `:` with a `/` in it. No host name ends so, and an IPv6 host that
 * ends in `::` has no `/` or `]`.
 */
export function isTagWithoutHost(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(end - 1) !== COLON) return false;
  if (text.charCodeAt(end - 2) === 93) return true;
  const slash = text.indexOf("/", start);
  return slash >= 0 && slash < end;
}

/**
 * True when `text` starts with a syslog header without a stamp, `host tag[pid]: ` (see
 * `looksLikeSyslogHeader`) or `tag[pid]: `.
 */
export function looksLikeHeaderWithoutStamp(text: string): boolean {
  const end = text.indexOf(" ");
  if (end > 0 && isTagWithoutHost(text, 0, end)) return true;
  return looksLikeSyslogHeader(text, 0);
}
