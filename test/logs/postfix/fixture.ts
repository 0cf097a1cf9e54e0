import type { LogEvent } from "../../../src/logs/events.js";
import { createPostfixParser, type PostfixParser } from "../../../src/logs/postfix/index.js";
import type { LogRecord, ParseOutcome } from "../../../src/logs/record.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const LINE = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) ([^[:\s]+)(?:\[(\d+)\])?: (.*)$/;

/**
 * Turns a classic syslog line of a fixture into a record (year 2024, UTC), without the
 * framing layer, so these tests exercise the Postfix parser alone.
 */
export function toRecord(line: string, lineNumber = 1, year = 2024): LogRecord {
  const match = LINE.exec(line);
  if (match === null) throw new Error(`fixture line has no syslog header: ${line}`);
  const [, month = "", day, hour, minute, second, host = "", program = "", pid, message = ""] =
    match;
  return {
    time: Date.UTC(
      year,
      MONTHS.indexOf(month),
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
    ),
    host,
    program,
    pid: pid === undefined ? null : Number(pid),
    message,
    file: "fixture.log",
    line: lineNumber,
    syslogHeader: true,
  };
}

/** What the parser made of fixture lines. */
export interface FixtureRun {
  readonly events: LogEvent[];
  readonly outcomes: ParseOutcome[];
  readonly parser: PostfixParser;
}

/** Parses fixture lines, one record each, with a new parser unless one is given. */
export function runPostfix(lines: readonly string[], previous?: FixtureRun): FixtureRun {
  const events: LogEvent[] = previous?.events ?? [];
  const parser = previous?.parser ?? createPostfixParser((event) => events.push(event));
  const outcomes = lines.map((line, index) => parser.parse(toRecord(line, index + 1)));
  return { events, outcomes, parser };
}

/** Returns the events of one type, typed. */
export function eventsOf<T extends LogEvent["type"]>(
  events: readonly LogEvent[],
  type: T,
): Extract<LogEvent, { type: T }>[] {
  return events.filter((event): event is Extract<LogEvent, { type: T }> => event.type === type);
}
