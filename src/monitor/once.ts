import type { Incident } from "../store/index.js";
import { formatInstant, type TimeZone } from "../time/zone.js";
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
  /**
   * When each alert held for the flap window goes out, earliest first (see `heldDueTimes`). A
   * held alert is neither sent nor failed, so it does not set the exit status.
   */
  readonly heldAlertsDueAt: readonly number[];
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
 * Logs the last line of `--once`: the reasons for exit status 1, or that there is none, and the
 * alerts held for the flap window with their times in `timeZone`. It is an info line, because
 * the warnings and errors above it already carry each problem.
 */
export function logOnceResult(
  logger: Logger,
  result: OnceResult,
  now: number,
  timeZone: TimeZone,
): void {
  const dueTimes = result.heldAlertsDueAt;
  const heldFields = dueTimes.length === 0 ? {} : { heldAlerts: dueTimes.length };
  const heldSentence =
    dueTimes.length === 0 ? "" : `. ${describeHeldAlerts(dueTimes, now, timeZone)}`;
  if (!hasProblems(result)) {
    logger.info(
      heldFields,
      `every check passed, no incident is open and no alert delivery failed${heldSentence}`,
    );
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
      ...heldFields,
    },
    `exit status 1: ${reasons.join("; ")}${heldSentence}`,
  );
}

/**
 * Describes held alerts for the last line, such as "1 alert held for the flap window (sent by
 * the first run after 10:30 UTC if the state holds)". `dueTimes` is sorted and not empty.
 */
function describeHeldAlerts(dueTimes: readonly number[], now: number, zone: TimeZone): string {
  const first = clockTime(dueTimes[0] ?? now, now, zone);
  const last = clockTime(dueTimes.at(-1) ?? now, now, zone);
  const runs =
    first === last ? `the first run after ${first}` : `the first runs after ${first} to ${last}`;
  const condition = dueTimes.length === 1 ? "the state holds" : "their states hold";
  const count = countOf(dueTimes.length, "alert");
  return `${count} held for the flap window (sent by ${runs} ${zone.name} if ${condition})`;
}

/** Formats `time` as HH:MM in `zone`, after its date when that is not the date of `now`. */
function clockTime(time: number, now: number, zone: TimeZone): string {
  const instant = formatInstant(time, zone);
  const date = instant.slice(0, 10);
  const hoursAndMinutes = instant.slice(11, 16);
  return date === formatInstant(now, zone).slice(0, 10)
    ? hoursAndMinutes
    : `${date} ${hoursAndMinutes}`;
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
