import type { LocalFailureTally } from "../analysis/bare-words.js";
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

/** Bounces to words of a command line given as recipients (see `LocalFailureTally`). */
export interface BareWordsReport {
  /** Bounces to recipients without `@` of the messages counted in `messages`. */
  readonly bounced: number;
  /** Messages with at least `BARE_WORDS_MIN` such bounces. */
  readonly messages: number;
  /** The recipients of the first such message, up to 5, in log order. */
  readonly words: readonly string[];
}

/** Failed local deliveries, with the bounces to a command line's words apart. */
export interface LocalFailureReport extends UndeliveredReport {
  /** Of `deferred` and `bounced`, the lines of deliveries to a host on a loopback address. */
  readonly toLoopback: number;
  /** Null when no message had `BARE_WORDS_MIN` bounces to recipients without `@`. */
  readonly bareWords: BareWordsReport | null;
}

/** Builds the report of failed local deliveries, with times formatted by `time`. */
export function localFailureReport(
  tally: LocalFailureTally,
  time: (epochMs: number) => string,
): LocalFailureReport {
  const bareWords =
    tally.bareWordMessages === 0
      ? null
      : {
          bounced: tally.bareWordBounces,
          messages: tally.bareWordMessages,
          words: [...tally.bareWords],
        };
  return { ...undeliveredReport(tally, time), toLoopback: tally.toLoopback, bareWords };
}
