import { WordText } from "./header-bytes.js";

/**
 * Counts a line that needs no record. `copy` is true for the copies that a syslog repeat
 * marker stands for (see `RepeatExpander`).
 */
export type QuietCounter = (time: number, copy: boolean) => void;

/**
 * The message starts of one program whose lines its parser ignores whatever follows (see
 * `RecordParser.quietPrefixes`), compared with the bytes of a line four at a time, and what
 * counts such a line.
 */
export class QuietMessages {
  private readonly firstCodes: number[];
  private readonly words: WordText[];

  constructor(
    prefixes: readonly string[],
    readonly count: QuietCounter,
  ) {
    this.firstCodes = prefixes.map((prefix) => prefix.charCodeAt(0));
    this.words = prefixes.map((prefix) => {
      const word = new WordText();
      word.set(prefix);
      return word;
    });
  }

  /** True when `buffer[start, end)` starts with one of the prefixes; `view` covers `buffer`. */
  startAt(view: DataView, buffer: Buffer, start: number, end: number): boolean {
    const first = buffer[start];
    const codes = this.firstCodes;
    for (let i = 0; i < codes.length; i++) {
      if (codes[i] === first && (this.words[i] as WordText).isAt(view, buffer, start, end)) {
        return true;
      }
    }
    return false;
  }
}

/** Returns the quiet message starts of `program`, or null when it has none. */
export type QuietMessagesOf = (program: string) => QuietMessages | null;
