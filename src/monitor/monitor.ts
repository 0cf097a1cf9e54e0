import type { DnsContext } from "../dns/context.js";
import type { Clock } from "../store/clock.js";
import type { HistoryStore } from "../store/history.js";
import {
  AlertDispatcher,
  emailSender,
  webhookSender,
  type AlertSender,
  type BeforeSendHook,
} from "./alerts.js";
import { runBlocklistJob, runDnsJob } from "./checks.js";
import { JOB_KINDS, type JobKind, type MonitorConfig } from "./config.js";
import { dnsFactory, type JobContext } from "./context.js";
import { runLogJob } from "./log-job.js";
import type { Logger } from "./logger.js";
import { runProbeJob } from "./probe-job.js";
import { Schedule } from "./schedule.js";

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
}

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
  private cycles = 0;
  private sleeping = false;
  private idleWaiters: { after: number; resolve: () => void }[] = [];

  constructor(options: MonitorOptions) {
    const { config, clock, logger } = options;
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
    };
    this.cwd = options.cwd;
    this.schedules = new Map(
      JOB_KINDS.map((kind) => [kind, new Schedule(config.schedules[kind], config.timeZone)]),
    );
  }

  /** Runs until `signal` aborts, then returns after the step in progress has finished. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger } = this.context;
    const next = new Map<JobKind, number>(JOB_KINDS.map((kind) => [kind, clock.now()]));
    this.announce();
    while (!signal.aborted) {
      for (const kind of JOB_KINDS) {
        if (signal.aborted || (next.get(kind) ?? Infinity) > clock.now()) continue;
        await this.runJob(kind);
        next.set(kind, this.schedules.get(kind)?.nextAfter(clock.now()) ?? Infinity);
      }
      if (signal.aborted) break;
      await this.dispatchAlerts();
      const wake = Math.min(
        ...next.values(),
        this.context.store.alerts.nextAttemptAt() ?? Infinity,
      );
      await this.sleep(wake - clock.now(), signal);
    }
    logger.info({ cycles: this.cycles }, "monitor stopped");
  }

  /** Runs every job once and sends the alerts due, as `delist monitor --once` does. */
  async runOnce(): Promise<void> {
    this.announce();
    for (const kind of JOB_KINDS) await this.runJob(kind);
    await this.dispatchAlerts();
  }

  /** Runs one job; a failure is logged and does not stop the monitor. */
  async runJob(kind: JobKind): Promise<void> {
    const { logger } = this.context;
    try {
      if (kind === "blocklists") await runBlocklistJob(this.context);
      else if (kind === "dns") await runDnsJob(this.context);
      else if (kind === "probes") await runProbeJob(this.context);
      else await runLogJob(this.context, this.cwd);
    } catch (error) {
      logger.error(
        { job: kind, err: error instanceof Error ? error.message : String(error) },
        "job failed",
      );
    }
  }

  /** Sends the alerts that are due. */
  async dispatchAlerts(): Promise<void> {
    await this.dispatcher.dispatch();
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
    if (channels.length === 0) {
      logger.warn("no alert channel configured: state changes are only recorded in the history");
    }
    const passwordEnv = config.alerts.email?.passwordEnv;
    if (passwordEnv !== undefined && (env[passwordEnv] ?? "") === "") {
      logger.warn({ variable: passwordEnv }, "the SMTP password variable is unset or empty");
    }
  }

  private describeSchedules(): Record<string, string> {
    return Object.fromEntries(
      [...this.schedules].map(([kind, schedule]) => [kind, schedule.pattern]),
    );
  }
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
