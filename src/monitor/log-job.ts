import { open } from "node:fs/promises";
import { isAbsolute, resolve as resolvePath } from "node:path";
import { isGzipMagic } from "../input/compression.js";
import { followLog, type FollowResult, type FollowSink } from "../logs/follow.js";
import { resolveTimeZone } from "../time/zone.js";
import { isProblemStatus } from "../diagnose/verdict.js";
import { DAY_MS } from "../store/clock.js";
import { FAILURE_RUN_MAX_AGE_MS } from "../store/failure-runs.js";
import type { Observation } from "../store/types.js";
import { logObservations } from "./block-observations.js";
import type { LogConfig, MonitorConfig } from "./config.js";
import { observeAll, warnUnlessRepeated, type JobContext } from "./context.js";
import { ADDRESS_FAMILIES, dualStackPair, type AddressFamily } from "./log-families.js";
import { LogWindow, type LogWindowResult } from "./log-window.js";
import { recordOutboundState, type OutboundVerdict } from "./no-outbound.js";
import { connectionObservations, type FailureRunCarry } from "./outages.js";
import { SourceTies } from "./source-ties.js";
import { reportUnliftableBlocks } from "./unliftable.js";
import type { JobOutcome } from "./unanswered.js";
import { reportUnreachableProviders } from "./unreachable.js";

export { logObservations } from "./block-observations.js";

/**
 * Reads what the configured logs gained since the last check (across rotation and gzip'd
 * archives), analyses it as `delist diagnose` does, and records each named provider's
 * treatment of the sending IP as a block state and whether this server could connect to the
 * provider as a connection state. The read position is saved in the same transaction as the
 * results, so a crash before the commit reads the same lines again.
 * Returns `incomplete` when a configured log could not be read (missing, not a regular file,
 * gzip data, or an error such as a denied permission), because its blocks then went unchecked.
 */
export async function runLogJob(context: JobContext, cwd: string): Promise<JobOutcome> {
  deleteIdleFailureRuns(context);
  let outcome: JobOutcome = "complete";
  for (const configured of context.config.logs) {
    const read = await checkLog(context, resolvePath(cwd, configured.path), configured);
    if (!read) outcome = "incomplete";
  }
  return outcome;
}

/**
 * Deletes the runs of failed connections whose last failure is more than FAILURE_RUN_MAX_AGE_MS
 * before now, such as the run of a provider that this server stopped sending to, and logs
 * their keys. A connection state keeps its value, so an open outage stays open.
 */
function deleteIdleFailureRuns(context: JobContext): void {
  const { store, clock, logger } = context;
  const keys = store.failureRuns.deleteIdle(clock.now() - FAILURE_RUN_MAX_AGE_MS);
  if (keys.length === 0) return;
  const days = FAILURE_RUN_MAX_AGE_MS / DAY_MS;
  logger.info(
    { keys, maxAgeDays: days },
    `deleted the runs of failed connections with no failure for ${days} days`,
  );
}

/**
 * Checks one log. Returns false, after logging why, when it could not be read or when a
 * provider in it could not be reached.
 */
async function checkLog(
  context: JobContext,
  path: string,
  configured: LogConfig,
): Promise<boolean> {
  const { store, clock, logger, config } = context;
  const startedAt = clock.now();
  const logIp = configured.ip;
  const pair = logIp === null ? dualStackPair(config.ips) : null;
  const window = new LogWindow(resolveTimeZone(config.timeZone), {
    splitFamilies: pair !== null,
    trackSources: pair === null && fixedSourceIp(config, logIp) === null,
  });
  const saved = store.positions.get(path);
  // A stop ends the read between two chunks by throwing, before anything is recorded, so a
  // backlog of hours of log does not hold the monitor's shutdown back.
  const sink: FollowSink = (file, modifiedMs, chunk, startFile) => {
    context.signal.throwIfAborted();
    window.add(file, modifiedMs, chunk, startFile);
  };
  // The follower reads gzip only in rotated copies, so a compressed log at the configured path
  // would otherwise count as checked with no line read.
  if (await startsWithGzipMagic(path)) {
    reportUnreadLog(
      context,
      path,
      "log file is gzip data, which the monitor cannot follow: not read. Configure the live, " +
        "uncompressed log, and read compressed archives with delist diagnose FILE",
    );
    return false;
  }
  let followed: FollowResult;
  try {
    followed = await followLog(path, saved, sink, { fromStart: config.logsFromStart });
  } catch (error) {
    if (!isFileSystemError(error)) throw error;
    reportUnreadLog(context, path, `log file could not be read: ${error.message}`);
    return false;
  }
  if (followed.event === "missing" || followed.event === "not-a-file") {
    const message =
      followed.event === "missing"
        ? missingLogMessage(configured.path)
        : "log path is not a regular file (a directory or a device): not read. Set the path " +
          "in logs of the configuration to the log file itself.";
    reportUnreadLog(context, path, message);
    return false;
  }
  if (context.repeats.clear(`log:${path}`)) logger.info({ path }, "log file read again");
  if (followed.event === "lost") {
    logger.warn(
      { path },
      "log was rotated and its old copy not found: lines written since the last check may be missing",
    );
  }
  const at = clock.now();
  const analysed = followed.bytes > 0 ? window.finish(at, context.version) : null;
  const fromStart = saved === null && config.logsFromStart;
  const { runId, changes, outbound } = store.transaction(() => {
    if (followed.position !== null) store.positions.save(path, followed.position, at);
    if (analysed === null) return { runId: null, changes: 0, outbound: "none" as const };
    const { diagnosis } = analysed;
    const runId = store.runs.start("logs", startedAt, { path, files: followed.files });
    store.runs.addFindings(
      runId,
      diagnosis.findings.filter((f) => f.id !== "healthy"),
    );
    const log = { path, ip: logIp, sources: configured.sources };
    const observations = windowObservations(context, log, analysed, pair, runId, at);
    const changes = observeAll(context, observations);
    store.runs.finish(runId, at, isProblemStatus(diagnosis.verdict.status) ? "problems" : "ok");
    const outbound = recordOutboundState(
      store.outboundStates,
      path,
      {
        status: diagnosis.verdict.status,
        firstTime: analysed.firstTime,
        lastTime: analysed.lastTime,
        fromStart,
      },
      at,
    );
    return { runId, changes, outbound };
  });
  logger.info(
    {
      path,
      runId,
      event: followed.event,
      bytes: followed.bytes,
      files: followed.files.length,
      changes,
    },
    "log checked",
  );
  if (analysed === null) return true;
  reportOutboundState(context, path, analysed, outbound);
  return reportUnreachableProviders(context, path, analysed.diagnosis.providers) === "complete";
}

/**
 * Warns that the log at `path` was not read. The same message again is logged at most once per
 * REPEAT_LOG_INTERVAL_MS, because it repeats on every run until the log is fixed.
 */
function reportUnreadLog(context: JobContext, path: string, message: string): void {
  warnUnlessRepeated(context, `log:${path}`, message, { path });
}

/**
 * Warns when `recordOutboundState` found that the log at `path` shows no outbound delivery, as
 * `delist diagnose` does with its `no-outbound-delivery` verdict, because the monitor would
 * follow such a log and never see a block. A log that showed outbound delivery before gets a
 * message of its own, because its mail may have stopped or moved to a relay host. Logs an info
 * line when a log that got the warning shows outbound delivery again.
 *
 * The warning's `firstLineAt` is the first line of the span without outbound delivery, which
 * may come from an earlier read, such as an earlier `--once` run. The info line gives the
 * first line of this read. Both give the last line of this read as `lastLineAt`.
 */
function reportOutboundState(
  context: JobContext,
  path: string,
  analysed: LogWindowResult,
  outbound: OutboundVerdict,
): void {
  if (outbound === "none") return;
  const isoTime = (time: number | null): string | null =>
    time === null ? null : new Date(time).toISOString();
  const lastLineAt = isoTime(analysed.lastTime);
  if (outbound === "outbound-again") {
    context.logger.info(
      { path, firstLineAt: isoTime(analysed.firstTime), lastLineAt },
      "log shows outbound delivery again: the warning about it is cleared",
    );
    return;
  }
  const state = context.store.outboundStates.get(path);
  const fields = {
    path,
    firstLineAt: isoTime(state?.firstLineWithoutAt ?? analysed.firstTime),
    lastLineAt,
  };
  if ((state?.outboundAt ?? null) === null) {
    context.logger.warn(
      fields,
      "log shows no outbound delivery, so it cannot show whether receivers block this server: " +
        "no line in it is a delivery attempt to another server. Check that it is the log of " +
        "the server that sends the mail; when mail leaves through a relay host, follow that " +
        "host's log",
    );
    return;
  }
  context.logger.warn(
    fields,
    "log shows no outbound delivery any more, so it cannot show whether receivers block this " +
      "server: earlier lines show delivery attempts to other servers, but no line from " +
      "firstLineAt on is one. Check that the server still sends its mail (its queue); when " +
      "mail now leaves through a relay host, follow that host's log",
  );
}

/**
 * Returns the warning for a configured log that does not exist, with what to check.
 * `configuredPath` is the path as the configuration gives it, before it is resolved.
 */
function missingLogMessage(configuredPath: string): string {
  const relative = isAbsolute(configuredPath)
    ? ""
    : " (a relative path is resolved against the monitor's working directory)";
  return (
    `log file not found: not read. Check the path in logs of the configuration${relative} ` +
    "and that the mail server writes its log there."
  );
}

/**
 * True when the file at `path` starts with the gzip magic bytes. A file that cannot be opened
 * gives false, so that the follower reports why.
 */
async function startsWithGzipMagic(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch {
    return false;
  }
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && isGzipMagic(head);
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** True for an error of a file system call (it has Node's string `code` and `syscall`). */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  if (!(error instanceof Error)) return false;
  const { code, syscall } = error as NodeJS.ErrnoException;
  return typeof code === "string" && typeof syscall === "string";
}

/**
 * Returns the block and connection observations of a log window. A log with a declared IP, or a
 * server with one configured IP, has one sending IP for all its evidence. A server with one IPv4
 * and one IPv6 address (`pair`) gets the blocks of each address observed with the evidence of
 * its family's relays. Otherwise each outgoing source of the log lifts the blocks of the IP it
 * is tied to (see `SourceTies`), and blocks that nothing can lift get a warning.
 */
function windowObservations(
  context: JobContext,
  log: LogConfig,
  analysed: LogWindowResult,
  pair: Record<AddressFamily, string> | null,
  runId: number,
  at: number,
): Observation[] {
  const { path } = log;
  const evidence = { providers: analysed.diagnosis.providers, judgedIps: analysed.judgedIps };
  const carry: FailureRunCarry = {
    runs: context.store.failureRuns,
    providerFacts: analysed.providerFacts,
    timeZone: resolveTimeZone(context.config.timeZone),
  };
  if (pair !== null && analysed.families !== null) {
    const families = analysed.families;
    // A connection that timed out for every MX host names no relay IP, so it belongs to neither
    // family, and the outage is observed for the log as a whole.
    return [
      ...ADDRESS_FAMILIES.flatMap((family) =>
        logObservations(families[family], pair[family], runId, at, {
          store: context.store,
          acceptances: analysed.acceptances,
          family,
          logEnd: analysed.lastTime,
        }),
      ),
      ...connectionObservations(evidence, { path, ip: null }, runId, at, carry),
    ];
  }
  const sourceIp = fixedSourceIp(context.config, log.ip);
  const ties =
    sourceIp === null && analysed.sources !== null
      ? new SourceTies(analysed.sources, log.sources, context.store.liftProgress.listSources())
      : null;
  if (ties !== null) reportUnliftableBlocks(context, path, evidence, ties);
  return [
    ...logObservations(evidence, sourceIp, runId, at, {
      store: context.store,
      acceptances: analysed.acceptances,
      family: null,
      logEnd: analysed.lastTime,
      ...(ties === null ? {} : { sources: ties }),
    }),
    ...connectionObservations(evidence, { path, ip: sourceIp }, runId, at, carry),
  ];
}

/**
 * Returns the IP that all mail of a log leaves from: the IP declared for the log, else the only
 * configured IP, else null.
 */
function fixedSourceIp(config: MonitorConfig, logIp: string | null): string | null {
  const ips = config.ips;
  return logIp ?? (ips.length === 1 ? (ips[0] ?? null) : null);
}
