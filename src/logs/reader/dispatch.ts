import type { LinePosition, MtaName } from "../events.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../record.js";
import type { ProgramCount } from "./summary.js";

// Bounds on the per-program maps, so that junk with a new program name on every line cannot
// grow memory with the input. Past them, programs are looked up without caching, and counted
// under `OTHER_PROGRAMS`.
const MAX_CACHED_PROGRAMS = 10_000;
const MAX_COUNTED_PROGRAMS = 1_000;

/**
 * Number of earlier records that each record is compared with to find an exact duplicate.
 * Double logging by syslog (two rules that write one message to the same file) repeats a
 * line at once or a few lines later, within the same second. Only records with a syslog header
 * are compared, because an MTA's own log, such as Exim's main log, is written once, and there
 * a repeated line is a real retry in the same second.
 */
const DUPLICATE_WINDOW = 8;

/** The name under which programs past the count limit are added up. */
export const OTHER_PROGRAMS = "(other programs)";

/**
 * Hands each record to the first parser whose `accepts(program)` is true, remembering the
 * choice per program, and counts the outcomes.
 */
export class ParserDispatcher {
  parsed = 0;
  ignored = 0;
  unparsed = 0;
  withoutParser = 0;
  /**
   * Records of queued messages that repeat one of the last `DUPLICATE_WINDOW` records exactly.
   * They are also in `ignored`.
   */
  duplicates = 0;

  private readonly parserByProgram = new Map<string, RecordParser | null>();
  private readonly withoutParserByProgram = new Map<string, number>();
  // The last `DUPLICATE_WINDOW` records, as a ring whose next slot is `nextRecent`.
  private readonly recent: Array<LogRecord | null> = new Array<LogRecord | null>(
    DUPLICATE_WINDOW,
  ).fill(null);
  private nextRecent = 0;

  constructor(private readonly parsers: readonly RecordParser[]) {}

  /**
   * Parses one record; returns the outcome, or null when no parser accepts its program. An
   * exact duplicate of a recent record with a syslog header (see `DUPLICATE_WINDOW`) that names
   * a queued message is ignored and counted in `duplicates`, so that double logging counts each
   * event of a message once. Lines without a message id, such as `disconnect from …` or a
   * reject, can repeat for real within a second, so they always count.
   */
  dispatch(record: LogRecord): ParseOutcome | null {
    return this.dispatchTo(this.parserFor(record.program), record);
  }

  /**
   * Parses one record as `dispatch` does, with the parser that the caller looked up already.
   * `parser` must be what `parserOf(record.program)` returns.
   */
  dispatchTo(parser: RecordParser | null, record: LogRecord): ParseOutcome | null {
    if (parser === null) {
      this.countWithoutParser(record.program);
      return null;
    }
    if (
      record.syslogHeader &&
      this.isDuplicate(record) &&
      parser.namesMessage?.(record.message) === true
    ) {
      this.duplicates += 1;
      this.ignored += 1;
      return "ignored";
    }
    const outcome = parser.parse(record);
    if (outcome === "parsed") this.parsed += 1;
    else if (outcome === "ignored") this.ignored += 1;
    else this.unparsed += 1;
    return outcome;
  }

  /** Returns the MTA of the parser that takes records of `program`, or null for other parsers. */
  mtaOf(program: string): MtaName | null {
    return this.parserFor(program)?.mta ?? null;
  }

  /** Returns the parser that takes records of `program`, or null when none does. */
  parserOf(program: string): RecordParser | null {
    return this.parserFor(program);
  }

  /**
   * Counts a line of `parser` that the framer counted without a record because the parser
   * ignores it whatever follows (`RecordParser.quietPrefixes`), as `dispatch` would count its
   * record. The line takes a place among the recent records, where no later record can equal
   * it, unless it is the `copy` of a repeat marker, which never takes one.
   */
  countQuiet(parser: RecordParser, time: number, copy: boolean): void {
    this.ignored += 1;
    if (!copy) this.passRecent();
    parser.passQuiet?.(time);
  }

  /**
   * Counts a line of `parser` that the framer counted without a record because the parser
   * needs only its time and position (`RecordParser.timedPrefixes`), as `dispatch` would
   * count its record, and hands it to the parser. Its place among the recent records is taken
   * as for `countQuiet`.
   */
  countTimed(parser: RecordParser, time: number, position: LinePosition, copy: boolean): void {
    this.parsed += 1;
    if (!copy) this.passRecent();
    parser.passTimed?.(time, position);
  }

  /**
   * Messages that the parsers evicted to bound their memory before the messages' last
   * lines, summed over the parsers.
   */
  evictedMessages(): number {
    let evicted = 0;
    for (const parser of this.parsers) evicted += parser.evictedMessages ?? 0;
    return evicted;
  }

  /** Delivery lines that repeat an ended delivery, summed over the parsers. */
  repeatedDeliveryLines(): number {
    let repeated = 0;
    for (const parser of this.parsers) repeated += parser.repeatedDeliveryLines ?? 0;
    return repeated;
  }

  /** Lines read before all their syslog parts came, summed over the parsers. */
  incompleteSplitLines(): number {
    let incomplete = 0;
    for (const parser of this.parsers) incomplete += parser.incompleteSplitLines ?? 0;
    return incomplete;
  }

  /** Calls `finish()` on every parser, in order. */
  finish(): void {
    for (const parser of this.parsers) parser.finish();
  }

  /** Records without a parser by program, most first (ties by name). */
  programsWithoutParser(): ProgramCount[] {
    const counts = [...this.withoutParserByProgram].map(([program, records]) => ({
      program,
      records,
    }));
    return counts.sort((a, b) => b.records - a.records || (a.program < b.program ? -1 : 1));
  }

  // Compares the record with the recent ones, and keeps it among them when it is new. Most
  // recent records share the second, so the pid and the message length come before the text,
  // whose comparison is a call into V8's string builtin.
  private isDuplicate(record: LogRecord): boolean {
    if (record.fromRepeatMarker === true) return false;
    const message = record.message;
    for (const earlier of this.recent) {
      if (
        earlier !== null &&
        earlier.time === record.time &&
        earlier.pid === record.pid &&
        earlier.message.length === message.length &&
        earlier.message === message &&
        earlier.program === record.program &&
        earlier.host === record.host &&
        earlier.file === record.file
      ) {
        return true;
      }
    }
    this.recent[this.nextRecent] = record;
    this.nextRecent = (this.nextRecent + 1) % DUPLICATE_WINDOW;
    return false;
  }

  // Takes a place among the recent records for a line without a record.
  private passRecent(): void {
    this.recent[this.nextRecent] = null;
    this.nextRecent = (this.nextRecent + 1) % DUPLICATE_WINDOW;
  }

  private parserFor(program: string): RecordParser | null {
    const cached = this.parserByProgram.get(program);
    if (cached !== undefined) return cached;
    const parser = this.findParser(program);
    if (this.parserByProgram.size < MAX_CACHED_PROGRAMS) this.parserByProgram.set(program, parser);
    return parser;
  }

  // Kept out of `parserFor` because a callback there that reads `program` would make V8
  // allocate a context on every record, also on a cache hit.
  private findParser(program: string): RecordParser | null {
    for (const parser of this.parsers) if (parser.accepts(program)) return parser;
    return null;
  }

  private countWithoutParser(program: string): void {
    this.withoutParser += 1;
    const counts = this.withoutParserByProgram;
    const current = counts.get(program);
    if (current !== undefined) counts.set(program, current + 1);
    else if (counts.size < MAX_COUNTED_PROGRAMS) counts.set(program, 1);
    else counts.set(OTHER_PROGRAMS, (counts.get(OTHER_PROGRAMS) ?? 0) + 1);
  }
}
