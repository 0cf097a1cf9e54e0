/**
 * The long-running monitor (`delist monitor`): configuration, schedules, the jobs that check
 * blocklists, DNS, probes and logs, state-change alerts, and removal-request tracking.
 */
export { Monitor, type MonitorOptions } from "./monitor.js";
export { hasProblems, type OnceResult } from "./once.js";
export {
  JOB_KINDS,
  loadMonitorConfig,
  MONITOR_CONFIG_SCHEMA,
  MonitorConfigError,
  parseMonitorConfig,
  type JobKind,
  type MonitorConfig,
  type ProbeConfig,
} from "./config.js";
export {
  AlertDispatcher,
  emailSender,
  RETRY_DELAYS_MINUTES,
  webhookSender,
  type AlertSender,
  type BeforeSendHook,
} from "./alerts.js";
export { createMonitorLogger, type Logger } from "./logger.js";
export { probeHeloProblem } from "./probe-helo.js";
export { probeSourceIpProblems } from "./probe-source.js";
export { Schedule } from "./schedule.js";
export { LogWindow } from "./log-window.js";
export { logObservations } from "./log-job.js";
export * from "./removal.js";
