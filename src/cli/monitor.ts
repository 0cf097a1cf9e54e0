import { resolve as resolvePath } from "node:path";
import process from "node:process";
import { Option, type Command } from "commander";
import {
  createMonitorLogger,
  loadMonitorConfig,
  Monitor,
  MonitorConfigError,
  type MonitorConfig,
} from "../monitor/index.js";
import { systemClock } from "../store/clock.js";
import type { HistoryStore } from "../store/history.js";
import { MonitorLock } from "../store/lock.js";
import type { SetExitCode } from "./commands.js";
import { addDbOption, withHistoryStore, type DbOptions } from "./history.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type CliIo } from "./io.js";
import { VERSION } from "./version.js";

interface MonitorCommandOptions extends DbOptions {
  readonly config: string;
  readonly once?: boolean;
  readonly logLevel: string;
}

/** The signals that stop the monitor cleanly. */
const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** Adds `delist monitor --config FILE`: scheduled checks, history and alerts. */
export function registerMonitor(program: Command, io: CliIo, setExitCode: SetExitCode): void {
  const command = program
    .command("monitor")
    .summary("watch blocklists, DNS, probes and mail logs on a schedule and alert on changes")
    .description(
      "Run until stopped (SIGTERM or SIGINT): check the blocklists, DNS and probes of the " +
        "configured IPs and domains on their cron schedules, follow the mail logs, record every " +
        "result in the history, and send one alert per state change (newly listed, delisted, " +
        "block seen, block lifted, DNS record broken) by webhook and e-mail, also after a " +
        "restart. Logs are JSON lines on standard error. One monitor at a time can use a history " +
        "database. Exit status: 0 after a clean stop, 2 for an invalid configuration or a " +
        "database that is in use or unusable; with --once, 0 when every check ran and no " +
        "incident is open, 1 when one is open or a check failed.",
    )
    .requiredOption("--config <file>", "the JSON configuration file")
    .option("--once", "run every check once, send the alerts and exit")
    .addOption(
      new Option("--log-level <level>", "the lowest level logged")
        .choices(["debug", "info", "warn", "error"])
        .default("info"),
    );
  addDbOption(command).action(async (options: MonitorCommandOptions) => {
    setExitCode(await runMonitor(options, io));
  });
}

async function runMonitor(options: MonitorCommandOptions, io: CliIo): Promise<number> {
  const config = await readConfig(resolvePath(io.cwd, options.config));
  return withHistoryStore(options, io, "write", async (store) => {
    const lock = MonitorLock.acquire(store.path);
    try {
      return await runWithStore(config, store, options, io);
    } finally {
      lock.release();
    }
  });
}

async function runWithStore(
  config: MonitorConfig,
  store: HistoryStore,
  options: MonitorCommandOptions,
  io: CliIo,
): Promise<number> {
  const logger = createMonitorLogger(io.stderr, systemClock, options.logLevel);
  const monitor = new Monitor({
    config,
    store,
    clock: systemClock,
    logger,
    env: io.env,
    cwd: io.cwd,
    version: VERSION,
  });
  if (options.once === true) {
    const failed = await monitor.runOnce();
    const open = store.incidents.incidents().some((incident) => incident.closedAt === null);
    return open || failed.length > 0 ? EXIT_PROBLEMS : EXIT_OK;
  }
  await runUntilSignal(monitor, logger);
  return EXIT_OK;
}

/** Runs the monitor until SIGTERM or SIGINT; the handlers are removed afterwards. */
async function runUntilSignal(
  monitor: Monitor,
  logger: ReturnType<typeof createMonitorLogger>,
): Promise<void> {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, "stop requested");
    controller.abort();
  };
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  try {
    await monitor.run(controller.signal);
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, stop);
  }
}

async function readConfig(path: string): Promise<MonitorConfig> {
  try {
    return await loadMonitorConfig(path);
  } catch (error) {
    if (error instanceof MonitorConfigError) throw new UsageError(error.message);
    throw error;
  }
}
