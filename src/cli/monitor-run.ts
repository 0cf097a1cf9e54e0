import { hostname } from "node:os";
import { resolve as resolvePath } from "node:path";
import process from "node:process";
import {
  createMonitorLogger,
  hasProblems,
  loadMonitorConfig,
  Monitor,
  MonitorConfigError,
  probeHeloProblem,
  probeSourceIpProblems,
  type MonitorConfig,
} from "../monitor/index.js";
import { systemClock } from "../store/clock.js";
import type { HistoryStore } from "../store/history.js";
import { MonitorLock } from "../store/lock.js";
import { withHistoryStore } from "./history-run.js";
import { EXIT_OK, EXIT_PROBLEMS, UsageError, type CliIo } from "./io.js";
import { forJsonLines } from "./safe-output.js";
import type { MonitorCommandOptions } from "./monitor.js";
import { VERSION } from "./version.js";

/** The signals that stop the monitor cleanly. */
const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** Runs `delist monitor` until it is stopped, or once with `--once`; returns the exit status. */
export async function runMonitor(options: MonitorCommandOptions, io: CliIo): Promise<number> {
  const config = await readConfig(resolvePath(io.cwd, options.config));
  // The monitor's standard error carries JSON log lines, so it logs a new database itself.
  return withHistoryStore(
    options,
    io,
    "write",
    async (store) => {
      const lock = MonitorLock.acquire(store.path);
      try {
        return await runWithStore(config, store, options, io);
      } finally {
        lock.release();
      }
    },
    false,
  );
}

async function runWithStore(
  config: MonitorConfig,
  store: HistoryStore,
  options: MonitorCommandOptions,
  io: CliIo,
): Promise<number> {
  const logger = createMonitorLogger(forJsonLines(io.stderr), systemClock, options.logLevel);
  const monitor = new Monitor({
    config,
    store,
    clock: systemClock,
    logger,
    env: io.env,
    cwd: io.cwd,
    version: VERSION,
  });
  if (store.created) logger.info({ database: store.path }, "created a new history database");
  if (options.once === true) {
    return hasProblems(await monitor.runOnce()) ? EXIT_PROBLEMS : EXIT_OK;
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

/**
 * Reads the configuration, and rejects it before the history database is opened when a probe
 * would send this machine's bare host name in EHLO, or has a `sourceIp` that is not an address
 * of this host.
 */
async function readConfig(path: string): Promise<MonitorConfig> {
  let config: MonitorConfig;
  try {
    config = await loadMonitorConfig(path);
  } catch (error) {
    if (error instanceof MonitorConfigError) throw new UsageError(error.message);
    throw error;
  }
  const heloProblem = probeHeloProblem(config, hostname());
  const problems = [
    ...(heloProblem === null ? [] : [heloProblem]),
    ...(await probeSourceIpProblems(config)),
  ];
  if (problems.length > 0) {
    throw new UsageError(`invalid monitor configuration ${path}:\n  ${problems.join("\n  ")}`);
  }
  return config;
}
