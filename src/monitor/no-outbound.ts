import type { VerdictStatus } from "../diagnose/types.js";

/**
 * The span of log time without any outbound delivery after which a followed log gets the
 * warning. It is long enough that a quiet hour of a small server, with only inbound mail, does
 * not set it off.
 * NOTE: a chosen value, not measured on real servers.
 */
export const NO_OUTBOUND_WARN_SPAN_MS = 60 * 60_000;

/** The facts of one read of a log that `OutboundWatch.record` uses. */
export interface LogWindowSummary {
  readonly status: VerdictStatus;
  /** Times of the window's first and latest log lines (ms since the epoch), or null. */
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  /** True when the read began at the start of the file, as `delist diagnose` reads it. */
  readonly fromStart: boolean;
}

interface LogState {
  outboundSeen: boolean;
  firstTimeWithout: number | null;
  warned: boolean;
}

/**
 * Tracks, per log path, whether the log has shown outbound delivery since the monitor started.
 * A log that never does, such as an inbound-only log or the log of a host that hands its mail
 * to a relay host, then gets one warning instead of months of silent checks.
 * NOTE: the state is kept in memory, so each `--once` run judges only the lines it reads.
 */
export class OutboundWatch {
  private readonly logs = new Map<string, LogState>();

  /**
   * Records a read of the log at `path`. Returns true once per path: when no read of it has
   * shown outbound delivery, and the reads without it cover the whole file or span at least
   * NO_OUTBOUND_WARN_SPAN_MS of log time.
   */
  record(path: string, window: LogWindowSummary): boolean {
    const state = this.logs.get(path) ?? {
      outboundSeen: false,
      firstTimeWithout: null,
      warned: false,
    };
    this.logs.set(path, state);
    if (window.status !== "no-outbound-delivery") {
      state.outboundSeen = true;
      return false;
    }
    if (state.outboundSeen || state.warned) return false;
    if (window.firstTime !== null) {
      state.firstTimeWithout = Math.min(state.firstTimeWithout ?? Infinity, window.firstTime);
    }
    const span =
      state.firstTimeWithout === null || window.lastTime === null
        ? 0
        : window.lastTime - state.firstTimeWithout;
    if (!window.fromStart && span < NO_OUTBOUND_WARN_SPAN_MS) return false;
    state.warned = true;
    return true;
  }
}
