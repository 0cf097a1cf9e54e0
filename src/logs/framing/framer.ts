import type { LogRecord } from "../record.js";
import type { TimeZone } from "../../time/zone.js";
import { utcMs } from "../../time/civil.js";
import { decodeLatin1 } from "../reader/latin1.js";
import { checkMaxLineBytes, DEFAULT_MAX_LINE_BYTES } from "../reader/lines.js";
import { ClassicClock, type LeapDayMove, type LeapDaySkip } from "./classic-clock.js";
import { ClassicHeaderBytes } from "./header-bytes.js";
import { WallClock } from "./wall-clock.js";
import { ClassicStamp, digitsAt, isDigit, isIsoDateAt, IsoDateTime, StampTail } from "./stamps.js";
import { parseJsonLogLine, type ContainerJsonLine } from "./journal.js";
import {
  containerNameEnd,
  criStreamEnd,
  facilitySeverityEnd,
  isSupervisordLevelAt,
  isTagWithoutHost,
  isPartialCriLine,
  isWeekdayAt,
  looksLikeHeaderWithoutStamp,
  skipFacilityBeforeHost,
} from "./prefixes.js";
import { containerStreamOf, PartialLineJoiner, type JoinedLine } from "./partial-lines.js";
import type { QuietMessagesOf, QuietSource } from "./quiet.js";
import { RepeatExpander, type RecordSink } from "./repeats.js";
import {
  EXIM_PROGRAM,
  journalProgram,
  looksLikeSyslogHeader,
  normaliseProgram,
  skipStructuredData,
  stripEmbeddedEximStamp,
  TagReader,
} from "./tags.js";
import { ContainerZones } from "./container-zones.js";
import { HostNames } from "./host-names.js";
import { TokenCache } from "./tokens.js";
import {
  readEximOrSupervised,
  readRoundcubeLine,
  readTai64nLine,
  type NativeLine,
  type StampedLine,
} from "./native.js";

export { MAX_REPEAT, type RecordSink } from "./repeats.js";
export { ROUNDCUBE_PROGRAM, SUPERVISED_PROGRAM } from "./native.js";
export type { JoinedLine } from "./partial-lines.js";

/** Program of the lines that supervisord writes about the programs it runs. */
export const SUPERVISORD_PROGRAM = "supervisord";

/** Timestamp settings of the framing layer. */
export interface FramingOptions {
  /** Zone of naive timestamps (classic syslog, Exim, syslog-ng without offset). */
  readonly timeZone: TimeZone;
  /** Year of the first classic-syslog line (`--year`); inferred when absent. */
  readonly year?: number | undefined;
  /**
   * Maximum length of a container log line joined from its parts, in bytes, which the reader
   * decodes as one latin1 char each. The default is `DEFAULT_MAX_LINE_BYTES`, the reader's own.
   */
  readonly maxLineBytes?: number | undefined;
}

/**
 * Result of framing one line: records, a blank line, no known framing, or a partial line of a
 * container log, which the framer keeps until the last part of its line comes (see
 * `takeOpenLines`).
 */
export type FrameOutcome = "record" | "blank" | "unrecognised" | "partial";

// Maximum length of a classic stamp with its space, as in `Mar 14 09:15:02 `.
const MAX_CLASSIC_STAMP_CHARS = 16;

// A UTF-8 byte order mark as the reader's latin1 decoding shows it.
const LATIN1_BOM = "\u00ef\u00bb\u00bf";

/** Result of `readClassicStamp` for a stamp of a date that no year has (`Apr 31`). */
const INVALID_DATE = -2;

const COLON = 58;
const DOT = 46;

const HALF_YEAR_MS = 183 * 86_400_000;
const SPACE = 32;
// ASCII record separator, which starts each record of `journalctl -o json-seq` (RFC 7464).
const RECORD_SEPARATOR = 0x1e;

/**
 * Takes the transport framing off log lines: classic BSD syslog (RFC 3164 style), RFC 3339
 * syslog, RFC 5424, FreeBSD `<facility.level>` prefixes, syslog-ng `YYYY-MM-DD HH:MM:SS`,
 * journald JSON, Exim's native main log, supervisor logs (poste.io's s6-log stamps, TAI64N
 * labels) and Roundcube's `[DD-Mon-YYYY HH:MM:SS +ZZZZ]` log. It also reads the journalctl
 * modes `short-precise`, `short-full`, `short-unix`, `json-seq` and `--no-hostname`, and takes
 * off what container runtimes put before a syslog line (see `frameAfterContainerStamp`,
 * `frameAfterPrefixWord` and `frameContainerJson`). One framer reads all files
 * of a run in order, so the year of classic syslog stamps carries over from one rotated file
 * to the next. Every line passes through here, so the common paths read char codes and
 * reuse scratch objects instead of using regular expressions or allocating.
 */
export class LineFramer {
  private file = "-";
  private readonly wallClock: WallClock;
  private readonly clock: ClassicClock;
  private readonly repeats = new RepeatExpander();
  private readonly tag = new TagReader();
  private readonly tail = new StampTail();
  private readonly dateTime = new IsoDateTime();
  private readonly classicStamp = new ClassicStamp();
  private readonly hosts = new TokenCache();
  private readonly hostNames = new HostNames();
  private readonly headerBytes = new ClassicHeaderBytes();
  private readonly containerZones = new ContainerZones();
  // The partial lines of CRI logs and of Docker's json-file logs, kept apart so that the parts
  // of one format never end a line of the other.
  private readonly criParts: PartialLineJoiner;
  private readonly jsonParts: PartialLineJoiner;
  // The line that a last part joined most recently, or the json-file line with NUL characters
  // read most recently, and the line number of its last part.
  private lastJoined: JoinedLine | null = null;
  private lastJoinedEnd = 0;
  // Lines of Docker's json-file logs whose `log` value has NUL characters, which JSON writes
  // escaped as `\u0000`, so that the reader finds no NUL byte in them.
  private escapedNulLines = 0;
  // The host of the last line read with a host field.
  private lastHost = "";
  // The last valid classic stamp with its space (`Mar  4 09:15:02 `) and its instant. Lines
  // of the same second repeat it, and one comparison replaces reading its fields again.
  private lastStamp = "";
  private lastStampTime = 0;
  private quietOf: QuietMessagesOf | null = null;
  // The fields of the quiet line being counted, passed to its counter.
  private readonly quietSource: QuietSource = {
    host: "",
    pid: null,
    buffer: Buffer.alloc(0),
    messageStart: 0,
    messageEnd: 0,
  };

  /** @throws RangeError unless `maxLineBytes` is a positive integer. */
  constructor(options: FramingOptions) {
    this.wallClock = new WallClock(options.timeZone);
    this.clock = new ClassicClock(this.wallClock, options.year ?? null);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    checkMaxLineBytes(maxLineBytes);
    this.criParts = new PartialLineJoiner(maxLineBytes);
    this.jsonParts = new PartialLineJoiner(maxLineBytes);
  }

  /**
   * Starts a new input named `file` (as the user gave it; `-` for stdin). `referenceMs`
   * anchors the year of classic syslog stamps: the file's mtime, or now for stdin. With
   * `continuesPrevious` (the second and later file of a rotated set) the year and the
   * previous message for repeat markers carry over from the file before, and `referenceMs`
   * and `yearsBack` are not used. `yearsBack` is taken off the year that `referenceMs` gives
   * the first classic stamp, as `leapDayYearsBack` finds it for a set with `Feb 29` lines.
   *
   * @throws Error when a container log line of the file before is still open, because parts
   * never join across files. Frame those lines with `takeOpenLines` first.
   */
  startFile(file: string, referenceMs: number, continuesPrevious: boolean, yearsBack = 0): void {
    if (!this.criParts.isEmpty || !this.jsonParts.isEmpty) {
      throw new Error(
        `container log lines of ${this.file} are still open: call takeOpenLines before startFile`,
      );
    }
    this.file = file;
    this.containerZones.reset();
    this.lastJoined = null;
    if (continuesPrevious) return;
    this.clock.restart(referenceMs, yearsBack);
    this.wallClock.restart();
    this.lastStamp = "";
    this.repeats.reset();
  }

  /**
   * Lets `frameBytes` count the lines whose messages start with a quiet message start of their
   * program (see `QuietMessages`) through `quietOf`, without making records of them. Only
   * lines whose header is read from bytes are counted so; others still give records. Null
   * makes a record of every line.
   */
  countQuietLines(quietOf: QuietMessagesOf | null): void {
    this.quietOf = quietOf;
  }

  /**
   * Ends the container log lines of the current file whose last part has not come, and returns
   * them in the order of their first parts. A container that stopped in the middle of a line
   * leaves one. Frame each with `frameOpenLine`, so that it is read and counted as a line. Call
   * it at the end of each file, before `startFile`.
   */
  takeOpenLines(): JoinedLine[] {
    return [...this.criParts.takeOpenLines(), ...this.jsonParts.takeOpenLines()];
  }

  /**
   * Returns the joined line whose last part is line `line` of the current file, when that part
   * is the latest one that ended a joined line, else null. A json-file line whose `log` value
   * has NUL characters counts as a line joined from one part. Samples of skipped lines use it
   * to show the line from its first part, and a json-file line as its `log` value.
   */
  joinedLineEndingAt(line: number): JoinedLine | null {
    return this.lastJoinedEnd === line ? this.lastJoined : null;
  }

  /** Frames a line that `takeOpenLines` returned, as its last part would have framed it. */
  frameOpenLine(open: JoinedLine, emit: RecordSink): FrameOutcome {
    return this.frameContainerLine(open.text, open.time, open.line, emit);
  }

  /**
   * Container log lines joined from parts that were cut to `maxLineBytes`, since the framer
   * was made. The reader counts the physical lines that it cuts itself.
   */
  get overlongJoinedLines(): number {
    return this.criParts.overlongLines + this.jsonParts.overlongLines;
  }

  /**
   * Lines of Docker's json-file logs, parts included, whose `log` value has NUL characters,
   * since the framer was made. The reader counts the lines with NUL bytes.
   */
  get escapedNulLineCount(): number {
    return this.escapedNulLines;
  }

  /**
   * Records that syslog repeat markers stood for beyond their own lines, since the framer was
   * made. The lines framed as records plus this number give the records framed.
   */
  get repeatMarkerRecords(): number {
    return this.repeats.addedRecords;
  }

  /**
   * The zone offsets other than UTC, in minutes east of UTC, of the stamps without a zone
   * inside the container lines of the current input (`startFile`).
   */
  get containerZoneOffsets(): readonly number[] {
    return this.containerZones.offsetsMinutes;
  }

  /**
   * The zones of the stamps inside the container lines of the current input (`startFile`),
   * and the lines whose two stamps differ by no zone offset.
   */
  get containerStampZones(): ContainerZones {
    return this.containerZones;
  }

  /**
   * Whether a classic syslog stamp, the only kind without a year, was read since the framer
   * was made. Without one, the `year` option had no effect.
   */
  get hasReadClassicStamp(): boolean {
    return this.clock.hasReadStamp;
  }

  /**
   * The year that the reference of the current file set (`startFile`) gave its first classic
   * syslog stamp, or null when the `year` option or a dated line set it, or no such stamp was
   * read.
   */
  get inferredYear(): number | null {
    return this.clock.inferredYear;
  }

  /**
   * The moves of `Feb 29` stamps out of a year without that day into the leap year before,
   * in the current file set (`startFile`).
   */
  get leapDayMoves(): readonly LeapDayMove[] {
    return this.clock.leapDayMoves;
  }

  /**
   * The lines of the current file set (`startFile`) skipped because the `year` option put
   * their `Feb 29` stamps in a year without that day, by that year.
   */
  get leapDaySkips(): readonly LeapDaySkip[] {
    return this.clock.leapDaySkips;
  }

  /**
   * Frames one line (without its `\n`) and passes the resulting records to `emit`. `line` is
   * the 1-based line number in the current file.
   */
  frame(text: string, line: number, emit: RecordSink): FrameOutcome {
    const first = text.charCodeAt(0);
    if (first >= 65 && first <= 90) return this.frameClassic(text, 0, line, emit);
    if (isDigit(first)) return this.frameIso(text, 0, line, emit);
    if (first === 60) return this.framePriority(text, line, emit);
    if (first === 123) return this.frameJournal(text, line, emit);
    if (first === 64) return this.frameStamped(readTai64nLine(text), text, line, emit);
    if (first === 91) return this.frameStamped(readRoundcubeLine(text), text, line, emit);
    if (first === 0) return this.frameAfterNuls(text, line, emit);
    if (text.length === 0 || isBlank(text)) return "blank";
    if (first === 0xef && text.startsWith(LATIN1_BOM)) return this.frame(text.slice(3), line, emit);
    if (first === RECORD_SEPARATOR && text.charCodeAt(1) === 123) {
      return this.frameJournal(text.slice(1), line, emit);
    }
    return this.frameAfterPrefixWord(text, 0, line, emit);
  }

  /**
   * Frames one line given as the bytes `buffer[start, end)`, with the result that `frame`
   * gives for their latin1 text. The header of a classic syslog line with the host of the line
   * before and a known program is read from the bytes, and only the message is decoded. The
   * bytes of `buffer` must not change once a line of it was framed.
   */
  frameBytes(
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const header = this.headerBytes;
    const stamp = this.lastStamp;
    if (header.isStampAt(buffer, start, end, stamp)) {
      if (header.read(buffer, start + stamp.length, end, this.lastHost)) {
        return this.emitHeaderBytes(buffer, end, this.lastStampTime, line, emit);
      }
      return this.frame(decodeLatin1(buffer, start, end), line, emit);
    }
    const first = buffer[start] ?? 0;
    if (first >= 65 && first <= 90) return this.frameClassicBytes(buffer, start, end, line, emit);
    return this.frame(decodeLatin1(buffer, start, end), line, emit);
  }

  // A line that starts like a classic stamp of another second than the line before. Only
  // the stamp is decoded to be read, as `frameClassic` reads it.
  private frameClassicBytes(
    buffer: Buffer,
    start: number,
    end: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const stampEnd = Math.min(end, start + MAX_CLASSIC_STAMP_CHARS);
    const hostStart = this.readClassicStamp(decodeLatin1(buffer, start, stampEnd), 0);
    // A date that no year has is counted once by the clock, so the line is not read again.
    if (hostStart === INVALID_DATE) return "unrecognised";
    if (hostStart < 0) {
      // A stamp with a fraction is longer than the chars decoded, so it is read again whole.
      return this.frameClassic(decodeLatin1(buffer, start, end), 0, line, emit);
    }
    const time = this.lastStampTime;
    if (this.headerBytes.read(buffer, start + hostStart, end, this.lastHost)) {
      return this.emitHeaderBytes(buffer, end, time, line, emit);
    }
    return this.frameHostAndTag(decodeLatin1(buffer, start, end), hostStart, time, line, emit);
  }

  // Emits the record of a line whose host and tag `headerBytes` read.
  private emitHeaderBytes(
    buffer: Buffer,
    end: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const header = this.headerBytes;
    const quietOf = this.quietOf;
    const count = quietOf === null ? null : header.quietCounter(quietOf, end);
    if (count !== null) {
      const source = this.quietSource;
      source.host = this.hostNames.spellingOf(this.lastHost);
      source.pid = header.pid;
      source.buffer = buffer;
      source.messageStart = header.messageStart;
      source.messageEnd = end;
      const tag = count(time, line, source, 0);
      this.repeats.rememberQuiet(source.host, count, tag);
      return "record";
    }
    const message = decodeLatin1(buffer, header.messageStart, end);
    const program = header.program;
    const record = this.record(time, this.lastHost, program, header.pid, message, line, true);
    this.repeats.emit(record, emit);
    return "record";
  }

  // A crash can leave a run of NUL bytes where the file system had allocated blocks that
  // were never written. The first line written after the restart then follows the NULs
  // without a line break, so it is framed from after them.
  private frameAfterNuls(text: string, line: number, emit: RecordSink): FrameOutcome {
    let start = 1;
    while (text.charCodeAt(start) === 0) start += 1;
    if (start === text.length || isBlank(text)) return "blank";
    return this.frame(text.slice(start), line, emit);
  }

  // `Mar  4 09:15:02 host tag[pid]: message`; some writers drop the padding (`Sep 8 07:46:30`).
  private frameClassic(text: string, start: number, line: number, emit: RecordSink): FrameOutcome {
    const lastStamp = this.lastStamp;
    if (lastStamp !== "" && text.startsWith(lastStamp, start)) {
      return this.frameHostAndTag(text, start + lastStamp.length, this.lastStampTime, line, emit);
    }
    const hostStart = this.readClassicStamp(text, start);
    if (hostStart === INVALID_DATE) return "unrecognised";
    if (hostStart < 0) return this.frameOtherCapital(text, start, line, emit);
    return this.frameHostAndTag(text, hostStart, this.lastStampTime, line, emit);
  }

  // A line that starts with a capital letter but not with a classic stamp: Apple's repeat
  // marker, `journalctl -o short-full` (`Mon 2024-03-04 09:04:08 UTC host tag: message`), or
  // a prefix word before the syslog line.
  private frameOtherCapital(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const marker = this.frameColonMarker(text, start, line, emit);
    if (marker !== "unrecognised") return marker;
    if (isWeekdayAt(text, start)) return this.frameFullStamp(text, start + 4, line, emit);
    return this.frameAfterPrefixWord(text, start, line, emit);
  }

  // `2024-03-04 09:04:08 UTC host tag: message` after the weekday of `journalctl -o short-full`.
  // journalctl writes the zone as an abbreviation, which names no unique offset, so only
  // `UTC`, `GMT` and numeric offsets are read as such.
  // NOTE: a time with another abbreviation (`CET`, `EST`) is read in the configured zone
  // (`--timezone`), so it is wrong by the difference when the two zones differ.
  private frameFullStamp(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    if (text.charCodeAt(start + 10) !== SPACE || !this.dateTime.read(text, start)) {
      return "unrecognised";
    }
    const tail = this.tail.read(text, start + 19);
    const millisecond = tail.millisecond;
    const zoneStart = tail.end + 1;
    const zoneEnd = text.indexOf(" ", zoneStart);
    if (text.charCodeAt(tail.end) !== SPACE || zoneEnd < 0) return "unrecognised";
    const zone = text.slice(zoneStart, zoneEnd);
    let offsetMinutes: number | null = null;
    if (zone === "UTC" || zone === "GMT") offsetMinutes = 0;
    else if (tail.read(text, zoneStart).hasOffset) offsetMinutes = tail.offsetMinutes;
    const time = this.isoTime(millisecond, offsetMinutes);
    return this.frameHostAndTag(text, zoneEnd + 1, time, line, emit);
  }

  // A word before the syslog line: a `facility.severity` word (`mail.info Mar  4 …`), or the
  // container or program name of `docker compose logs` and of supervisors
  // (`postfix-mailcow-1  | Mar  4 …`, `postfix stdout | Mar  4 …`).
  private frameAfterPrefixWord(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    let after = facilitySeverityEnd(text, start);
    if (after < 0) after = containerNameEnd(text, start);
    if (after < 0) return "unrecognised";
    return this.frame(text.slice(after), line, emit);
  }

  // Apple's syslogd writes its repeat marker to files with a colon after the stamp and no host:
  // `Mar  4 09:15:40: --- last message repeated 3 times ---` (the bsd_out module of its
  // 2004–2008 sources). `readClassicStamp` rejects that colon, so only rejected lines get here.
  private frameColonMarker(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    // The colon follows a stamp of 15 chars, or of 14 with an unpadded day (`Mar 4 …`).
    let colon = start + 15;
    if (text.charCodeAt(colon) !== COLON) colon -= 1;
    if (text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== 32) {
      return "unrecognised";
    }
    // Only the dashed marker (45 is `-`) is read after a colon, because Apple writes no other.
    if (text.charCodeAt(colon + 2) !== 45) return "unrecognised";
    const count = this.repeats.lastRepeatedCount(text, colon + 2);
    if (count < 0) return "unrecognised";
    // The stamp is read with a space in place of the colon, so its checks and the year
    // inference apply as to any other classic stamp.
    if (this.readClassicStamp(`${text.slice(start, colon)} `, 0) < 0) return "unrecognised";
    return this.repeatLast(this.lastHost, count, this.lastStampTime, line, emit);
  }

  // Reads a classic stamp and its space at `start` into `lastStamp` and `lastStampTime`, and
  // returns the index after them, -1 when there is no stamp, or `INVALID_DATE` for a stamp of
  // a date that no year has (`Apr 31`).
  private readClassicStamp(text: string, start: number): number {
    const stamp = this.classicStamp;
    const stampEnd = stamp.read(text, start);
    if (stampEnd < 0) return -1;
    const { month, day, hour, minute, second, millisecond } = stamp;

    const time = this.clock.timeOf(month, day, hour, minute, second);
    // An impossible date (`Apr 31`) is no stamp.
    if (Number.isNaN(time)) return INVALID_DATE;
    this.lastStamp = text.slice(start, stampEnd);
    this.lastStampTime = time + millisecond;
    return stampEnd;
  }

  // `2024-03-04T09:15:02.48+01:00 host tag: msg`, `2024-03-04 09:15:02 …` (Exim, syslog-ng).
  // `runtimeTime` is the stamp of the container runtime that logged the line, or NaN.
  private frameIso(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
    runtimeTime = NaN,
  ): FrameOutcome {
    const separator = text.charCodeAt(start + 10);
    if (separator === DOT) return this.frameUnixStamp(text, start, line, emit);
    if (separator !== 84 && separator !== 32) return "unrecognised";
    if (!this.dateTime.read(text, start)) return "unrecognised";
    const tail = this.tail.read(text, start + 19);
    const millisecond = tail.millisecond;
    // Exim's `log_timezone` writes ` +0100` after the time.
    if (!tail.hasOffset && separator === 32 && text.charCodeAt(tail.end) === 32) {
      const end = tail.end;
      if (!tail.read(text, end + 1).hasOffset) tail.end = end;
    }
    const end = tail.end;
    if (text.charCodeAt(end) !== 32) return "unrecognised";
    const inContainer = !tail.hasOffset && !Number.isNaN(runtimeTime);
    const time = inContainer
      ? this.containerIsoTime(millisecond, runtimeTime)
      : this.isoTime(millisecond, tail.hasOffset ? tail.offsetMinutes : null);

    if (separator === 84 && tail.hasOffset) {
      const inner = this.frameAfterContainerStamp(text, end + 1, time, line, emit);
      if (inner !== null) return inner;
    }
    if (separator === 32 && !looksLikeSyslogHeader(text, end + 1)) {
      // supervisord writes `2024-03-04 08:59:58,123 INFO …`; Exim never puts a comma there.
      if (text.charCodeAt(start + 19) === 44 && isSupervisordLevelAt(text, end + 1)) {
        emit(this.record(time, "", SUPERVISORD_PROGRAM, null, text.slice(end + 1), line, false));
        return "record";
      }
      const next = text.charCodeAt(end + 1);
      if (next !== 32 && next !== 91) {
        // The common Exim line, without `[pid]` and not an s6-log line.
        emit(this.record(time, "", EXIM_PROGRAM, null, text.slice(end + 1), line, false));
        return "record";
      }
      return this.emitNative(readEximOrSupervised(text, end + 1), time, text, line, emit);
    }
    if (text.charCodeAt(end + 1) === 91) {
      // poste.io delivery summaries: `2024-03-04T09:15:03.123Z [UUID.1] …`
      emit(this.record(time, "", "haraka", null, text.slice(end + 1), line, false));
      return "record";
    }
    return this.frameHostAndTag(text, end + 1, time, line, emit);
  }

  // The line after the RFC 3339 stamp of `docker logs -t`, `kubectl logs --timestamps` or a
  // CRI log file (`stdout F `), when it is a syslog line with its own stamp. An inner stamp with
  // a zone gives the record's time, and one without a zone is read with `containerTime`.
  // Returns null when no such line follows, so the stamp is read as syslog's.
  private frameAfterContainerStamp(
    text: string,
    start: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome | null {
    const next = text.charCodeAt(start);
    // 115 is `s`, which starts the stream of a CRI line.
    if (next === 115) {
      const after = criStreamEnd(text, start);
      if (after >= 0) return this.frameCriMessage(text, start, after, time, line, emit);
    }
    const classic = this.frameContainerClassic(text, start, time, line, emit);
    if (classic !== null) return classic;
    if (isDigit(next) && isIsoDateAt(text, start)) {
      return this.frameIso(text, start, line, emit, time);
    }
    return null;
  }

  // The message of a CRI line, at `messageStart` after its stream at `streamStart` and its tag.
  // A partial line (`P`) is held until the last part of its stream's line (`F`) comes, and the
  // joined line is framed with the time and line number of its first part.
  private frameCriMessage(
    text: string,
    streamStart: number,
    messageStart: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const message = text.slice(messageStart);
    const parts = this.criParts;
    // 111 is the `o` of `stdout`, and `criStreamEnd` reads no stream but `stdout` and `stderr`.
    const stream = text.charCodeAt(streamStart + 3) === 111 ? "stdout" : "stderr";
    if (isPartialCriLine(text, messageStart)) {
      parts.add(stream, message, time, line);
      return "partial";
    }
    const joined = parts.isEmpty ? null : parts.complete(stream, message);
    if (joined === null) return this.frameContainerLine(message, time, line, emit);
    return this.frameJoinedLine(joined, line, emit);
  }

  // A line that a container wrote, dated `time` by its runtime. A stamp without a zone is read
  // with `containerTime`, a stamp with a zone gives the record's time, and `time` alone dates a
  // syslog header without a stamp.
  private frameContainerLine(
    text: string,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const classic = this.frameContainerClassic(text, 0, time, line, emit);
    if (classic !== null) return classic;
    const outcome = isDigit(text.charCodeAt(0))
      ? this.frameIso(text, 0, line, emit, time)
      : this.frame(text, line, emit);
    if (outcome !== "unrecognised" || !looksLikeHeaderWithoutStamp(text)) return outcome;
    return this.frameHostAndTag(text, 0, time, line, emit);
  }

  // A classic syslog line at `start` that a container wrote, dated by `containerStampTime`, or
  // null when no classic stamp is there.
  private frameContainerClassic(
    text: string,
    start: number,
    runtimeTime: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome | null {
    const first = text.charCodeAt(start);
    if (first < 65 || first > 90) return null;
    const hostStart = this.classicStamp.read(text, start);
    if (hostStart < 0) return null;
    const time = this.containerStampTime(runtimeTime);
    return this.frameHostAndTag(text, hostStart, time, line, emit);
  }

  // The time of the classic stamp last read into `classicStamp`, whose runtime logged it at
  // `runtimeTime`. The stamp's wall time is in the container's zone, which can differ from
  // `--timezone`. So the runtime's time gives the year and the zone offset (see
  // `containerTime`).
  private containerStampTime(runtimeTime: number): number {
    const { month, day, hour, minute, second, millisecond } = this.classicStamp;
    const year = new Date(runtimeTime).getUTCFullYear();
    let wallTime = utcMs(year, month, day, hour, minute, second, millisecond);
    // A stamp of Dec 31 logged on Jan 1 in UTC belongs to the year before, and the reverse.
    if (wallTime - runtimeTime > HALF_YEAR_MS) {
      wallTime = utcMs(year - 1, month, day, hour, minute, second, millisecond);
    } else if (runtimeTime - wallTime > HALF_YEAR_MS) {
      wallTime = utcMs(year + 1, month, day, hour, minute, second, millisecond);
    }
    return this.containerTime(wallTime, runtimeTime);
  }

  // The time of the ISO date and time without a zone last read into `dateTime`, inside a line
  // that a container runtime logged at `runtimeTime` (see `containerTime`).
  private containerIsoTime(millisecond: number, runtimeTime: number): number {
    const { year, month, day, hour, minute, second } = this.dateTime;
    this.clock.observe(year, month);
    const wallTime = utcMs(year, month, day, hour, minute, second, millisecond);
    return this.containerTime(wallTime, runtimeTime);
  }

  // The instant of a stamp without a zone inside a container line, given `wallTime`, the stamp
  // read as UTC, and `runtimeTime`, the runtime's stamp. When their difference is a zone offset
  // (see `ContainerZones.zoneOffsetOf`), the stamp is read in that zone and keeps its second,
  // which copies in other inputs share. Otherwise the runtime printed the line late, as a
  // restarted container replays a log file, and the stamp is read in the zone learnt last for
  // the input, or in `--timezone` before one, and counted for a note.
  // NOTE: the zone is learnt only from the lines before, so late lines at the start of an input
  // are read in `--timezone` even when later lines show another zone.
  private containerTime(wallTime: number, runtimeTime: number): number {
    const zones = this.containerZones;
    const offset = zones.zoneOffsetOf(wallTime - runtimeTime);
    if (!Number.isNaN(offset)) return wallTime - offset;
    const learnt = zones.learntOffsetMs;
    const time = learnt === null ? this.configuredZoneTime(wallTime) : wallTime - learnt;
    zones.addUnzonedLine(time, runtimeTime);
    return time;
  }

  // The instant of `wallTime`, a naive time read as UTC, in the configured zone (`--timezone`).
  private configuredZoneTime(wallTime: number): number {
    const date = new Date(wallTime);
    return this.wallClock.timeZone.toEpoch(
      date.getUTCFullYear(),
      date.getUTCMonth(),
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    );
  }

  // `1709543048.596853 host tag: message` (`journalctl -o short-unix`): seconds since the
  // epoch and microseconds.
  private frameUnixStamp(
    text: string,
    start: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const seconds = digitsAt(text, start, 10);
    if (seconds < 0) return "unrecognised";
    const tail = this.tail.read(text, start + 10);
    if (tail.hasOffset || text.charCodeAt(tail.end) !== SPACE) return "unrecognised";
    const time = seconds * 1000 + tail.millisecond;
    return this.frameHostAndTag(text, tail.end + 1, time, line, emit);
  }

  // The instant of the date and time last read into `dateTime`; `offsetMinutes` null means a
  // naive time in the configured zone. Only naive times can repeat when clocks go back, so
  // only they pass through the wall clock.
  private isoTime(millisecond: number, offsetMinutes: number | null): number {
    const { year, month, day, hour, minute, second } = this.dateTime;
    // A dated line gives the year of the classic stamps after it in a mixed-style file.
    this.clock.observe(year, month);
    if (offsetMinutes === null) {
      return this.wallClock.toEpoch(year, month, day, hour, minute, second, millisecond);
    }
    return utcMs(year, month, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
  }

  private frameStamped(
    stamped: StampedLine | null,
    text: string,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    if (stamped === null) return "unrecognised";
    return this.emitNative(stamped, stamped.time, text, line, emit);
  }

  private emitNative(
    native: NativeLine,
    time: number,
    text: string,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const message = text.slice(native.messageStart);
    emit(this.record(time, "", native.program, native.pid, message, line, false));
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
    if (stamp.charCodeAt(10) !== 84 || !this.dateTime.read(stamp, 0)) return "unrecognised";
    const tail = this.tail.read(stamp, 19);
    const time = this.isoTime(tail.millisecond, tail.hasOffset ? tail.offsetMinutes : null);

    index = skipStructuredData(text, index);
    let message = text.slice(index);
    if (message.startsWith(LATIN1_BOM)) message = message.slice(3);
    const program = app === "-" ? "unknown" : normaliseProgram(app);
    const pid = procId === "-" ? NaN : Number(procId);
    const record = this.record(
      time,
      host === "-" ? "" : host,
      program,
      Number.isInteger(pid) ? pid : null,
      message,
      line,
      true,
    );
    this.repeats.emit(record, emit);
    return "record";
  }

  private frameJournal(text: string, line: number, emit: RecordSink): FrameOutcome {
    const entry = parseJsonLogLine(text);
    if (entry === null) return "unrecognised";
    if ("log" in entry) return this.frameContainerJson(entry, line, emit);
    const program =
      entry.program === ""
        ? "unknown"
        : journalProgram(normaliseProgram(entry.program), entry.unit);
    const { time, host, pid, message } = entry;
    const record = this.record(time, host, program, pid, message, line, false);
    this.repeats.emit(record, emit);
    return "record";
  }

  // A line of Docker's json-file log driver, dated by its `time` field as `frameContainerLine`
  // describes. A partial line is joined as `frameCriMessage` joins one. A part whose stream is
  // neither `stdout` nor `stderr` is framed as a line of its own.
  private frameContainerJson(
    entry: ContainerJsonLine,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const stamp = entry.time;
    if (stamp.charCodeAt(10) !== 84 || !this.dateTime.read(stamp, 0)) return "unrecognised";
    const tail = this.tail.read(stamp, 19);
    if (!tail.hasOffset) return "unrecognised";
    const time = this.isoTime(tail.millisecond, tail.offsetMinutes);
    // The line end is part of every line, so this scan is short next to `JSON.parse`.
    if (entry.log.includes("\u0000")) this.noteEscapedNul(entry.log, time, line);
    const parts = this.jsonParts;
    if (!entry.isPartial && parts.isEmpty) {
      return this.frameContainerLine(entry.log, time, line, emit);
    }

    const stream = containerStreamOf(entry.stream);
    if (stream === null) return this.frameContainerLine(entry.log, time, line, emit);
    if (entry.isPartial) {
      parts.add(stream, entry.log, time, line);
      return "partial";
    }
    const joined = parts.complete(stream, entry.log);
    if (joined === null) return this.frameContainerLine(entry.log, time, line, emit);
    return this.frameJoinedLine(joined, line, emit);
  }

  // Counts a json-file line whose `log` value has NUL characters, and keeps that value for
  // samples unless the line is a part that a later part completes.
  private noteEscapedNul(log: string, time: number, line: number): void {
    this.escapedNulLines += 1;
    this.lastJoined = { text: log, time, line };
    this.lastJoinedEnd = line;
  }

  // Frames a joined line whose last part is line `endLine`.
  private frameJoinedLine(joined: JoinedLine, endLine: number, emit: RecordSink): FrameOutcome {
    this.lastJoined = joined;
    this.lastJoinedEnd = endLine;
    return this.frameContainerLine(joined.text, joined.time, joined.line, emit);
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
    // FreeBSD `syslogd -v` writes `<facility.level>` or `<4.3>` before the host.
    if (text.charCodeAt(hostStart) === 60) hostStart = afterAngleBrackets(text, hostStart);
    // macOS syslogd writes `--- last message repeated N times ---` without a host, and no host
    // name starts with a hyphen, so the marker repeats the line before.
    if (text.charCodeAt(hostStart) === 45) {
      const count = this.repeats.lastRepeatedCount(text, hostStart);
      if (count >= 0) return this.repeatLast(this.lastHost, count, time, line, emit);
    }
    hostStart = skipFacilityBeforeHost(text, hostStart);
    // Host names are short, so a loop is cheaper here than a call to indexOf.
    let hostEnd = hostStart;
    const length = text.length;
    while (hostEnd < length && text.charCodeAt(hostEnd) !== 32) hostEnd += 1;
    if (hostEnd === hostStart || hostEnd === length) return "unrecognised";
    if (isTagWithoutHost(text, hostStart, hostEnd)) {
      // `journalctl --no-hostname` leaves the host out: `Mar 04 09:15:02 postfix/smtp[7]: …`.
      this.lastHost = "";
      return this.frameTag(text, hostStart, "", time, line, emit);
    }
    const host = this.hosts.slice(text, hostStart, hostEnd);
    this.lastHost = host;
    let tagStart = hostEnd + 1;

    const repeatCount = this.repeats.lastRepeatedCount(text, tagStart);
    if (repeatCount >= 0) return this.repeatLast(host, repeatCount, time, line, emit);
    // A template can put the facility and severity between host and tag: `mx1 mail.info …`,
    // or `mx1 <mail.info> …` as FreeBSD's `syslogd -v` puts them before the host.
    const afterFacility = facilitySeverityEnd(text, tagStart);
    if (afterFacility > 0) tagStart = afterFacility;
    else if (text.charCodeAt(tagStart) === 60) tagStart = afterAngleBrackets(text, tagStart);
    return this.frameTag(text, tagStart, host, time, line, emit);
  }

  // `tag[pid]: message` at `tagStart`, of a line from `host`.
  private frameTag(
    text: string,
    tagStart: number,
    host: string,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const tag = this.tag;
    if (!tag.read(text, tagStart)) return "unrecognised";
    const message = text.slice(tag.messageStart);
    const program = normaliseProgram(tag.program);
    const pid = tag.pid < 0 ? null : tag.pid;

    this.repeats.emit(this.record(time, host, program, pid, message, line, true), emit);
    return "record";
  }

  // Emits `count` copies of the last line of `host` for a repeat marker line.
  private repeatLast(
    host: string,
    count: number,
    time: number,
    line: number,
    emit: RecordSink,
  ): FrameOutcome {
    const marker = this.record(time, host, "", null, "", line, true);
    return this.repeats.repeatLast(marker, count, emit) ? "record" : "unrecognised";
  }

  private record(
    time: number,
    host: string,
    program: string,
    pid: number | null,
    message: string,
    line: number,
    syslogHeader: boolean,
  ): LogRecord {
    const spelling = this.hostNames.spellingOf(host);
    // Exim writes its own date and time before each line that it sends to syslog
    // (`syslog_timestamp`), whichever framing carries the line.
    const text = program === EXIM_PROGRAM ? stripEmbeddedEximStamp(message) : message;
    return {
      time,
      host: spelling,
      program,
      pid,
      message: text,
      file: this.file,
      line,
      syslogHeader,
    };
  }
}

// The index after `<…> ` at `start` when the brackets are short, as a facility and level are,
// else `start`.
function afterAngleBrackets(text: string, start: number): number {
  const close = text.indexOf("> ", start);
  return close > 0 && close - start < 24 ? close + 2 : start;
}

// Blank means only spaces, tabs, CRs and NULs: padding that some writers leave between records.
function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 9 && code !== 13 && code !== 0) return false;
  }
  return true;
}
