import { WordText } from "./header-bytes.js";

/**
 * The host, pid and message bytes of a line that the framer counts without a record. The
 * framer reuses one object, so its fields are valid only during the call that gets it.
 */
export interface QuietSource {
  host: string;
  pid: number | null;
  buffer: Buffer;
  messageStart: number;
  messageEnd: number;
}

/**
 * Counts a line that needs no record, with its line number, and returns a tag that the copies
 * of the line get back. `source` is the line's fields, or null for the copies that a syslog
 * repeat marker adds (see `RepeatExpander`). A copy carries the marker's time and line
 * and the tag returned for the line it copies, so the counter can tell what it copies.
 */
export type QuietCounter = (
  time: number,
  line: number,
  source: QuietSource | null,
  tag: number,
) => number;

/**
 * The message starts of one program whose lines need no record (see
 * `RecordParser.quietPrefixes` and `RecordParser.timedPrefixes`), compared with the bytes of a
 * line four at a time, and what counts a line with each of them.
 */
export class QuietMessages {
  private readonly firstCodes: number[] = [];
  private readonly words: WordText[] = [];
  private readonly counters: QuietCounter[] = [];

  /** True when no message start was added. */
  get isEmpty(): boolean {
    return this.words.length === 0;
  }

  /** Adds message starts whose lines `count` counts. */
  add(prefixes: readonly string[], count: QuietCounter): void {
    for (const prefix of prefixes) {
      const word = new WordText();
      word.set(prefix);
      this.firstCodes.push(prefix.charCodeAt(0));
      this.words.push(word);
      this.counters.push(count);
    }
  }

  /**
   * Returns what counts `buffer[start, end)` when it starts with one of the message starts,
   * else null; `view` covers `buffer`.
   */
  counterAt(view: DataView, buffer: Buffer, start: number, end: number): QuietCounter | null {
    const first = buffer[start];
    const codes = this.firstCodes;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === first && (this.words[i] as WordText).isAt(view, buffer, start, end)) {
        return this.counters[i] as QuietCounter;
      }
    }
    return null;
  }
}

/** Returns the quiet message starts of `program`, or null when it has none. */
export type QuietMessagesOf = (program: string) => QuietMessages | null;
