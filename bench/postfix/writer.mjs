import { Buffer } from "node:buffer";
import { writeSync } from "node:fs";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const FLUSH_CHARS = 4 * 1024 * 1024;

/**
 * Writes syslog lines to a file descriptor in large chunks and stops at a byte limit, so the
 * generator streams any size with bounded memory. Every line is ASCII, so its length in
 * characters is its length in bytes.
 */
export class LogWriter {
  #fd;
  #limitBytes;
  #host;
  #stamp;
  #chunks = [];
  #chunkChars = 0;
  #lastSecond = -1;
  #secondText = "";

  /** Bytes written (or buffered) so far. */
  bytes = 0;
  /** Lines written (or buffered) so far; also the 1-based number of the last line. */
  lines = 0;
  /** Time of the first and the last line, microseconds since the epoch. */
  firstTimeUs = null;
  lastTimeUs = null;
  /** Set once a line did not fit under the limit; nothing is written after that. */
  full = false;

  /**
   * @param fd open file descriptor
   * @param limitBytes the file never grows past this size
   * @param timestamps "rfc3164" (`Mar  4 09:15:02`) or "rfc3339" (`2025-03-04T09:15:02.123456+00:00`)
   * @param host syslog host field
   */
  constructor(fd, limitBytes, timestamps, host) {
    this.#fd = fd;
    this.#limitBytes = limitBytes;
    this.#host = host;
    this.#stamp = timestamps === "rfc3339" ? this.#rfc3339 : this.#rfc3164;
  }

  /**
   * Appends `STAMP HOST TAG: TEXT\n`. Returns false, and marks the writer full, when the
   * line would take the file past the limit.
   */
  line(timeUs, tag, text) {
    if (this.full) return false;
    const line = `${this.#stamp(timeUs)} ${this.#host} ${tag}: ${text}\n`;
    if (this.bytes + line.length > this.#limitBytes) {
      this.full = true;
      return false;
    }
    this.bytes += line.length;
    this.lines++;
    if (this.firstTimeUs === null) this.firstTimeUs = timeUs;
    this.lastTimeUs = timeUs;
    this.#chunks.push(line);
    this.#chunkChars += line.length;
    if (this.#chunkChars >= FLUSH_CHARS) this.flush();
    return true;
  }

  /** Writes the buffered lines to the file. */
  flush() {
    if (this.#chunks.length === 0) return;
    const text = this.#chunks.join("");
    let offset = 0;
    const buffer = Buffer.from(text, "latin1");
    while (offset < buffer.length) offset += writeSync(this.#fd, buffer, offset);
    this.#chunks = [];
    this.#chunkChars = 0;
  }

  #secondPrefix(timeUs, format) {
    const second = Math.floor(timeUs / 1e6);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      this.#secondText = format(new Date(second * 1000));
    }
    return this.#secondText;
  }

  #rfc3164 = (timeUs) =>
    this.#secondPrefix(timeUs, (date) => {
      const day = date.getUTCDate();
      const clock = date.toISOString().slice(11, 19);
      return `${MONTHS[date.getUTCMonth()]} ${day < 10 ? " " : ""}${day} ${clock}`;
    });

  #rfc3339 = (timeUs) => {
    const prefix = this.#secondPrefix(timeUs, (date) => date.toISOString().slice(0, 19));
    const micros = String(timeUs % 1e6).padStart(6, "0");
    return `${prefix}.${micros}+00:00`;
  };
}

/** Formats a time as classic syslog shows it, `Mar  4 09:15:02` (UTC), for anvil lines. */
export function formatSyslogTime(timeUs) {
  const date = new Date(Math.floor(timeUs / 1000));
  const day = date.getUTCDate();
  return `${MONTHS[date.getUTCMonth()]} ${day < 10 ? " " : ""}${day} ${date.toISOString().slice(11, 19)}`;
}
