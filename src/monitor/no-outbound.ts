import type { VerdictStatus } from "../diagnose/types.js";
import type { OutboundState, OutboundStateRepository } from "../store/outbound-states.js";

/**
 * The span of log time without any outbound delivery after which a followed log that never
 * showed any gets the warning. A quiet half hour of a small server, with only inbound mail, does
 * not set it off.
 * NOTE: a chosen value, not measured on real servers.
 */
export const NO_OUTBOUND_WARN_SPAN_MS = 60 * 60_000;

/**
 * The span of log time without outbound delivery after which a log that showed some before
 * gets the warning again. A small server sends nothing for hours at night, and a warning each
 * night would teach its admin to ignore it. A whole day of log lines without one delivery
 * attempt is more often a mail flow that stopped or moved to a relay host.
 * NOTE: a chosen value, not measured on real servers.
 */
export const SILENCE_WARN_SPAN_MS = 24 * 60 * 60_000;

/** The facts of one read of a log that `recordOutboundState` uses. */
export interface LogWindowSummary {
  readonly status: VerdictStatus;
  /** Times of the window's first and latest log lines (ms since the epoch), or null. */
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  /** True when the read began at the start of the file, as `delist diagnose` reads it. */
  readonly fromStart: boolean;
}

/**
 * What a read changed about the warning of its log: `warn` when the warning is due now,
 * `outbound-again` when a log that got the warning shows outbound delivery, else `none`.
 */
export type OutboundVerdict = "warn" | "outbound-again" | "none";

const NOTHING_READ: OutboundState = { outboundAt: null, firstLineWithoutAt: null, warnedAt: null };

/**
 * Records a read of the log at `path` in `states` at `at`, so that the reads of a long-running
 * monitor and those of a series of `--once` runs count alike. A log that never shows outbound
 * delivery, such as an inbound-only log or the log of a host that hands its mail to a relay
 * host, then gets one warning instead of months of silent checks.
 *
 * Returns `warn` once per span of reads without outbound delivery: when those reads cover the
 * whole file or at least NO_OUTBOUND_WARN_SPAN_MS of log time. A log that showed outbound
 * delivery before gets it too, such as one whose mail moved to a relay host, but only after
 * SILENCE_WARN_SPAN_MS. A read that shows outbound delivery ends the span and clears the
 * warning, and returns `outbound-again` when the warning had been given, so the next span
 * without outbound delivery warns again.
 */
export function recordOutboundState(
  states: OutboundStateRepository,
  path: string,
  window: LogWindowSummary,
  at: number,
): OutboundVerdict {
  const state = states.get(path) ?? NOTHING_READ;
  if (window.status !== "no-outbound-delivery") {
    const outboundAt = window.lastTime ?? state.outboundAt ?? at;
    states.save(path, { outboundAt, firstLineWithoutAt: null, warnedAt: null }, at);
    return state.warnedAt === null ? "none" : "outbound-again";
  }
  if (state.warnedAt !== null) return "none";

  const firstLineWithoutAt =
    window.firstTime === null
      ? state.firstLineWithoutAt
      : Math.min(state.firstLineWithoutAt ?? Infinity, window.firstTime);
  const span =
    firstLineWithoutAt === null || window.lastTime === null
      ? 0
      : window.lastTime - firstLineWithoutAt;
  const due =
    state.outboundAt === null
      ? window.fromStart || span >= NO_OUTBOUND_WARN_SPAN_MS
      : span >= SILENCE_WARN_SPAN_MS;
  const warnedAt = due ? at : null;
  states.save(path, { outboundAt: state.outboundAt, firstLineWithoutAt, warnedAt }, at);
  return due ? "warn" : "none";
}
