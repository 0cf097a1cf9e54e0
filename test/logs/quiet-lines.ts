import type { LogEvent, MtaName } from "../../src/logs/events.js";
import type { LogRecord, ParseOutcome, RecordParser } from "../../src/logs/record.js";

/**
 * Passes every call on to a parser but names no quiet prefixes, so that the framer makes a
 * record of every line, as it did before quiet lines.
 */
class WithoutQuietLines implements RecordParser {
  readonly mta?: MtaName;

  constructor(private readonly parser: RecordParser) {
    if (parser.mta !== undefined) this.mta = parser.mta;
  }

  get evictedMessages(): number {
    return this.parser.evictedMessages ?? 0;
  }

  accepts(program: string): boolean {
    return this.parser.accepts(program);
  }

  parse(record: LogRecord): ParseOutcome {
    return this.parser.parse(record);
  }

  finish(): void {
    this.parser.finish();
  }

  namesMessage(text: string): boolean {
    return this.parser.namesMessage?.(text) ?? false;
  }
}

/** Returns `parser` without its quiet prefixes (see `RecordParser.quietPrefixes`). */
export function withoutQuietLines(parser: RecordParser): RecordParser {
  return new WithoutQuietLines(parser);
}

/**
 * Returns the fields of an event as JSON, with the message it belongs to by host and id. An
 * outbound TLS event is given without its peer and protocol, which a line counted by its start
 * leaves null (see `RecordParser.timedPrefixes`).
 */
export function eventDigest(event: LogEvent): string {
  const shown =
    event.type === "tls" && event.direction === "outbound"
      ? { ...event, peerHost: null, peerIp: null, protocol: null }
      : event;
  return JSON.stringify(shown, (key, value: unknown) => {
    if (key === "analysisState") return undefined;
    if ((key === "message" || key === "copy" || key === "parent") && isObject(value)) {
      return `message ${String(value["host"])} ${String(value["id"])}`;
    }
    return value;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
