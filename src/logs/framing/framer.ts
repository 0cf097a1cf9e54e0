import type { LogRecord } from "../record.js";
import type { TimeZone } from "../../time/zone.js";
import { YearTracker } from "./year.js";
import { digitsAt, isClockAt, isDigit, isIsoDateAt, monthAt, readStampTail } from "./stamps.js";
import { parseJournalLine } from "./journal.js";

/** How the framing layer reads timestamps. */
export interface FramingOptions {
  /** Zone of naive timestamps (classic syslog, Exim, syslog-ng without offset). */
  readonly timeZone: TimeZone;
  /** Year of the first classic-syslog line (`--year`); inferred when absent. */
  readonly year?: number | undefined;
}

/** What the framer made of one line. */
export type FrameOutcome = "record" | "blank" | "unrecognised";

/** Receives the records of one line: none, one, or several for a repeat marker. */
export type RecordSink = (record: LogRecord) => void;

/** Upper bound for `last message repeated N times`, so one corrupt count cannot stall a run. */
export const MAX_REPEAT = 1000;

const EXIM_PROGRAM = "exim";

// Haraka's log levels, which poste.io's s6 logs put right after the timestamp.
const HARAKA_LEVELS = new Set([
  "[PROTOCOL]",
  "[DATA]",
  "[DEBUG]",
  "[INFO]",
  "[NOTICE]",
  "[WARN]",
  "[ERROR]",
  "[CRIT]",
  "[ALERT]",
  "[EMERG]",
]);

const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;
const LAST_REPEATED = /^last message repeated (\d+) times?/;

/**
 * Takes the transport framing off log lines: classic BSD syslog (RFC 3164 style), RFC 3339
 * syslog, RFC 5424, FreeBSD `<facility.level>` prefixes, syslog-ng `YYYY-MM-DD HH:MM:SS`,
 * journald JSON, and Exim's native main log. One framer reads all files of a run in order,
 * so the year of classic syslog stamps carries over from one rotated file to the next.
 */
export class LineFramer {
  private file = "-";
  private years: YearTracker;
  private readonly lastRecordByHost = new Map<string, LogRecord>();
  private lastStamp = "";
  private lastStampTime = 0;

  constructor(private readonly options: FramingOptions) {
    this.years = new YearTracker(options.year ?? null, Date.now());
  }

  /**
   * Starts a new input. `referenceMs` anchors the year of a classic syslog file (its mtime,
   * or now for stdin); it is used only while no year is known yet.
   */
  startFile(file: string, referenceMs: number, continuesPrevious: boolean): void {
    this.file = file;
    if (!continuesPrevious) {
      this.years = new YearTracker(this.options.year ?? null, referenceMs);
      this.lastStamp = "";
    }
    this.lastRecordByHost.clear();
  }

  /** Frames one line (without its `\n`) and passes the resulting records to `emit`. */
  frame(text: string, line: number, emit: RecordSink): FrameOutcome {
    if (text.length === 0 || isBlank(text)) return "blank";
    const first = text.charCodeAt(0);

    if (first >= 65 && first <= 90) return this.frameClassic(text, 0, line, emit);
    if (isDigit(first)) return this.frameIso(text, 0, line, emit);
    if (first === 60) return this.framePriority(text, line, emit);
    if (first === 123) return this.frameJournal(text, line, emit);
    return "unrecognised";
  }

  // `Mar  4 09:15:02 host tag[pid]: message`; some writers drop the padding (`Sep 8 07:46:30`).
  private frameClassic(text: string, start: number, line: number, emit: RecordSink): FrameOutcome {
    const month = monthAt(text, start);
    if (month < 0 || text.charCodeAt(start + 3) !== 32) return "unrecognised";
    let clockStart = start + 7;
    let day: number;
    if (text.charCodeAt(start + 4) === 32) {
      day = digitsAt(text, start + 5, 1);
    } else if (text.charCodeAt(start + 5) === 32) {
      day = digitsAt(text, start + 4, 1);
      clockStart = start + 6;
    } else {
      day = digitsAt(text, start + 4, 2);
    }
    if (day < 1 || day > 31 || text.charCodeAt(clockStart - 1) !== 32) return "unrecognised";
    if (!isClockAt(text, clockStart)) return "unrecognised";

    const stampEnd = clockStart + 8;
    if (text.charCodeAt(stampEnd) !== 32) return "unrecognised";
    const time = this.classicTime(text, start, clockStart, month, day);
    return this.frameHostAndTag(text, stampEnd + 1, time, line, emit);
  }

  private classicTime(
    text: string,
    start: number,
    clockStart: number,
    month: number,
    day: number,
  ): number {
    const stamp = text.slice(start, clockStart + 8);
    if (stamp === this.lastStamp) return this.lastStampTime;
    const year = this.years.yearFor(month);
    const time = this.options.timeZone.toEpoch(
      year,
      month,
      day,
      digitsAt(text, clockStart, 2),
      digitsAt(text, clockStart + 3, 2),
      digitsAt(text, clockStart + 6, 2),
      0,
    );
    this.lastStamp = stamp;
    this.lastStampTime = time;
    return time;
  }

  // `2024-03-04T09:15:02.48+01:00 host tag: msg`, `2024-03-04 09:15:02 …` (Exim, syslog-ng)
  private frameIso(text: string, start: number, line: number, emit: RecordSink): FrameOutcome {
    if (!isIsoDateAt(text, start)) return "unrecognised";
    const separator = text.charCodeAt(start + 10);
    if ((separator !== 84 && separator !== 32) || !isClockAt(text, start + 11)) {
      return "unrecognised";
    }
    const tail = readStampTail(text, start + 19);
    let end = tail.end;
    let offsetMinutes = tail.offsetMinutes;
    // Exim's `log_timezone` writes ` +0100` after the time.
    if (offsetMinutes === null && separator === 32 && text.charCodeAt(end) === 32) {
      const spaced = readStampTail(text, end + 1);
      if (spaced.offsetMinutes !== null) {
        offsetMinutes = spaced.offsetMinutes;
        end = spaced.end;
      }
    }
    const time = this.isoTime(text, start, tail.millisecond, offsetMinutes);
    if (text.charCodeAt(end) !== 32) return "unrecognised";

    if (separator === 32 && !looksLikeSyslogHeader(text, end + 1)) {
      return this.frameNativeExim(text, end + 1, time, line, emit);
    }
    if (text.charCodeAt(end + 1) === 91) {
      // poste.io delivery summaries: `2024-03-04T09:15:03.123Z [UUID.1] …`
      emit(this.record(time, "", "haraka", null, text.slice(end + 1), line));
      return "record";
    }
    return this.frameHostAndTag(text, end + 1, time, line, emit);
  }

  private isoTime(
    text: string,
    start: number,
    millisecond: number,
    offsetMinutes: number | null,
  ): number {
    const year = digitsAt(text, start, 4);
    const month = digitsAt(text, start + 5, 2) - 1;
    const day = digitsAt(text, start + 8, 2);
    const hour = digitsAt(text, start + 11, 2);
    const minute = digitsAt(text, start + 14, 2);
    const second = digitsAt(text, start + 17, 2);
    if (offsetMinutes === null) {
      return this.options.timeZone.toEpoch(year, month, day, hour, minute, second, millisecond);
    }
    return Date.UTC(year, month, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
  }

  // Exim main log: `2024-03-04 09:15:02 [pid] 1rhA2b-000Abc-1x <= …`
  private frameNativeExim(
    text: string,
    start: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    let messageStart = start;
    // s6-log (poste.io) puts two spaces after the stamp, then usually a Haraka log level.
    // Exim never writes two spaces there.
    if (text.charCodeAt(messageStart) === 32) {
      messageStart += 1;
      const level = text.slice(messageStart, text.indexOf(" ", messageStart));
      const program = HARAKA_LEVELS.has(level) ? "haraka" : "s6-log";
      emit(this.record(time, "", program, null, text.slice(messageStart), line));
      return "record";
    }

    let pid: number | null = null;
    if (text.charCodeAt(messageStart) === 91) {
      const close = text.indexOf("] ", messageStart);
      const value = close > 0 ? Number(text.slice(messageStart + 1, close)) : NaN;
      if (Number.isInteger(value)) {
        pid = value;
        messageStart = close + 2;
      }
    }
    emit(this.record(time, "", EXIM_PROGRAM, pid, text.slice(messageStart), line));
    return "record";
  }

  // `<22>1 2024-…` (RFC 5424), `<mail.info> Mar  4 …` (FreeBSD syslogd -v), `<22>Mar  4 …`
  private framePriority(text: string, line: number, emit: RecordSink): FrameOutcome {
    const close = text.indexOf(">");
    if (close < 2 || close > 24) return "unrecognised";
    let next = close + 1;
    if (text.charCodeAt(next) === 49 && text.charCodeAt(next + 1) === 32) {
      return this.frame5424(text, next + 2, line, emit);
    }
    if (text.charCodeAt(next) === 32) next += 1;
    const first = text.charCodeAt(next);
    if (first >= 65 && first <= 90) return this.frameClassic(text, next, line, emit);
    if (isDigit(first)) return this.frameIso(text, next, line, emit);
    return "unrecognised";
  }

  // `TIMESTAMP HOST APP PROCID MSGID [SD|-] MSG` after `<PRI>1 `
  private frame5424(text: string, start: number, line: number, emit: RecordSink): FrameOutcome {
    const fields: string[] = [];
    let index = start;
    for (let i = 0; i < 5; i++) {
      const space = text.indexOf(" ", index);
      if (space < 0) return "unrecognised";
      fields.push(text.slice(index, space));
      index = space + 1;
    }
    const [stamp = "", host = "", app = "", procId = ""] = fields;
    if (!isIsoDateAt(stamp, 0) || !isClockAt(stamp, 11)) return "unrecognised";
    const tail = readStampTail(stamp, 19);
    const time = this.isoTime(stamp, 0, tail.millisecond, tail.offsetMinutes);
    index = skipStructuredData(text, index);
    let message = text.slice(index);
    if (message.startsWith("\u00ef\u00bb\u00bf")) message = message.slice(3);
    const pid = procId === "-" ? null : Number(procId);
    const hostName = host === "-" ? "" : host;
    const program = normaliseProgram(app === "-" ? "" : app);
    const record = this.record(
      time,
      hostName,
      program,
      Number.isInteger(pid) ? pid : null,
      message,
      line,
    );
    return this.emitWithRepeats(record, emit);
  }

  private frameJournal(text: string, line: number, emit: RecordSink): FrameOutcome {
    const entry = parseJournalLine(text);
    if (entry === null) return "unrecognised";
    const record = this.record(
      entry.time,
      entry.host,
      normaliseProgram(entry.program),
      entry.pid,
      entry.message,
      line,
    );
    return this.emitWithRepeats(record, emit);
  }

  // `host tag[pid]: message` after any timestamp.
  private frameHostAndTag(
    text: string,
    start: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    let hostStart = start;
    if (text.charCodeAt(hostStart) === 60) {
      // FreeBSD `syslogd -v` writes `<facility.level>` or `<4.3>` before the host.
      const close = text.indexOf("> ", hostStart);
      if (close > 0 && close - hostStart < 24) hostStart = close + 2;
    }
    const hostEnd = text.indexOf(" ", hostStart);
    if (hostEnd <= hostStart) return "unrecognised";
    const host = text.slice(hostStart, hostEnd);
    const tagStart = hostEnd + 1;

    const repeatMatch = LAST_REPEATED.exec(text.slice(tagStart));
    if (repeatMatch !== null) return this.repeatLast(host, Number(repeatMatch[1]), line, emit);

    const tag = readTag(text, tagStart);
    if (tag === null) return "unrecognised";
    let message = text.slice(tag.messageStart);
    let program = normaliseProgram(tag.program);
    if (program === EXIM_PROGRAM) message = stripEmbeddedEximStamp(message);
    if (program === "") program = "unknown";

    const record = this.record(time, host, program, tag.pid, message, line);
    return this.emitWithRepeats(record, emit);
  }

  private emitWithRepeats(record: LogRecord, emit: RecordSink): FrameOutcome {
    const repeated = REPEATED.exec(record.message);
    if (repeated === null) {
      this.lastRecordByHost.set(record.host, record);
      emit(record);
      return "record";
    }
    const inner = { ...record, message: repeated[2] ?? "" };
    const count = Math.min(Number(repeated[1]), MAX_REPEAT);
    for (let i = 0; i < count; i++) emit(inner);
    this.lastRecordByHost.set(record.host, inner);
    return "record";
  }

  private repeatLast(host: string, count: number, line: number, emit: RecordSink): FrameOutcome {
    const last = this.lastRecordByHost.get(host);
    if (last === undefined) return "unrecognised";
    const repeat = { ...last, line, file: this.file };
    for (let i = 0; i < Math.min(count, MAX_REPEAT); i++) emit(repeat);
    return "record";
  }

  private record(
    time: number,
    host: string,
    program: string,
    pid: number | null,
    message: string,
    line: number,
  ): LogRecord {
    return { time, host, program, pid, message, file: this.file, line };
  }
}

interface Tag {
  program: string;
  pid: number | null;
  messageStart: number;
}

/** Reads `program[pid]: `, `program: `, `program[pid] ` or `program :` at `start`. */
function readTag(text: string, start: number): Tag | null {
  let end = start;
  const length = text.length;
  while (end < length) {
    const code = text.charCodeAt(end);
    if (code === 32 || code === 58 || code === 91) break;
    end += 1;
  }
  if (end === start) return null;
  const program = text.slice(start, end);
  let pid: number | null = null;

  if (text.charCodeAt(end) === 91) {
    const close = text.indexOf("]", end);
    if (close < 0) return null;
    const value = Number(text.slice(end + 1, close));
    pid = Number.isInteger(value) ? value : null;
    end = close + 1;
  }
  if (text.charCodeAt(end) === 32 && text.charCodeAt(end + 1) === 58) end += 1;
  if (text.charCodeAt(end) === 58) end += 1;
  if (text.charCodeAt(end) === 32) end += 1;
  return { program, pid, messageStart: end };
}

/**
 * True when the text after a `YYYY-MM-DD HH:MM:SS` stamp reads `host tag[pid]: ` (syslog-ng
 * templates) rather than an Exim main-log line. Exim lines also contain `word word:` shapes
 * (`server cert:`, `1rhA2b-000Abc-1x DKIM:`), so a syslog tag needs a pid or a known MTA
 * program name, and the host must not be an Exim message id.
 */
function looksLikeSyslogHeader(text: string, start: number): boolean {
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

const EXIM_MESSAGE_ID = /^[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}$/;
const SYSLOG_TAG = /^([A-Za-z][\w./-]*)(\[\d+\])?$/;
const SYSLOG_PROGRAMS = /^(?:postfix[\w-]*\/|exim|sendmail|sm-mta|sm-msp-queue|dovecot|opendkim)/;

function skipStructuredData(text: string, start: number): number {
  if (text.charCodeAt(start) === 45)
    return text.charCodeAt(start + 1) === 32 ? start + 2 : start + 1;
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

/** Exim writes its own stamp inside syslog messages when `syslog_timestamp` is on. */
function stripEmbeddedEximStamp(message: string): string {
  if (!isIsoDateAt(message, 0) || message.charCodeAt(10) !== 32 || !isClockAt(message, 11)) {
    return message;
  }
  const tail = readStampTail(message, 19);
  let start = tail.end;
  if (message.charCodeAt(start) === 32) start += 1;
  if (message.charCodeAt(start) === 91) {
    const close = message.indexOf("] ", start);
    if (close > 0) start = close + 2;
  }
  return message.slice(start);
}

/** Folds program names that mean the same MTA: Debian's `exim4` is Exim. */
function normaliseProgram(program: string): string {
  if (program === "exim4" || program === "exim4-daemon") return EXIM_PROGRAM;
  return program;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 13 && code !== 0) return false;
  }
  return true;
}
