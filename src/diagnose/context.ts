import type { LogFacts } from "../analysis/analyser.js";
import type { ReplyOccurrence } from "../analysis/replies.js";
import type { LinePosition } from "../logs/events.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
import type { LogSample, ReplyEvidence } from "./types.js";

/** What every finding detector reads: the facts of the run and how to format them. */
export class DiagnoseContext {
  constructor(
    readonly facts: LogFacts,
    readonly timeZone: TimeZone,
  ) {}

  /** Formats an instant as ISO 8601 in the run's time zone. */
  time(epochMs: number): string {
    return formatInstant(epochMs, this.timeZone);
  }

  /** Formats an instant, or returns null for none. */
  timeOrNull(epochMs: number | null | undefined): string | null {
    return epochMs === null || epochMs === undefined ? null : this.time(epochMs);
  }

  /** Turns a kept reply into the evidence the report quotes. */
  reply(occurrence: ReplyOccurrence): ReplyEvidence {
    return {
      time: this.time(occurrence.time),
      replyCode: occurrence.replyCode,
      enhancedStatus: occurrence.enhancedStatus,
      text: occurrence.text,
      ruleId: occurrence.ruleId,
      category: occurrence.category,
      permanent: occurrence.permanent,
      summary: occurrence.summary,
      recipient: occurrence.recipient,
      relayHost: occurrence.relayHost,
      judgedIp: occurrence.judgedIp,
      providerToken: occurrence.providerToken,
      file: occurrence.position.file,
      line: occurrence.position.line,
    };
  }

  /** A sample line of evidence: where it is and a description of what it shows. */
  sample(time: number | null, position: LinePosition, text: string): LogSample {
    return { file: position.file, line: position.line, time: this.timeOrNull(time), text };
  }
}
