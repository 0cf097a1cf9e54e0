import type { FatalErrors } from "../analysis/server.js";
import type { LogSample } from "./types.js";

/**
 * The `fatal:` lines of the MTA's start command and daemons, such as Postfix's `fatal: bind
 * 0.0.0.0 port 25: Address already in use`. The program exits after each, so the MTA or that
 * daemon stopped until a later start.
 */
export interface FatalErrorsReport {
  readonly count: number;
  readonly first: string;
  readonly last: string;
  /** The earliest line, with its program and message (`postfix/master: fatal: …`). */
  readonly sample: LogSample;
}

/** Builds the report of the fatal errors, with times formatted by `time`, or null for none. */
export function fatalErrorsReport(
  failures: FatalErrors | null,
  time: (epochMs: number) => string,
): FatalErrorsReport | null {
  if (failures === null) return null;
  const { sample } = failures;
  return {
    count: failures.count,
    first: time(failures.first),
    last: time(failures.last),
    sample: {
      file: sample.position.file,
      line: sample.position.line,
      time: time(failures.first),
      text: sample.text,
    },
  };
}
