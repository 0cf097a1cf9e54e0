import { hostname } from "node:os";
import {
  checkProbeRate,
  parseMxOverride,
  probeTarget,
  recordProbe,
  runProbe,
} from "../probe/index.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { ProbeConfig } from "./config.js";
import type { JobContext } from "./context.js";

/**
 * Runs every configured probe that the rate limit allows, and records each one with the block
 * state it shows. A probe refused by the rate limit is skipped and logged, never forced: the
 * rate limit protects the sender's reputation from a schedule set too tight. When the monitor
 * stops, the probe in progress ends at once and is recorded as an `error` (it counts against
 * the rate limit once the receiver greeted it), and the remaining probes are not started.
 */
export async function runProbeJob(context: JobContext): Promise<void> {
  for (const probe of context.config.probes) {
    if (context.signal.aborted) return;
    await runOneProbe(context, probe);
  }
}

async function runOneProbe(context: JobContext, probe: ProbeConfig): Promise<void> {
  const { store, clock, logger } = context;
  const mx = probe.mx === undefined ? null : parseMxOverride(probe.mx);
  const target = probeTarget(probe.to, probe.sourceIp ?? null, mx);
  const permission = checkProbeRate(store, target, clock.now(), probe.minIntervalMinutes * 60_000);
  if (!permission.allowed) {
    logger.info(
      { target, lastAt: permission.lastAt, nextAllowedAt: permission.nextAllowedAt },
      "probe skipped: rate limit",
    );
    return;
  }
  const dns = context.createDns();
  try {
    const result = await runProbe(
      {
        recipient: probe.to,
        sender: probe.from,
        helo: probe.helo ?? context.config.helo ?? hostname(),
        mx,
        sourceIp: probe.sourceIp ?? null,
        sendTest: false,
        timeoutMs: probe.timeoutMs,
      },
      {
        dns,
        classifier: createReplyClassifier(),
        now: () => clock.now(),
        signal: context.signal,
      },
    );
    const recorded = recordProbe(store, result, {
      target,
      forced: false,
      channels: context.channels,
    });
    logger.info(
      {
        probeId: recorded.probeId,
        runId: recorded.runId,
        target,
        ip: recorded.ip,
        status: result.status,
        change: recorded.change?.change ?? null,
        incidentId: recorded.change?.incidentId ?? null,
      },
      `probe ${result.status}`,
    );
  } finally {
    await dns.close();
  }
}
