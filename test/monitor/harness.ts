import net from "node:net";
import { PassThrough } from "node:stream";
import { createMonitorLogger, Monitor, parseMonitorConfig } from "../../src/monitor/index.js";
import type { HistoryStore } from "../../src/store/index.js";
import type { FakeClock } from "../helpers/clock.js";
import type { BeforeSendHook } from "../../src/monitor/index.js";
import type { DnsContext } from "../../src/dns/context.js";

/** A cron pattern that does not come round during a test: midnight on 1 January. */
export const NEVER = "0 0 1 1 *";

/** The monitor's JSON log lines, parsed. */
export type LogLines = Array<Record<string, unknown>>;

/** Builds a monitor on a fake clock whose pino lines are collected in `logs`. */
export function testMonitor(options: {
  config: unknown;
  store: HistoryStore;
  clock: FakeClock;
  beforeSend?: BeforeSendHook;
  createDns?: () => DnsContext;
  cwd?: string;
  /** Default: a fully qualified name, so that probes without helo in the config can run. */
  hostName?: string;
}): { monitor: Monitor; logs: LogLines } {
  const logs: LogLines = [];
  const stream = new PassThrough();
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const monitor = new Monitor({
    config: parseMonitorConfig(options.config, "test config"),
    store: options.store,
    clock: options.clock,
    logger: createMonitorLogger(stream, options.clock),
    env: {},
    cwd: options.cwd ?? process.cwd(),
    version: "test",
    hostName: options.hostName ?? "monitor.example.com",
    ...(options.beforeSend === undefined ? {} : { beforeSend: options.beforeSend }),
    ...(options.createDns === undefined ? {} : { createDns: options.createDns }),
  });
  return { monitor, logs };
}

/**
 * Moves the clock to `target` one wake-up at a time, letting the monitor finish the work of
 * each before the next.
 */
export async function advanceTo(clock: FakeClock, monitor: Monitor, target: number): Promise<void> {
  for (;;) {
    const wake = clock.nextWake();
    if (wake === null || wake > target) {
      clock.set(target);
      return;
    }
    const before = monitor.cycleCount;
    if (clock.set(wake) > 0) await monitor.whenIdle(before);
  }
}

/** Returns a port on 127.0.0.1 that nothing listens on, for a refused connection. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
