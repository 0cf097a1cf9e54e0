import type { SenderCheckReport } from "../auth/index.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";
import type { JobOutcome } from "./unanswered.js";

/** One watched DNS check of the DNS job: SPF, DKIM, DMARC or MX of a domain, PTR of an IP. */
export interface DnsCheckRow {
  readonly subject: string;
  readonly check: string;
  readonly verdict: string;
  readonly explanation: string;
}

/**
 * Logs a warning for each watched check with the verdict `fail`, and one for each domain that
 * fails only by a check the monitor does not watch (MTA-STS, TLS-RPT, BIMI or a provider's
 * sender requirement). The same failure again is held back through `context.repeats`, so the
 * long-running monitor logs it at most once per REPEAT_LOG_INTERVAL_MS. Returns `failing` when
 * the report's verdict is `fail`.
 */
export function reportFailingDnsChecks(
  context: JobContext,
  report: SenderCheckReport,
  rows: readonly DnsCheckRow[],
): JobOutcome {
  for (const row of rows) {
    const key = `dns-fail:${row.subject}:${row.check}`;
    if (row.verdict !== "fail") {
      context.repeats.clear(key);
      continue;
    }
    warnUnlessRepeated(context, key, `DNS check failed: ${row.subject} ${row.check}`, {
      subject: row.subject,
      check: row.check,
      explanation: row.explanation,
    });
  }

  const failingSubjects = new Set(rows.filter((r) => r.verdict === "fail").map((r) => r.subject));
  for (const domain of report.domains) {
    const key = `dns-fail:${domain.domain}:other`;
    if (domain.verdict !== "fail" || failingSubjects.has(domain.domain)) {
      context.repeats.clear(key);
      continue;
    }
    warnUnlessRepeated(
      context,
      key,
      `DNS check failed: ${domain.domain} fails a check the monitor does not record (MTA-STS, TLS-RPT, BIMI or a provider's sender requirement)`,
      { subject: domain.domain, fix: `run delist check ${domain.domain} to see the failing rows` },
    );
  }
  return report.verdict === "fail" ? "failing" : "complete";
}
