import type { UndeliveredTally } from "../analysis/undelivered.js";

/** Deferrals and bounces that no receiver decided, with the earliest of them. */
export interface UndeliveredReport {
  /** Deferral lines: every retry counts. */
  readonly deferred: number;
  readonly bounced: number;
  readonly first: UndeliveredSampleReport | null;
}

/** The earliest deferral or bounce of an `UndeliveredReport`. */
export interface UndeliveredSampleReport {
  readonly time: string;
  readonly recipient: string;
  readonly status: "deferred" | "bounced";
  /** Postfix delivery service, Exim transport or Sendmail mailer, or null. */
  readonly transport: string | null;
  /** The reason text as the MTA logged it, or null when the line has none. */
  readonly text: string | null;
  readonly file: string;
  readonly line: number;
}

/** Builds the report of a tally, with times formatted by `time`. */
export function undeliveredReport(
  tally: UndeliveredTally,
  time: (epochMs: number) => string,
): UndeliveredReport {
  const first = tally.first;
  return {
    deferred: tally.deferred,
    bounced: tally.bounced,
    first:
      first === null
        ? null
        : {
            time: time(first.time),
            recipient: first.recipient,
            status: first.status,
            transport: first.transport,
            text: first.text,
            file: first.position.file,
            line: first.position.line,
          },
  };
}
