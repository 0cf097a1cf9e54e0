import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { EventSink, LogEvent } from "../../../src/logs/events.js";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../../../src/logs/record.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

/** What the parsers made of one log file. */
export interface ParsedLog {
  readonly events: LogEvent[];
  /** Records per outcome; `other` counts records that no parser accepted. */
  readonly outcomes: Record<ParseOutcome | "other", number>;
  /** The records that came back `unparsed`, for failure messages. */
  readonly unparsed: LogRecord[];
}

/** Creates parsers that all send their events to one sink. */
export type ParserSet = (sink: EventSink) => RecordParser[];

/**
 * Frames every line of a file (read as Latin-1, split on `\n`) and hands each record to
 * the first parser that accepts its program. Classic syslog stamps get `year` in UTC.
 */
export function parseLogFile(path: string, parsers: ParserSet, year?: number): ParsedLog {
  const text = readFileSync(path).toString("latin1");
  return parseLines(text.split("\n"), parsers, basename(path), year);
}

/** Frames and parses `lines` as one input named `file`. */
export function parseLines(
  lines: readonly string[],
  parsers: ParserSet,
  file = "test.log",
  year?: number,
): ParsedLog {
  const events: LogEvent[] = [];
  const active = parsers((event) => events.push(event));
  const outcomes = { parsed: 0, ignored: 0, unparsed: 0, other: 0 };
  const unparsed: LogRecord[] = [];
  const framer = new LineFramer({ timeZone: resolveTimeZone("UTC"), year });
  framer.startFile(file, Date.UTC(year ?? 2024, 11, 31), false);

  lines.forEach((text, index) => {
    framer.frame(text.endsWith("\r") ? text.slice(0, -1) : text, index + 1, (record) => {
      const parser = active.find((candidate) => candidate.accepts(record.program));
      const outcome = parser === undefined ? "other" : parser.parse(record);
      outcomes[outcome] += 1;
      if (outcome === "unparsed") unparsed.push(record);
    });
  });
  for (const parser of active) parser.finish();
  return { events, outcomes, unparsed };
}
