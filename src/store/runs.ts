import type { Db } from "./database.js";

/** The kind of work a run did. */
export type RunKind = "probe" | "blocklists" | "dns" | "logs";

/** One blocklist result as stored. */
export interface StoredBlocklistResult {
  readonly target: string;
  readonly list: string;
  readonly status: string;
  readonly meaning: string | null;
  readonly codes: readonly string[];
}

/** One DNS check verdict as stored. */
export interface StoredDnsResult {
  readonly subject: string;
  readonly check: string;
  readonly verdict: string;
  readonly explanation: string;
}

/** One finding as stored. */
export interface StoredFinding {
  readonly id: string;
  readonly severity: string;
  readonly title: string;
  readonly evidence: object;
}

/** Runs and their results: findings, blocklist results, DNS verdicts. */
export class RunRepository {
  constructor(private readonly db: Db) {}

  /** Records the start of a run and returns its id. */
  start(kind: RunKind, at: number, detail: object = {}): number {
    const result = this.db
      .prepare("INSERT INTO runs (kind, started_at, detail_json) VALUES (?, ?, ?)")
      .run(kind, at, JSON.stringify(detail));
    return Number(result.lastInsertRowid);
  }

  /** Records the end of a run: `ok`, `problems` (something is wrong) or `error`. */
  finish(id: number, at: number, outcome: "ok" | "problems" | "error"): void {
    this.db
      .prepare("UPDATE runs SET finished_at = ?, outcome = ? WHERE id = ?")
      .run(at, outcome, id);
  }

  /** Stores the findings of a run. */
  addFindings(runId: number, findings: readonly StoredFinding[]): void {
    const insert = this.db.prepare(
      "INSERT INTO findings (run_id, finding_id, severity, title, evidence_json) VALUES (?, ?, ?, ?, ?)",
    );
    for (const finding of findings) {
      insert.run(
        runId,
        finding.id,
        finding.severity,
        finding.title,
        JSON.stringify(finding.evidence),
      );
    }
  }

  /** Stores the blocklist results of a run. */
  addBlocklistResults(runId: number, results: readonly StoredBlocklistResult[]): void {
    const insert = this.db.prepare(
      "INSERT INTO blocklist_results (run_id, target, list, status, meaning, codes_json) VALUES (?, ?, ?, ?, ?, ?)",
    );
    for (const r of results) {
      insert.run(runId, r.target, r.list, r.status, r.meaning, JSON.stringify(r.codes));
    }
  }

  /** Stores the DNS check verdicts of a run. */
  addDnsResults(runId: number, results: readonly StoredDnsResult[]): void {
    const insert = this.db.prepare(
      "INSERT INTO dns_results (run_id, subject, check_name, verdict, explanation) VALUES (?, ?, ?, ?, ?)",
    );
    for (const r of results) insert.run(runId, r.subject, r.check, r.verdict, r.explanation);
  }

  /** Counts the rows of a table by run kind, for tests and `delist history` totals. */
  count(table: "runs" | "findings" | "blocklist_results" | "dns_results" | "probes"): number {
    const row = this.db.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as {
      count: number;
    };
    return row.count;
  }
}
