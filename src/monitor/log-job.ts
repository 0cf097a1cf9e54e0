import { resolve as resolvePath } from "node:path";
import type { Diagnosis, ProviderVerdict } from "../diagnose/types.js";
import { followLog } from "../logs/follow.js";
import { resolveTimeZone } from "../time/zone.js";
import { blockKey, type Observation } from "../store/types.js";
import { observeAll, type JobContext } from "./context.js";
import { LogWindow } from "./log-window.js";

/**
 * Reads what the configured logs gained since the last check (across rotation and gzip'd
 * archives), analyses it as `delist diagnose` does, and records each named provider's
 * treatment of the sending IP as a block state. The read position is saved in the same
 * transaction as the results, so a crash before the commit reads the same lines again.
 */
export async function runLogJob(context: JobContext, cwd: string): Promise<void> {
  for (const configured of context.config.logs) {
    await checkLog(context, resolvePath(cwd, configured));
  }
}

async function checkLog(context: JobContext, path: string): Promise<void> {
  const { store, clock, logger, config } = context;
  const startedAt = clock.now();
  const window = new LogWindow(resolveTimeZone(config.timeZone));
  const saved = store.positions.get(path);
  const followed = await followLog(path, saved, window.add.bind(window), {
    fromStart: config.logsFromStart,
  });
  if (followed.event === "missing") {
    logger.warn({ path }, "log file not found");
    return;
  }
  if (followed.event === "lost") {
    logger.warn(
      { path },
      "log was rotated and its old copy not found: lines written since the last check may be missing",
    );
  }
  const at = clock.now();
  const diagnosis = followed.bytes > 0 ? window.finish(at, context.version) : null;
  const { runId, changes } = store.transaction(() => {
    if (followed.position !== null) store.positions.save(path, followed.position, at);
    if (diagnosis === null) return { runId: null, changes: 0 };
    const runId = store.runs.start("logs", startedAt, { path, files: followed.files });
    store.runs.addFindings(
      runId,
      diagnosis.findings.filter((f) => f.id !== "healthy"),
    );
    const changes = observeAll(context, logObservations(diagnosis, config.ips, runId, at));
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
}

/**
 * Turns the providers' verdicts into block observations. The IP is the one the receiver
 * named in its last block reply, else the only configured IP. A provider that accepted mail
 * without a block in the window is observed as `ok` for the only configured IP.
 */
export function logObservations(
  diagnosis: Diagnosis,
  ips: readonly string[],
  runId: number,
  at: number,
): Observation[] {
  const onlyIp = ips.length === 1 ? (ips[0] ?? null) : null;
  const observations: Observation[] = [];
  for (const [provider, verdict] of Object.entries(diagnosis.providers)) {
    if (verdict === undefined || provider === "other") continue;
    const blocked = verdict.status !== "ok";
    // NOTE: with several configured IPs, an acceptance cannot be tied to one of them, so only
    // blocks are recorded and a block seen in the logs lifts through a probe.
    let ip: string | null = null;
    if (blocked) ip = judgedIp(verdict) ?? onlyIp;
    else if (verdict.sent > 0) ip = onlyIp;
    if (ip === null) continue;
    observations.push({
      key: blockKey(provider, ip),
      kind: "block",
      subject: `${provider} ${ip}`,
      value: verdict.status,
      at,
      runId,
      evidence: logEvidence(verdict),
    });
  }
  return observations;
}

function judgedIp(verdict: ProviderVerdict): string | null {
  return verdict.lastBlock?.judgedIp ?? verdict.firstBlock?.judgedIp ?? null;
}

function logEvidence(verdict: ProviderVerdict): object {
  const last = verdict.lastBlock;
  return {
    source: "logs",
    attempts: verdict.attempts,
    sent: verdict.sent,
    blockedAttempts: verdict.blockedAttempts,
    codes: verdict.codes,
    reply:
      last === null
        ? null
        : {
            time: last.time,
            text: last.text,
            ruleId: last.ruleId,
            file: last.file,
            line: last.line,
          },
  };
}
