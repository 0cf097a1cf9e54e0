import type { Db } from "./database.js";

/** The rows that one prune deleted, by table. */
export interface PrunedRows {
  readonly findings: number;
  readonly blocklistResults: number;
  readonly dnsResults: number;
  readonly probes: number;
  readonly runs: number;
}

/**
 * Deletes the run details older than `before` (ms since the epoch): findings, blocklist and DNS
 * results, probes, and the runs left without them. A log check every minute writes a run and
 * its findings each time, which over months would fill the disk.
 *
 * States, state changes, incidents, removal requests and alerts make up the history and are
 * kept whatever their age. So are the runs that state changes point to, and the last probe of
 * each target and of each provider and IP, which the probe rate limit and `delist removal
 * status` read.
 * SQLite reuses the freed pages, so the file stops growing but does not shrink.
 */
export function pruneHistory(db: Db, before: number): PrunedRows {
  const oldRuns = "SELECT id FROM runs WHERE started_at < ?";
  const deleteFrom = (table: string): number =>
    db.prepare(`DELETE FROM ${table} WHERE run_id IN (${oldRuns})`).run(before).changes;
  const findings = deleteFrom("findings");
  const blocklistResults = deleteFrom("blocklist_results");
  const dnsResults = deleteFrom("dns_results");
  const probes = db
    .prepare(
      `DELETE FROM probes WHERE started_at < ?
         AND id NOT IN (SELECT MAX(id) FROM probes GROUP BY target)
         AND id NOT IN (SELECT MAX(id) FROM probes WHERE ip IS NOT NULL GROUP BY provider, ip)`,
    )
    .run(before).changes;
  const runs = db
    .prepare(
      `DELETE FROM runs WHERE started_at < ?
         AND id NOT IN (SELECT run_id FROM state_changes WHERE run_id IS NOT NULL)
         AND id NOT IN (SELECT run_id FROM probes)`,
    )
    .run(before).changes;
  return { findings, blocklistResults, dnsResults, probes, runs };
}
