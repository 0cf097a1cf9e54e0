import type { Db } from "./database.js";
import { parseJson } from "./rows.js";

/** One probe as stored: the columns that queries use, and the whole result as JSON. */
export interface ProbeEntry {
  /** The rate-limit key: the receiver and the source address, see `probeTarget`. */
  readonly target: string;
  readonly recipient: string;
  readonly sender: string;
  readonly provider: string;
  /** The sending IP the probe stands for, or null when unknown. */
  readonly ip: string | null;
  readonly mxHost: string | null;
  readonly mxAddress: string | null;
  readonly mxPort: number | null;
  readonly status: string;
  readonly detail: string;
  readonly forced: boolean;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly result: object;
}

/** A stored probe with its id. */
export interface StoredProbe extends ProbeEntry {
  readonly id: number;
  readonly runId: number;
}

interface ProbeRow {
  id: number;
  run_id: number;
  target: string;
  recipient: string;
  sender: string;
  provider: string;
  ip: string | null;
  mx_host: string | null;
  mx_address: string | null;
  mx_port: number | null;
  status: string;
  detail: string;
  forced: number;
  started_at: number;
  finished_at: number;
  result_json: string;
}

/** The probes made, for the rate limit and for `delist removal status`. */
export class ProbeRepository {
  constructor(private readonly db: Db) {}

  /** Stores a probe and returns its id. */
  add(runId: number, probe: ProbeEntry): number {
    const result = this.db
      .prepare(
        `INSERT INTO probes (run_id, target, recipient, sender, provider, ip, mx_host, mx_address,
           mx_port, status, detail, forced, started_at, finished_at, result_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        probe.target,
        probe.recipient,
        probe.sender,
        probe.provider,
        probe.ip,
        probe.mxHost,
        probe.mxAddress,
        probe.mxPort,
        probe.status,
        probe.detail,
        probe.forced ? 1 : 0,
        probe.startedAt,
        probe.finishedAt,
        JSON.stringify(probe.result),
      );
    return Number(result.lastInsertRowid);
  }

  /** Returns the most recent probe of a rate-limit target, or null. */
  lastOfTarget(target: string): StoredProbe | null {
    const row = this.db
      .prepare("SELECT * FROM probes WHERE target = ? ORDER BY started_at DESC, id DESC LIMIT 1")
      .get(target) as ProbeRow | undefined;
    return row === undefined ? null : toProbe(row);
  }

  /**
   * Returns the most recent probe of a rate-limit target that got the receiver's greeting, or
   * null. The greeting is the `banner` of the stored result, which every stored version has.
   */
  lastGreetedOfTarget(target: string): StoredProbe | null {
    const row = this.db
      .prepare(
        `SELECT * FROM probes WHERE target = ? AND json_extract(result_json, '$.banner') IS NOT NULL
         ORDER BY started_at DESC, id DESC LIMIT 1`,
      )
      .get(target) as ProbeRow | undefined;
    return row === undefined ? null : toProbe(row);
  }

  /** Returns the most recent probe for a provider and sending IP, or null. */
  lastFor(provider: string, ip: string): StoredProbe | null {
    const row = this.db
      .prepare(
        "SELECT * FROM probes WHERE provider = ? AND ip = ? ORDER BY started_at DESC, id DESC LIMIT 1",
      )
      .get(provider, ip) as ProbeRow | undefined;
    return row === undefined ? null : toProbe(row);
  }

  /**
   * Returns the most recent probe for a provider and sending IP whose status is a block
   * (`blocked` or `rate-limited`), or null.
   */
  lastBlockFor(provider: string, ip: string): StoredProbe | null {
    const row = this.db
      .prepare(
        `SELECT * FROM probes WHERE provider = ? AND ip = ? AND status IN ('blocked', 'rate-limited')
         ORDER BY finished_at DESC, id DESC LIMIT 1`,
      )
      .get(provider, ip) as ProbeRow | undefined;
    return row === undefined ? null : toProbe(row);
  }
}

function toProbe(row: ProbeRow): StoredProbe {
  return {
    id: row.id,
    runId: row.run_id,
    target: row.target,
    recipient: row.recipient,
    sender: row.sender,
    provider: row.provider,
    ip: row.ip,
    mxHost: row.mx_host,
    mxAddress: row.mx_address,
    mxPort: row.mx_port,
    status: row.status,
    detail: row.detail,
    forced: row.forced === 1,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    result: parseJson<object>(row.result_json),
  };
}
