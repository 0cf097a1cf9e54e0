import type { EventSink, LogEvent } from "../../../src/logs/events.js";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import { readLogs } from "../../../src/logs/pipeline.js";
import type { ParseOutcome, RecordParser } from "../../../src/logs/record.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

/** What the parsers made of one log. */
export interface ParsedLog {
  readonly events: LogEvent[];
  /** Records per outcome; `other` counts records that no parser accepted. */
  readonly outcomes: Record<ParseOutcome | "other", number>;
  /** The first few lines that came back `unparsed`, as `line: text`, for failure messages. */
  readonly unparsedSamples: string[];
}

/** Creates parsers that all send their events to one sink. */
export type ParserSet = (sink: EventSink) => RecordParser[];

/**
 * Reads a log file through the `readLogs` pipeline, as `delist diagnose` does. Classic
 * syslog stamps get `year`, and stamps without an offset are read as UTC.
 */
export async function parseLogFile(
  path: string,
  parsers: ParserSet,
  year: number,
): Promise<ParsedLog> {
  const events: LogEvent[] = [];
  const summary = await readLogs(
    [path],
    parsers((event) => events.push(event)),
    {
      timeZone: resolveTimeZone("UTC"),
      year,
    },
  );
  const totals = summary.totals;
  const error = summary.inputs[0]?.error;
  if (error !== null && error !== undefined) {
    throw new Error(`reading ${path} failed: ${JSON.stringify(error)}`);
  }
  return {
    events,
    outcomes: {
      parsed: totals.parsed,
      ignored: totals.ignored,
      unparsed: totals.unparsed,
      other: totals.withoutParser,
    },
    unparsedSamples: summary.unparsedSamples.map((sample) => `${sample.line}: ${sample.text}`),
  };
}

/** Frames and parses lines that are not in a file of their own, as one input `file`. */
export function parseLines(
  lines: readonly string[],
  parsers: ParserSet,
  file: string,
  year: number,
): ParsedLog {
  const events: LogEvent[] = [];
  const active = parsers((event) => events.push(event));
  const outcomes = { parsed: 0, ignored: 0, unparsed: 0, other: 0 };
  const unparsedSamples: string[] = [];
  const framer = new LineFramer({ timeZone: resolveTimeZone("UTC"), year });
  framer.startFile(file, Date.UTC(year, 11, 31), false);

  lines.forEach((text, index) => {
    framer.frame(text, index + 1, (record) => {
      const parser = active.find((candidate) => candidate.accepts(record.program));
      const outcome = parser === undefined ? "other" : parser.parse(record);
      outcomes[outcome] += 1;
      if (outcome === "unparsed") unparsedSamples.push(`${record.line}: ${record.message}`);
    });
  });
  for (const parser of active) parser.finish();
  return { events, outcomes, unparsedSamples };
}
