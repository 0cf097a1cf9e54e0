import type { DnsContext } from "../dns/context.js";
import { findTxtRecord } from "./txt-record.js";
import {
  notChecked,
  notCheckedText,
  dnsProblem,
  problem,
  verdictOf,
  type CheckResult,
  type Problem,
} from "./types.js";

export type TlsRptCheck = CheckResult<{
  readonly domain: string;
  readonly record: string | null;
  readonly rua: readonly string[];
}>;

/**
 * Checks the SMTP TLS reporting record `_smtp._tls.<domain>` (RFC 8460, section 3): `v=TLSRPTv1`
 * first and `rua=` with `mailto:` or `https:` addresses. The record is optional, so its absence
 * is only a note.
 */
export async function checkTlsRpt(domain: string, dns: DnsContext): Promise<TlsRptCheck> {
  const name = `_smtp._tls.${domain}`;
  const evidence = { domain, record: null, rua: [] };
  const found = await findTxtRecord(dns, name, (text) => /^v=TLSRPTv1\s*(;|$)/i.test(text));

  switch (found.kind) {
    case "unanswered":
      return notChecked(evidence, notCheckedText(found.failure));
    case "error":
      return finish(evidence, [dnsProblem("tls-rpt-dns-error", found.failure)]);
    case "none":
      return finish(evidence, [
        problem(
          "tls-rpt-none",
          "info",
          `${domain} publishes no TLS-RPT record (optional; it brings reports of failed TLS to your MX).`,
        ),
      ]);
    case "multiple":
      return finish(evidence, [
        problem(
          "tls-rpt-multiple",
          "error",
          `${name} has ${found.records.length} TLSRPTv1 records, so senders send no reports.`,
          "Keep one record.",
        ),
      ]);
    case "one": {
      const ruaText = /(?:^|;)\s*rua\s*=\s*([^;]*)/i.exec(found.record)?.[1] ?? "";
      const rua = ruaText
        .split(",")
        .map((uri) => uri.trim())
        .filter((uri) => uri !== "");
      return finish({ domain, record: found.record, rua }, ruaProblems(domain, found.record, rua));
    }
  }
}

function ruaProblems(domain: string, record: string, rua: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  if (rua.length === 0) {
    problems.push(
      problem(
        "tls-rpt-syntax",
        "error",
        `The TLS-RPT record "${record}" has no rua= address.`,
        `Add "rua=mailto:tls-reports@${domain}".`,
      ),
    );
  }
  for (const uri of rua.filter((u) => !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/i.test(u))) {
    problems.push(
      problem(
        "tls-rpt-syntax",
        "error",
        `"${uri}" is neither a mailto: nor an https: address.`,
        "Use mailto:address@domain or an https:// URL.",
      ),
    );
  }
  return problems;
}

function finish(evidence: TlsRptCheck["evidence"], problems: Problem[]): TlsRptCheck {
  const explanation =
    evidence.record === null
      ? `${evidence.domain} publishes no TLS-RPT record.`
      : `TLS reports for ${evidence.domain} go to ${evidence.rua.join(", ") || "no address"}.`;
  return { verdict: verdictOf(problems), explanation, evidence, problems };
}
