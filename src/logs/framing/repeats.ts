import type { LogRecord } from "../record.js";
import type { QuietCounter } from "./quiet.js";

/** Upper bound for one repeat count, so that one corrupt count cannot stall a run. */
export const MAX_REPEAT = 1000;

/** Receives the records of one line: none, one, or several for a repeat marker. */
export type RecordSink = (record: LogRecord) => void;

// A line that the framer counted without a record, with what counted it and the tag that
// it returned.
interface QuietLine {
  readonly host: string;
  readonly count: QuietCounter;
  readonly tag: number;
}

type LastLine = LogRecord | QuietLine;

// Hosts remembered for `last message repeated`; a file of junk with a new host name on every
// line must not grow the map without bound.
const MAX_HOSTS = 10_000;

const LAST_REPEATED_PREFIX = "last message repeated ";
const LAST_REPEATED = /^last message repeated (\d+) times?/;
// macOS syslogd writes the BSD marker between dashes, often without a host:
// `Mar  4 09:15:40 --- last message repeated 2 times ---`. The form with a colon after the
// stamp (`Mar  4 09:15:40: --- last …`) is read by `LineFramer.frameColonMarker`.
const DASHED_LAST_REPEATED_PREFIX = "--- last message repeated ";
const DASHED_LAST_REPEATED = /^--- last message repeated (\d+) times? ---$/;
const REPEATED_PREFIX = "message repeated ";
const REPEATED = /^message repeated ([1-9]\d*) times: \[ ?(.*?) ?\]$/;

/**
 * Expands syslog repeat markers into the records they stand for, so that counts match what
 * happened. BSD syslogd's `last message repeated N times`, which macOS writes between `---`
 * marks, stands for N more copies of the host's previous message. rsyslog's `message repeated
 * N times: [ text ]` carries the text and stands for N copies of it. Each copy is capped at
 * `MAX_REPEAT`.
 */
export class RepeatExpander {
  // The previous record, and the last record of each other host. The map changes only when
  // the host changes, which keeps the common single-host log off the map.
  private last: LastLine | null = null;
  private readonly lastOfOtherHosts = new Map<string, LastLine>();

  /**
   * Records that repeat markers stood for beyond their own lines: N - 1 for a marker of N
   * copies. Line counts plus this number give the records framed from them.
   */
  addedRecords = 0;

  /** Forgets the previous messages, at the start of a file that does not continue the last. */
  reset(): void {
    this.last = null;
    this.lastOfOtherHosts.clear();
  }

  /**
   * Returns N when `text` has `last message repeated N times` or `--- last message repeated N
   * times ---` at `start`, else -1.
   */
  lastRepeatedCount(text: string, start: number): number {
    // The first-character tests keep the costlier `startsWith` off ordinary lines.
    const first = text.charCodeAt(start);
    let match: RegExpExecArray | null = null;
    if (first === 108) {
      if (!text.startsWith(LAST_REPEATED_PREFIX, start)) return -1;
      match = LAST_REPEATED.exec(text.slice(start));
    } else if (first === 45) {
      if (!text.startsWith(DASHED_LAST_REPEATED_PREFIX, start)) return -1;
      match = DASHED_LAST_REPEATED.exec(text.slice(start));
    }
    return match === null ? -1 : Number(match[1]);
  }

  /**
   * Emits N copies of the host's previous message, with the marker line's time and position,
   * or counts N copies of it when the framer counted it without a record. Returns false when
   * the host has no previous message in this file set, or N is 0, so that the marker line
   * counts as skipped rather than vanish from the counts.
   */
  repeatLast(marker: LogRecord, count: number, emit: RecordSink): boolean {
    const last =
      this.last?.host === marker.host ? this.last : this.lastOfOtherHosts.get(marker.host);
    if (last === undefined || count === 0) return false;
    const copies = Math.min(count, MAX_REPEAT);
    this.addedRecords += copies - 1;
    if ("count" in last) {
      for (let i = 0; i < copies; i++) last.count(marker.time, marker.line, null, last.tag);
      return true;
    }
    const copy: LogRecord = {
      ...last,
      time: marker.time,
      file: marker.file,
      line: marker.line,
      fromRepeatMarker: true,
    };
    for (let i = 0; i < copies; i++) emit(copy);
    return true;
  }

  /** Emits a record, or the copies that an rsyslog `message repeated` record stands for. */
  emit(record: LogRecord, emit: RecordSink): void {
    const message = record.message;
    const repeated =
      message.charCodeAt(0) === 109 && message.startsWith(REPEATED_PREFIX)
        ? REPEATED.exec(message)
        : null;
    if (repeated === null) {
      this.remember(record);
      emit(record);
      return;
    }
    const inner: LogRecord = { ...record, message: repeated[2] ?? "", fromRepeatMarker: true };
    const copies = Math.min(Number(repeated[1]), MAX_REPEAT);
    this.addedRecords += copies - 1;
    for (let i = 0; i < copies; i++) emit(inner);
    this.remember(inner);
  }

  /**
   * Remembers a line of `host` that the framer counted without a record, so that a repeat
   * marker after it counts its copies the same way, with the `tag` that `count` returned.
   */
  rememberQuiet(host: string, count: QuietCounter, tag: number): void {
    this.remember({ host, count, tag });
  }

  private remember(record: LastLine): void {
    const previous = this.last;
    this.last = record;
    if (previous === null || previous.host === record.host) return;
    if (this.lastOfOtherHosts.size >= MAX_HOSTS) this.lastOfOtherHosts.clear();
    this.lastOfOtherHosts.set(previous.host, previous);
  }
}
