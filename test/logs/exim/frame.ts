import { readFileSync } from "node:fs";
import type { LogEvent } from "../../../src/logs/events.js";
import { LineFramer } from "../../../src/logs/framing/framer.js";
import type { LogRecord, ParseOutcome, RecordParserFactory } from "../../../src/logs/record.js";
import { resolveTimeZone } from "../../../src/time/zone.js";

/** What one parser made of a file or of fixture lines. */
export interface ParserRun {
  readonly events: LogEvent[];
  readonly outcomes: Record<ParseOutcome, number>;
  /** Records of the parser's programs, for a look at what stayed unparsed. */
  readonly unparsed: LogRecord[];
}

/** Options for framing: the zone of naive stamps (UTC by default) and the year of syslog ones. */
export interface FrameOptions {
  readonly timeZone?: string;
  readonly year?: number;
}

/**
 * Frames `lines` with the real framing layer and feeds the records that the parser accepts
 * to it, as the pipeline will. Lines are numbered from 1.
 */
export function runParser(
  factory: RecordParserFactory,
  lines: readonly string[],
  options: FrameOptions = {},
  file = "test.log",
): ParserRun {
  const events: LogEvent[] = [];
  const parser = factory((event) => events.push(event));
  const outcomes: Record<ParseOutcome, number> = { parsed: 0, ignored: 0, unparsed: 0 };
  const unparsed: LogRecord[] = [];
  const framer = new LineFramer({
    timeZone: resolveTimeZone(options.timeZone ?? "UTC"),
    year: options.year,
  });
  framer.startFile(file, Date.UTC(2024, 0, 1), false);

  lines.forEach((text, index) => {
    framer.frame(text, index + 1, (record) => {
      if (!parser.accepts(record.program)) return;
      const outcome = parser.parse(record);
      outcomes[outcome] += 1;
      if (outcome === "unparsed") unparsed.push(record);
    });
  });
  parser.finish();
  return { events, outcomes, unparsed };
}

/** Reads a log file as the pipeline does: bytes as Latin-1, split on `\n` only. */
export function readLogLines(path: string): string[] {
  const lines = readFileSync(path).toString("latin1").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}
