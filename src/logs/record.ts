import type { EventSink, LinePosition, MtaName } from "./events.js";

/**
 * One log line after the framing layer (syslog header, RFC 3339 stamp, or an MTA's native
 * stamp) has been taken off. The MTA parsers see only records.
 */
export interface LogRecord {
  /** Milliseconds since the Unix epoch (UTC). */
  readonly time: number;
  /** Syslog host field; "" for native MTA logs without one. */
  readonly host: string;
  /**
   * Syslog tag without the pid: `postfix/submission/smtpd`, `sm-mta`, `dovecot`. Native Exim
   * main log lines get `exim`.
   */
  readonly program: string;
  /** Process id from the tag (`[1234]`) or Exim's `+pid` field, or null. */
  readonly pid: number | null;
  /** The text after the tag. */
  readonly message: string;
  /** Input name as the user gave it (`-` for stdin) and 1-based line number. */
  readonly file: string;
  readonly line: number;
  /**
   * True when the line had a syslog header (classic, RFC 3339 or RFC 5424), which syslog may
   * have written twice into one file. False for lines without one, such as those of Exim's own
   * main log, supervisor logs and journald JSON.
   */
  readonly syslogHeader: boolean;
  /**
   * True for the copies that a syslog repeat marker (`last message repeated N times`) stands
   * for, which repeat a line on purpose; absent for other records.
   */
  readonly fromRepeatMarker?: true;
}

/** Returns the file and line of a record, as events carry them. */
export function positionOf(record: LogRecord): LinePosition {
  return { file: record.file, line: record.line };
}

/** What a parser made of a record. */
export type ParseOutcome =
  /** Understood; it may or may not have produced events. */
  | "parsed"
  /** A line of this program that carries nothing delist uses (statistics, noise). */
  | "ignored"
  /** A line of this program that should have parsed but did not: counted as unparsed. */
  | "unparsed";

/** An MTA or helper-program parser; it keeps correlation state between records and files. */
export interface RecordParser {
  /**
   * The MTA whose log this parser reads. Absent for parsers of helper programs (Dovecot,
   * OpenDKIM, the kernel firewall), whose records in a general log are always parsed.
   */
  readonly mta?: MtaName;
  /** True when records of this syslog program belong to this parser. */
  accepts(program: string): boolean;
  parse(record: LogRecord): ParseOutcome;
  /** End of all input: emit what is still pending. */
  finish(): void;
  /**
   * True when a record with this text is a line of a queued message that would count twice if
   * double logging repeated it. Only such records count once when a line repeats at once (see
   * `ParserDispatcher.dispatch`). Absent for parsers without message ids.
   */
  namesMessage?(text: string): boolean;
  /**
   * Starts of the messages of `program` that this parser ignores whatever follows them: no
   * event, no state, the outcome `ignored`. The framer counts a line that starts so without
   * making a record of it, which saves most of the cost of an SMTP server's `connect from`
   * and `disconnect from` lines. Absent, or empty for a program, when there are none.
   */
  quietPrefixes?(program: string): readonly string[];
  /** Takes the time of a line that `quietPrefixes` let the framer count, as `parse` would. */
  passQuiet?(time: number): void;
  /**
   * Starts of the messages of `program` from which the parser needs only the line's time and
   * position, whatever follows: the outcome is `parsed`, and the event it emits leaves the
   * fields read from the rest of the text null. The framer counts such a line without making a
   * record of it and hands it to `passTimed`, as for the outbound TLS line that Postfix writes
   * for most deliveries. Absent, or empty for a program, when there are none.
   */
  timedPrefixes?(program: string): readonly string[];
  /** Takes a line that `timedPrefixes` let the framer count, as `parse` would. */
  passTimed?(time: number, position: LinePosition): void;
  /**
   * Takes a line without log framing that follows a record of this parser in the same input,
   * and returns true when it belongs to that record, such as the indented reason after Exim's
   * `Exim configuration error in line N of FILE:`. Absent for parsers of one-line records.
   */
  continueRecord?(line: string): boolean;
  /**
   * Returns true when `line`, a line without log framing, belongs to a record of this parser
   * whose message is `message` and which the run left out as a copy, as `continueRecord` would
   * join it. Absent for parsers of one-line records.
   */
  continuesCopiedRecord?(message: string, line: string): boolean;
  /**
   * Messages whose correlation state the parser evicted to bound its memory before their
   * last line; their later lines were correlated without their earlier ones. Absent for
   * parsers that keep no per-message state.
   */
  readonly evictedMessages?: number;
  /**
   * Delivery lines left out because they repeat a delivery that already ended for the same
   * open message. Absent for parsers that do not look for them.
   */
  readonly repeatedDeliveryLines?: number;
  /**
   * Lines that the MTA sent to syslog in numbered parts and that the parser read before all
   * their parts came, from the parts that did. Absent for parsers that join no parts.
   */
  readonly incompleteSplitLines?: number;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the purpose
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * True when a recipient address read from a log line contains a C0 control character or DEL.
 * RFC 5321 (section 4.1.2) allows none in a mailbox, so such a byte is damage to the file,
 * such as the NUL bytes a crash leaves. Parsers count the line as unparsed, which keeps it as
 * a sample. They do not read the address without the byte, because damage can overwrite
 * characters as well as insert them. A guessed address (`gm\0il.com` read as `gmil.com`)
 * would count the attempt for a provider that never saw it.
 */
export function isDamagedAddress(address: string): boolean {
  return CONTROL_CHARACTER.test(address);
}

/** Creates a parser that sends its events to `sink`. */
export type RecordParserFactory = (sink: EventSink) => RecordParser;
