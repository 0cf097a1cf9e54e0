import { pino, type Logger } from "pino";
import type { Clock } from "../store/clock.js";

export type { Logger } from "pino";

/**
 * Creates the monitor's structured logger: one JSON object per line on `stream`, stamped with
 * the monitor's clock. Header values and passwords are redacted in case a caller logs a config
 * object, although the monitor itself logs only ids, counts and states.
 */
export function createMonitorLogger(
  stream: NodeJS.WritableStream,
  clock: Clock,
  level = "info",
): Logger {
  return pino(
    {
      name: "delist-monitor",
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${new Date(clock.now()).toISOString()}"`,
      redact: ["*.headers", "*.password", "*.pass", "headers", "password"],
    },
    stream as unknown as pino.DestinationStream,
  );
}
