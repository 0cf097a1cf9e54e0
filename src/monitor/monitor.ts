import { hostname } from "node:os";
import type { DnsContext } from "../dns/context.js";
import { DAY_MS, type Clock } from "../store/clock.js";
import { describeSqliteError } from "../store/database.js";
import type { HistoryStore } from "../store/history.js";
import type { Incident } from "../store/types.js";
import { resolveTimeZone } from "../time/zone.js";
import {
  AlertDispatcher,
  emailSender,
  webhookSender,
  type AlertSender,
  type BeforeSendHook,
} from "./alerts.js";
import { runBlocklistJob, runDnsJob } from "./checks.js";
import { JOB_KINDS, MonitorConfigError, type JobKind, type MonitorConfig } from "./config.js";
import { dnsFactory, type JobContext } from "./context.js";
import { runLogJob } from "./log-job.js";
import { warnLiftProgressWithoutFailures } from "./lift-progress.js";
import type { Logger } from "./logger.js";
import { logOnceResult, type OnceResult } from "./once.js";
import { probeHeloProblem, warnBareProbeHelos } from "./probe-helo.js";
import { runProbeJob } from "./probe-job.js";
import { RepeatFilter } from "./repeats.js";
import { Schedule } from "./schedule.js";
import type { JobOutcome } from "./unanswered.js";
import { closeUnwatchedIncidents, splitOpenIncidents } from "./unwatched.js";

/** The parts of a monitor; the optional ones exist for tests. */
export interface MonitorOptions {
  readonly config: MonitorConfig;
  readonly store: HistoryStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that relative log paths start from. */
  readonly cwd: string;
  readonly version: string;
  /** Default: a resolver built from the configuration. */
  readonly createDns?: () => DnsContext;
  /** Default: the senders of the configured alert channels. */
  readonly senders?: readonly AlertSender[];
  /** Called before each alert is handed to its channel; tests use it as a crash point. */
  readonly beforeSend?: BeforeSendHook;
  /** The EHLO name of probes without a configured one. Default: this machine's host name. */
  readonly hostName?: string;
}

/** The maximum sleep of the loop, so that a step of the system clock is noticed within it. */
export const MAX_SLEEP_MS = 15 * 60_000;

/** How long the loop waits after a step failed (such as a locked database) before the next. */
export const STEP_RETRY_MS = 60_000;

/** How often the loop deletes run details older than the configured `retentionDays`. */
export const PRUNE_INTERVAL_MS = DAY_MS;

// A clock that reads this much earlier than at the last step has been set back.
const CLOCK_STEP_TOLERANCE_MS = 1_000;

/**
 * The long-running monitor: runs the blocklist, DNS, probe and log jobs on their cron
 * schedules and sends the alerts their state changes queue. Every job runs once at start.
 * All waiting goes through the clock, so a test can drive days in milliseconds.
 */
export class Monitor {
  private readonly context: JobContext;
  private readonly dispatcher: AlertDispatcher;
  private readonly schedules: Map<JobKind, Schedule>;
  private readonly cwd: string;
  private readonly stopping = new AbortController();
  private cycles = 0;
  private sleeping = false;
  private lastStepAt = -Infinity;
  private lastPruneAt = -Infinity;
  /** When `run` started, until the first step that ran every job has closed unwatched incidents. */
  private unwatchedCheckFrom: number | null = null;
  private idleWaiters: { after: number; resolve: () => void }[] = [];

  /**
   * Throws a MonitorConfigError when a probe would send this machine's host name in EHLO and
   * that name is not fully qualified (see `probeHeloProblem`).
   */
  constructor(options: MonitorOptions) {
    const { config, clock, logger } = options;
    const hostName = options.hostName ?? hostname();
    const heloProblem = probeHeloProblem(config, hostName);
    if (heloProblem !== null) {
      throw new MonitorConfigError(`invalid monitor configuration: ${heloProblem}`);
    }
    const senders = options.senders ?? configuredSenders(config, options.env);
    this.dispatcher = new AlertDispatcher(
      options.store,
      senders,
      clock,
      logger,
      options.beforeSend ?? null,
    );
    this.context = {
      config,
      store: options.store,
      clock,
      logger,
      channels: this.dispatcher.channels,
      env: options.env,
      version: options.version,
      createDns: options.createDns ?? dnsFactory(config, clock),
      signal: this.stopping.signal,
      repeats: new RepeatFilter(),
      hostName,
    };
    this.cwd = options.cwd;
    this.schedules = new Map(
      JOB_KINDS.map((kind) => [kind, new Schedule(config.schedules[kind], config.timeZone)]),
    );
  }

  /**
   * Runs until `signal` aborts, then returns once the step in progress has ended. A probe in
   * progress is cut short, so a stop takes seconds, not the probe's full timeout.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.context;
    const stop = (): void => this.stopping.abort();
    signal.addEventListener("abort", stop, { once: true });
    if (signal.aborted) stop();
    const next = new Map<JobKind, number>(JOB_KINDS.map((kind) => [kind, clock.now()]));
    this.unwatchedCheckFrom = clock.now();
    this.announce();
    try {
      while (!signal.aborted) {
        const wake = await this.stepSafely(next);
        if (signal.aborted) break;
        await this.sleep(Math.min(wake, clock.now() + MAX_SLEEP_MS) - clock.now(), signal);
      }
    } finally {
      signal.removeEventListener("abort", stop);
    }
    logger.info({ cycles: this.cycles }, "monitor stopped");
  }

  /**
   * Runs every job once and sends the alerts due, as `delist monitor --once` does. Returns what
   * makes `--once` exit 1 (see `OnceResult`) and logs it in a last line. An open incident of a
   * target that the configuration no longer names is closed with a warning instead of counting.
   */
  async runOnce(): Promise<OnceResult> {
    const { clock, logger, store } = this.context;
    const startedAt = clock.now();
    this.announce();
    const failed: JobKind[] = [];
    const incomplete: JobKind[] = [];
    const failing: JobKind[] = [];
    for (const kind of JOB_KINDS) {
      const outcome = await this.runJob(kind);
      if (outcome === "failed") failed.push(kind);
      if (outcome === "incomplete") incomplete.push(kind);
      if (outcome === "failing") failing.push(kind);
    }
    await this.dispatchAlerts();

    const counted = this.closeUnwatched(startedAt);
    const result: OnceResult = {
      failed,
      incomplete,
      failing,
      openIncidents: counted,
      failedDeliveries: this.dispatcher.failedDeliveries,
      alertsAwaitingRetry: store.alerts
        .all()
        .filter((alert) => alert.status === "pending" && alert.lastError !== null).length,
      heldAlertsDueAt: store.alerts.heldDueTimes(),
    };
    logOnceResult(logger, result, clock.now(), resolveTimeZone(this.context.config.timeZone));
    return result;
  }

  /**
   * Closes the open incidents of targets that the configuration no longer names (see
   * `closeUnwatchedIncidents`) and returns the other open incidents. An incident whose state a
   * job recorded at or after `runStartedAt` is kept open.
   */
  private closeUnwatched(runStartedAt: number): Incident[] {
    const { clock, config, store } = this.context;
    const { counted, unwatched } = splitOpenIncidents(store, config, this.cwd, runStartedAt);
    closeUnwatchedIncidents(this.context, unwatched, clock.now());
    return counted;
  }

  /**
   * Runs one job. A failure is logged, does not stop the monitor, and returns `failed`. A job
   * returns `incomplete` when it logged a warning about something it could not check: DNS
   * lookups that got no answer, a probe that reached no mail host, or a log it could not read.
   */
  async runJob(kind: JobKind): Promise<JobOutcome | "failed"> {
    let outcome: JobOutcome;
    try {
      if (kind === "blocklists") outcome = await runBlocklistJob(this.context);
      else if (kind === "dns") outcome = await runDnsJob(this.context);
      else if (kind === "probes") outcome = await runProbeJob(this.context);
      else outcome = await runLogJob(this.context, this.cwd);
    } catch (error) {
      if (this.stopping.signal.aborted) {
        this.context.logger.info(
          { job: kind, err: errorText(error) },
          "job stopped: nothing recorded",
        );
      } else {
        this.logFailure(`job:${kind}`, { job: kind }, error, "job failed");
      }
      return "failed";
    }
    if (this.context.repeats.clear(`job:${kind}`)) {
      this.context.logger.info({ job: kind }, "job ran again after failing");
    }
    return outcome;
  }

  /**
   * Logs a failure with the history file and the fix when SQLite raised it. The same failure
   * again under `key` is logged at most once an hour (REPEAT_LOG_INTERVAL_MS).
   */
  private logFailure(key: string, ids: object, error: unknown, message: string): void {
    const { clock, logger, repeats, store } = this.context;
    const err = describeSqliteError(error, store.path) ?? errorText(error);
    const heldBack = repeats.record(key, err, clock.now());
    if (heldBack === null) return;
    logger.error({ ...ids, err, ...(heldBack > 0 ? { repeatsHeldBack: heldBack } : {}) }, message);
  }

  /** Sends the alerts that are due. */
  async dispatchAlerts(): Promise<void> {
    await this.dispatcher.dispatch(this.stopping.signal);
  }

  /**
   * Resolves once the loop has finished the work that was due and sleeps again. Tests call it
   * after moving the clock, with the cycle count read before the move.
   */
  whenIdle(afterCycle: number = this.cycles): Promise<void> {
    if (this.sleeping && this.cycles > afterCycle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ after: afterCycle, resolve }));
  }

  /** The number of times the loop has gone to sleep. */
  get cycleCount(): number {
    return this.cycles;
  }

  /**
   * Runs one step and returns when the next is due. A step that throws (the history database
   * locked for longer than its busy timeout, a full disk) is logged, and the loop tries again
   * after STEP_RETRY_MS instead of ending the process.
   */
  private async stepSafely(next: Map<JobKind, number>): Promise<number> {
    let wake: number;
    try {
      wake = await this.step(next);
    } catch (error) {
      this.logFailure("step", { retryInMs: STEP_RETRY_MS }, error, "monitor step failed");
      return this.context.clock.now() + STEP_RETRY_MS;
    }
    if (this.context.repeats.clear("step")) {
      this.context.logger.info("monitor step succeeded again");
    }
    return wake;
  }

  private async step(next: Map<JobKind, number>): Promise<number> {
    const { clock, store } = this.context;
    this.rescheduleAfterClockStep(next);
    for (const kind of JOB_KINDS) {
      if (this.stopping.signal.aborted || (next.get(kind) ?? Infinity) > clock.now()) continue;
      await this.runJob(kind);
      next.set(kind, this.schedules.get(kind)?.nextAfter(clock.now()) ?? Infinity);
    }
    if (this.stopping.signal.aborted) return clock.now();
    // Every job runs in the first step, so a state that a job still records is seen by now.
    if (this.unwatchedCheckFrom !== null) {
      this.closeUnwatched(this.unwatchedCheckFrom);
      this.unwatchedCheckFrom = null;
    }
    await this.dispatchAlerts();
    this.pruneIfDue();
    return Math.min(...next.values(), store.alerts.nextAttemptAt() ?? Infinity);
  }

  /** Deletes the run details older than `retentionDays`, once a day (PRUNE_INTERVAL_MS). */
  private pruneIfDue(): void {
    const { clock, config, logger, store } = this.context;
    const now = clock.now();
    if (now - this.lastPruneAt < PRUNE_INTERVAL_MS) return;
    this.lastPruneAt = now;
    const pruned = store.prune(now - config.retentionDays * DAY_MS);
    if (Object.values(pruned).some((rows) => rows > 0)) {
      logger.info({ ...pruned, retentionDays: config.retentionDays }, "history pruned");
    }
  }

  /**
   * Plans every job anew from the current time when the clock reads earlier than at the last
   * step. Otherwise a clock set back by a day would hold every job back by that day, because the
   * planned run times still belong to the later time.
   */
  private rescheduleAfterClockStep(next: Map<JobKind, number>): void {
    const now = this.context.clock.now();
    if (now < this.lastStepAt - CLOCK_STEP_TOLERANCE_MS) {
      this.context.logger.warn(
        { from: new Date(this.lastStepAt).toISOString(), to: new Date(now).toISOString() },
        "the clock went back: every job is scheduled again from the current time",
      );
      for (const [kind, schedule] of this.schedules) next.set(kind, schedule.nextAfter(now));
    }
    this.lastStepAt = now;
  }

  private async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.cycles += 1;
    this.sleeping = true;
    const ready = this.idleWaiters.filter((waiter) => this.cycles > waiter.after);
    this.idleWaiters = this.idleWaiters.filter((waiter) => this.cycles <= waiter.after);
    for (const waiter of ready) waiter.resolve();
    await this.context.clock.sleep(Math.max(0, ms), signal);
    this.sleeping = false;
  }

  /** Logs the start with the schedules, and warns about alerts that cannot go out. */
  private announce(): void {
    const { logger, channels, config, env } = this.context;
    logger.info({ jobs: this.describeSchedules(), channels }, "monitor started");
    warnBareProbeHelos(config, logger);
    warnLiftProgressWithoutFailures(this.context.store, logger);
    if (channels.length === 0) {
      logger.warn("no alert channel configured: state changes are only recorded in the history");
    }
    const passwordEnv = config.alerts.email?.passwordEnv;
    if (passwordEnv !== undefined && (env[passwordEnv] ?? "") === "") {
      logger.warn({ variable: passwordEnv }, "the SMTP password variable is unset or empty");
    }
    const dqsKeyEnv = config.blocklists.spamhausDqsKeyEnv;
    if (dqsKeyEnv !== undefined && (env[dqsKeyEnv] ?? "") === "") {
      logger.warn(
        { variable: dqsKeyEnv },
        "the Spamhaus DQS key variable is unset or empty: Spamhaus lists are asked without the key",
      );
    }
  }

  private describeSchedules(): Record<string, string> {
    return Object.fromEntries(
      [...this.schedules].map(([kind, schedule]) => [kind, schedule.pattern]),
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function configuredSenders(
  config: MonitorConfig,
  env: Readonly<Record<string, string | undefined>>,
): AlertSender[] {
  const senders: AlertSender[] = [];
  if (config.alerts.webhook !== undefined) senders.push(webhookSender(config.alerts.webhook));
  if (config.alerts.email !== undefined) senders.push(emailSender(config.alerts.email, env));
  return senders;
}
