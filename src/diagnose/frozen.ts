import type { FrozenAnalyser } from "../analysis/frozen.js";

/** Messages that the MTA froze in its queue, as `delist logs` and `delist diagnose` report them. */
export interface FrozenReport {
  /** Distinct messages that the log shows frozen at least once (an estimate past 512). */
  readonly messages: number;
  /** False when `messages` is an estimate. */
  readonly messagesExact: boolean;
  /** Of `messages`, those still frozen at the end of the log (at most 10,000 are kept). */
  readonly stillFrozen: number;
  /** False when `stillFrozen` reached its cap, so more messages may still be frozen. */
  readonly stillFrozenExact: boolean;
  /** The message frozen longest among those still frozen, or null when none is. */
  readonly oldest: {
    readonly id: string;
    /** The first line of the log that showed it frozen; it may have been frozen before. */
    readonly since: string;
    readonly file: string;
    readonly line: number;
  } | null;
}

/** Builds the report of the frozen messages, with times formatted by `time`. */
export function frozenReport(
  frozen: FrozenAnalyser,
  time: (epochMs: number) => string,
): FrozenReport {
  const oldest = frozen.oldest();
  return {
    messages: frozen.messages.size,
    messagesExact: frozen.messages.isExact,
    stillFrozen: frozen.stillFrozen.size,
    stillFrozenExact: !frozen.stillFrozenCapped,
    oldest:
      oldest === null
        ? null
        : {
            id: oldest.id,
            since: time(oldest.since),
            file: oldest.position.file,
            line: oldest.position.line,
          },
  };
}
