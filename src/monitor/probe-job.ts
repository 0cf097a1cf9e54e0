import { tallyLookups, type LookupTally } from "../dns/tally.js";
import {
  checkProbeRate,
  parseMxOverride,
  probeTarget,
  recordProbe,
  runProbe,
  type ProbeResult,
  type RecordedProbe,
} from "../probe/index.js";
import { createReplyClassifier } from "../reply/classify.js";
import type { ProbeConfig } from "./config.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";
import { probeHelo } from "./probe-helo.js";
import { describeCauses, unansweredQueries, type JobOutcome } from "./unanswered.js";

/**
 * Runs every configured probe that the rate limit allows, and records each one with the block
 * state it shows. A probe refused by the rate limit is skipped and logged, never forced: the
 * rate limit protects the sender's reputation from a schedule set too tight. When the monitor
 * stops, the probe in progress ends at once and is recorded as an `error` (it counts against
 * the rate limit once the receiver greeted it), and the remaining probes are not started.
 * Returns `incomplete` when a probe reached no mail host (see `reachedNoHost`).
 */
export async function runProbeJob(context: JobContext): Promise<JobOutcome> {
  let outcome: JobOutcome = "complete";
  for (const probe of context.config.probes) {
    if (context.signal.aborted) return outcome;
    const reached = await runOneProbe(context, probe);
    if (!reached) outcome = "incomplete";
  }
  return outcome;
}

/** Runs one probe; returns false when it reached no mail host, after warning about it. */
async function runOneProbe(context: JobContext, probe: ProbeConfig): Promise<boolean> {
  const { store, clock, logger } = context;
  const mx = probe.mx === undefined ? null : parseMxOverride(probe.mx);
  const target = probeTarget(probe.to, probe.sourceIp ?? null, mx);
  const permission = checkProbeRate(store, target, clock.now(), probe.minIntervalMinutes * 60_000);
  if (!permission.allowed) {
    logger.info(
      {
        target,
        lastAt: new Date(permission.lastAt).toISOString(),
        nextAllowedAt: new Date(permission.nextAllowedAt).toISOString(),
      },
      "probe skipped: rate limit",
    );
    return true;
  }
  const { dns, tally } = tallyLookups(context.createDns());
  let result: ProbeResult;
  try {
    result = await runProbe(
      {
        recipient: probe.to,
        sender: probe.from,
        helo: probeHelo(probe, context.config, context.hostName),
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
  } finally {
    await dns.close();
  }
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
  // A probe cut short by the monitor's stop shows nothing about the receiver.
  if (context.signal.aborted) return true;
  if (!reachedNoHost(result)) {
    if (context.repeats.clear(`probe:${target}`)) {
      logger.info({ target, mxHost: result.mx?.host ?? null }, "probe reached a mail host again");
    }
    return true;
  }
  reportUnreached(context, { target, override: mx }, result, recorded, tally());
  return false;
}

/**
 * True when the probe got no SMTP reply from any mail host: the MX look-up failed, no host had
 * an address, every connection was refused or timed out, or the one host connected to sent no
 * greeting. A reply of any kind, a block included, is a result of the probe.
 */
function reachedNoHost(result: ProbeResult): boolean {
  return result.status === "error" && result.replies.length === 0;
}

/**
 * Warns that a probe reached no mail host, with the target, the hosts tried and the cause. The
 * same warning again is logged at most once per REPEAT_LOG_INTERVAL_MS.
 */
function reportUnreached(
  context: JobContext,
  probe: { readonly target: string; readonly override: { readonly host: string } | null },
  result: ProbeResult,
  recorded: RecordedProbe,
  lookups: LookupTally,
): void {
  const { target } = probe;
  const mxHosts = triedHosts(result, probe.override);
  const failures = unansweredQueries(lookups);
  const queries = failures.map((query) => `${query.type} ${query.name}`);
  const dnsCause =
    queries.length === 0
      ? ""
      : ` DNS got no answer to ${queries.join(", ")} (${describeCauses(failures)}).`;
  const message =
    `no probe of ${target} could be made: ${result.detail}${dnsCause} ` +
    "The block state keeps its last recorded value.";
  warnUnlessRepeated(context, `probe:${target}`, message, {
    job: "probes",
    target,
    recipient: result.recipient,
    mxHosts,
    cause: result.detail,
    ...(queries.length === 0 ? {} : { unansweredQueries: queries }),
    probeId: recorded.probeId,
    runId: recorded.runId,
  });
}

/**
 * Lists the mail hosts the probe tried as `host [address]`, with the port for the host it
 * connected to. A host without an address is listed by name, and so is an `mx` override whose
 * look-up found no address.
 */
function triedHosts(result: ProbeResult, override: { readonly host: string } | null): string[] {
  const hosts = result.failedHosts.map((failed) =>
    failed.address === "" ? failed.host : `${failed.host} [${failed.address}]`,
  );
  if (result.mx !== null) hosts.push(`${result.mx.host} [${result.mx.address}]:${result.mx.port}`);
  if (hosts.length === 0 && override !== null) hosts.push(override.host);
  return hosts;
}
