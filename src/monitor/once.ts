import type { Incident } from "../store/index.js";
import type { JobKind } from "./config.js";
import type { Logger } from "./logger.js";

/** The problems that `delist monitor --once` found. Each non-empty field makes it exit 1. */
export interface OnceResult {
  /** Jobs that threw, such as on a locked database. */
  readonly failed: readonly JobKind[];
  /** Jobs that left something unchecked (see `JobOutcome`). */
  readonly incomplete: readonly JobKind[];
  /** Jobs that checked all and found a failing check, such as an SPF record that fails. */
  readonly failing: readonly JobKind[];
  /** Open incidents of configured targets and of targets seen in this run. */
  readonly openIncidents: readonly Incident[];
  /** Delivery attempts of alerts that failed in this run. */
  readonly failedDeliveries: number;
  /** Alerts still pending after a failed attempt on their channel, waiting for a retry. */
  readonly alertsAwaitingRetry: number;
}

/** The number of open incidents that the summary line names; it counts the rest. */
const NAMED_INCIDENTS = 5;

/** True when `result` shows a problem, so `--once` exits 1. */
export function hasProblems(result: OnceResult): boolean {
  return (
    result.failed.length > 0 ||
    result.incomplete.length > 0 ||
    result.failing.length > 0 ||
    result.openIncidents.length > 0 ||
    result.failedDeliveries > 0 ||
    result.alertsAwaitingRetry > 0
  );
}

/**
 * Logs the last line of `--once`: the reasons for exit status 1, or that there is none. It is
 * an info line, because the warnings and errors above it already carry each problem.
 */
export function logOnceResult(logger: Logger, result: OnceResult): void {
  if (!hasProblems(result)) {
    // An alert held for the flap window is neither sent nor failed, so this line claims no more
    // than that no delivery failed.
    logger.info("every check passed, no incident is open and no alert delivery failed");
    return;
  }
  const incidents = result.openIncidents.map((incident) => `#${incident.id} ${incident.subject}`);
  const reasons = [
    ...(result.openIncidents.length > 0
      ? [countOf(result.openIncidents.length, "open incident")]
      : []),
    ...(result.failing.length > 0 ? [`failed checks in ${result.failing.join(", ")}`] : []),
    ...(result.incomplete.length > 0
      ? [`unchecked targets in ${result.incomplete.join(", ")}`]
      : []),
    ...(result.failed.length > 0 ? [`failed jobs: ${result.failed.join(", ")}`] : []),
    ...(result.failedDeliveries + result.alertsAwaitingRetry > 0 ? ["undelivered alerts"] : []),
  ];
  logger.info(
    {
      openIncidents: incidents.slice(0, NAMED_INCIDENTS),
      ...(incidents.length > NAMED_INCIDENTS
        ? { moreIncidents: incidents.length - NAMED_INCIDENTS }
        : {}),
      failingJobs: result.failing,
      incompleteJobs: result.incomplete,
      failedJobs: result.failed,
      failedDeliveries: result.failedDeliveries,
      alertsAwaitingRetry: result.alertsAwaitingRetry,
    },
    `exit status 1: ${reasons.join("; ")}`,
  );
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
