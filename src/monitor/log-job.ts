import { open } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { isGzipMagic } from "../input/compression.js";
import { followLog, type FollowResult, type FollowSink } from "../logs/follow.js";
import { resolveTimeZone } from "../time/zone.js";
import { isBad } from "../store/changes.js";
import { DAY_MS } from "../store/clock.js";
import { FAILURE_RUN_MAX_AGE_MS } from "../store/failure-runs.js";
import type { Observation } from "../store/types.js";
import { logObservations } from "./block-observations.js";
import { observeAll, warnUnlessRepeated, type JobContext } from "./context.js";
import {
  ADDRESS_FAMILIES,
  dualStackPair,
  type AddressFamily,
  type ProviderEvidence,
} from "./log-families.js";
import { LogWindow, type LogWindowResult } from "./log-window.js";
import { connectionObservations, type FailureRunCarry } from "./outages.js";
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
    const read = await checkLog(context, resolvePath(cwd, configured.path), configured.ip);
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
async function checkLog(context: JobContext, path: string, logIp: string | null): Promise<boolean> {
  const { store, clock, logger, config } = context;
  const startedAt = clock.now();
  const pair = logIp === null ? dualStackPair(config.ips) : null;
  const window = new LogWindow(resolveTimeZone(config.timeZone), { splitFamilies: pair !== null });
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
        ? "log file not found"
        : "log path is not a regular file (a directory or a device): not read";
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
  const { runId, changes } = store.transaction(() => {
    if (followed.position !== null) store.positions.save(path, followed.position, at);
    if (analysed === null) return { runId: null, changes: 0 };
    const { diagnosis } = analysed;
    const runId = store.runs.start("logs", startedAt, { path, files: followed.files });
    store.runs.addFindings(
      runId,
      diagnosis.findings.filter((f) => f.id !== "healthy"),
    );
    const observations = windowObservations(context, path, analysed, logIp, pair, runId, at);
    const changes = observeAll(context, observations);
    store.runs.finish(runId, at, diagnosis.verdict.status === "ok" ? "ok" : "problems");
    return { runId, changes };
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
 * its family's relays.
 */
function windowObservations(
  context: JobContext,
  path: string,
  analysed: LogWindowResult,
  logIp: string | null,
  pair: Record<AddressFamily, string> | null,
  runId: number,
  at: number,
): Observation[] {
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
        }),
      ),
      ...connectionObservations(evidence, { path, ip: null }, runId, at, carry),
    ];
  }
  const ips = context.config.ips;
  const sourceIp = logIp ?? (ips.length === 1 ? (ips[0] ?? null) : null);
  if (sourceIp === null) reportUnliftedAcceptances(context, path, evidence);
  return [
    ...logObservations(evidence, sourceIp, runId, at, {
      store: context.store,
      acceptances: analysed.acceptances,
      family: null,
    }),
    ...connectionObservations(evidence, { path, ip: sourceIp }, runId, at, carry),
  ];
}

/**
 * Logs, at most once an hour for each log, that acceptances in it lifted no open block,
 * because the configured IPs do not tell which one the mail left from.
 */
function reportUnliftedAcceptances(
  context: JobContext,
  path: string,
  evidence: ProviderEvidence,
): void {
  const accepted = Object.entries(evidence.providers)
    .filter(([provider, verdict]) => provider !== "other" && verdict.status === "ok")
    .filter(([, verdict]) => verdict.sent > 0)
    .map(([provider]) => provider);
  if (accepted.length === 0) return;
  // Keys of block states have blockKey's form `block:PROVIDER:IP`.
  const blocked = context.store.states
    .list()
    .filter((state) => state.kind === "block" && isBad(state.kind, state.value));
  const providers = accepted.filter((provider) =>
    blocked.some((state) => state.key.startsWith(`block:${provider}:`)),
  );
  if (providers.length === 0) return;
  const message =
    context.config.ips.length === 0
      ? "acceptances in this log lift no block because no sending IP is configured"
      : "acceptances in this log lift no block because two or more configured ips share an address family, so the log does not show which one sent the mail";
  warnUnlessRepeated(context, `lift:${path}`, message, {
    path,
    providers,
    ips: context.config.ips,
    fix: 'declare the sending IP of the log as {"path": "…", "ip": "…"} in logs',
  });
}
