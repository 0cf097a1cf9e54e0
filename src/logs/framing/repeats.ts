import type { LogRecord } from "../record.js";
import type { QuietMessages } from "./quiet.js";

/** Upper bound for one repeat count, so that one corrupt count cannot stall a run. */
export const MAX_REPEAT = 1000;

/** Receives the records of one line: none, one, or several for a repeat marker. */
export type RecordSink = (record: LogRecord) => void;

// A line that the framer counted without a record, with the quiet message start it had.
interface QuietLine {
  readonly host: string;
  readonly quiet: QuietMessages;
}

type LastLine = LogRecord | QuietLine;

// Hosts remembered for `last message repeated`; a file of junk with a new host name on every
// line must not grow the map without bound.
const MAX_HOSTS = 10_000;

const LAST_REPEATED_PREFIX = "last message repeated ";
const LAST_REPEATED = /^last message repeated (\d+) times?/;
const REPEATED_PREFIX = "message repeated ";
const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;

/**
 * Expands syslog repeat markers into the records they stand for, so that counts match what
 * happened. BSD syslogd's `last message repeated N times` stands for N more copies of the
 * host's previous message. rsyslog's `message repeated N times: [ text ]` carries the text
 * and stands for N copies of it. Each copy is capped at `MAX_REPEAT`.
 */
export class RepeatExpander {
  // The previous record, and the last record of each other host. The map changes only when
  // the host changes, which keeps the common single-host log off the map.
  private last: LastLine | null = null;
  private readonly lastOfOtherHosts = new Map<string, LastLine>();

  /** Forgets the previous messages, at the start of a file that does not continue the last. */
  reset(): void {
    this.last = null;
    this.lastOfOtherHosts.clear();
  }

  /**
   * Returns N when `text` has `last message repeated N times` at `start`, else -1. Only the
   * prefix check runs for ordinary lines.
   */
  lastRepeatedCount(text: string, start: number): number {
    // The first-letter test keeps the costlier `startsWith` off ordinary lines.
    if (text.charCodeAt(start) !== 108 || !text.startsWith(LAST_REPEATED_PREFIX, start)) {
      return -1;
    }
    const match = LAST_REPEATED.exec(text.slice(start));
    return match === null ? -1 : Number(match[1]);
  }

  /**
   * Emits N copies of the host's previous message, with the marker line's time and position,
   * or counts N copies of it when the framer counted it without a record. Returns false when
   * the host has no previous message in this file set.
   */
  repeatLast(marker: LogRecord, count: number, emit: RecordSink): boolean {
    const last =
      this.last?.host === marker.host ? this.last : this.lastOfOtherHosts.get(marker.host);
    if (last === undefined) return false;
    const copies = Math.min(count, MAX_REPEAT);
    if ("quiet" in last) {
      for (let i = 0; i < copies; i++) last.quiet.count(marker.time, true);
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
    for (let i = 0; i < copies; i++) emit(inner);
    this.remember(inner);
  }

  /**
   * Remembers a line of `host` that the framer counted without a record, so that a repeat
   * marker after it counts its copies the same way.
   */
  rememberQuiet(host: string, quiet: QuietMessages): void {
    this.remember({ host, quiet });
  }

  private remember(record: LastLine): void {
    const previous = this.last;
    this.last = record;
    if (previous === null || previous.host === record.host) return;
    if (this.lastOfOtherHosts.size >= MAX_HOSTS) this.lastOfOtherHosts.clear();
    this.lastOfOtherHosts.set(previous.host, previous);
  }
}
