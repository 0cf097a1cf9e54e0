import type { LogRecord } from "../record.js";
import { DEFAULT_MAX_LINE_BYTES } from "../reader/lines.js";
import type { SyslogPart } from "./syslog-part.js";

/**
 * Maximum number of parts of one line that are joined. Exim splits a line longer than 870
 * characters or with line breaks, and a configuration error takes a few parts. A line with
 * more parts is read part by part.
 */
export const MAX_JOINED_PARTS = 16;

/**
 * Maximum time between part 1 and a later part of the same line, in ms. Exim sends the parts
 * one after another in one process, so they usually share a second.
 */
export const PART_WINDOW_MS = 5_000;

// Maximum number of lines that wait for parts at once. Each waits at most `PART_WINDOW_MS` of
// log time, so only a burst of failing processes fills this. When it is full, the oldest line
// is sent as it is.
const MAX_OPEN_LINES = 64;

/** A line whose part 1 was read and whose later parts are still missing. */
interface OpenLine<T> {
  readonly start: T;
  readonly host: string;
  readonly pid: number | null;
  readonly time: number;
  readonly total: number;
  nextIndex: number;
  endsAtLineBreak: boolean;
  text: string;
}

/**
 * Joins the numbered syslog parts of Exim lines (see `syslogPartOf`). A part joins the open
 * line of the same syslog host and pid whose next part it is, within `PART_WINDOW_MS` of
 * part 1, and other lines may come between the parts. A line is sent after its last part.
 * It is sent with the text gathered so far when its time runs out, when the same process
 * starts another line, when `MAX_OPEN_LINES` lines wait, or at the end of the input.
 */
export class SyslogPartJoiner<T> {
  /** Lines sent before their last part came. */
  incompleteLines = 0;
  private readonly open: OpenLine<T>[] = [];

  /**
   * `send` receives the value given for part 1 and the text of parts 2 and later. A part that
   * Exim split at a line break is followed by `\n`. That text stops at `maxLength`
   * characters, the reader's maximum line length by default.
   */
  constructor(
    private readonly send: (start: T, text: string) => void,
    private readonly maxLength: number = DEFAULT_MAX_LINE_BYTES,
  ) {}

  /** Number of lines that wait for parts. */
  get size(): number {
    return this.open.length;
  }

  /**
   * Opens a line at its part 1 and returns true, or returns false when the part count is
   * outside 2 to `MAX_JOINED_PARTS`, so the caller reads the part by itself.
   */
  start(record: LogRecord, part: SyslogPart, start: T): boolean {
    if (part.index !== 1 || part.total < 2 || part.total > MAX_JOINED_PARTS) return false;
    const previous = this.open.findIndex((line) => isSameProcess(line, record));
    if (previous >= 0) this.sendIncompleteAt(previous);
    if (this.open.length >= MAX_OPEN_LINES) this.sendIncompleteAt(0);
    this.open.push({
      start,
      host: record.host,
      pid: record.pid,
      time: record.time,
      total: part.total,
      nextIndex: 2,
      endsAtLineBreak: part.endsAtLineBreak,
      text: "",
    });
    return true;
  }

  /**
   * Adds a later part to its open line and returns the value given for that line's part 1,
   * after sending the line when this was its last part. Returns null when no open line waits
   * for this part, as for a part out of order or after its line timed out.
   */
  add(record: LogRecord, part: SyslogPart): T | null {
    const at = this.open.findIndex(
      (line) =>
        line.nextIndex === part.index &&
        line.total === part.total &&
        isSameProcess(line, record) &&
        Math.abs(record.time - line.time) <= PART_WINDOW_MS,
    );
    const line = this.open[at];
    if (line === undefined) return null;

    const separator = line.text !== "" && line.endsAtLineBreak ? "\n" : "";
    const room = this.maxLength - line.text.length - separator.length;
    if (room > 0)
      line.text += separator + record.message.slice(part.textStart, part.textStart + room);
    line.nextIndex += 1;
    line.endsAtLineBreak = part.endsAtLineBreak;
    if (line.nextIndex > line.total) this.sendAt(at);
    return line.start;
  }

  /** Sends the open lines whose part 1 is more than `PART_WINDOW_MS` older than `time`. */
  expire(time: number): void {
    let at = 0;
    while (at < this.open.length) {
      const line = this.open[at];
      if (line !== undefined && time - line.time > PART_WINDOW_MS) this.sendIncompleteAt(at);
      else at += 1;
    }
  }

  /** Sends every open line with the text gathered so far. */
  sendAll(): void {
    while (this.open.length > 0) this.sendIncompleteAt(0);
  }

  private sendIncompleteAt(at: number): void {
    this.incompleteLines += 1;
    this.sendAt(at);
  }

  private sendAt(at: number): void {
    const [line] = this.open.splice(at, 1);
    if (line !== undefined) this.send(line.start, line.text);
  }
}

function isSameProcess(line: OpenLine<unknown>, record: LogRecord): boolean {
  return line.host === record.host && line.pid === record.pid;
}
