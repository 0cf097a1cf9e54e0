import type { DnsContext } from "../dns/context.js";
import { isVoidFailure, joinTxt } from "../dns/types.js";
import {
  DNS_UNREACHABLE,
  dnsProblem,
  isUnanswered,
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
 * first and `rua=` with `mailto:` or `https:` addresses. It is optional, so its absence is a note.
 */
export async function checkTlsRpt(domain: string, dns: DnsContext): Promise<TlsRptCheck> {
  const name = `_smtp._tls.${domain}`;
  const evidence = { domain, record: null, rua: [] };
  const answer = await dns.lookup(name, "TXT");
  if (!answer.ok && isUnanswered(answer))
    return { verdict: "not-checked", explanation: DNS_UNREACHABLE, evidence, problems: [] };
  if (!answer.ok && !isVoidFailure(answer.kind))
    return finish(evidence, [dnsProblem("tls-rpt-dns-error", answer)]);
  const records = answer.ok
    ? answer.records.map(joinTxt).filter((t) => /^v=TLSRPTv1\s*(;|$)/i.test(t))
    : [];
  if (records.length === 0) {
    return finish(evidence, [
      problem(
        "tls-rpt-none",
        "info",
        `${domain} publishes no TLS-RPT record (optional; it brings reports of failed TLS to your MX).`,
        null,
      ),
    ]);
  }
  if (records.length > 1)
    return finish(evidence, [
      problem(
        "tls-rpt-multiple",
        "error",
        `${name} has ${records.length} TLSRPTv1 records; senders then send no reports.`,
        "Keep one record.",
      ),
    ]);
  const record = records[0] as string;
  const ruaText = /(?:^|;)\s*rua\s*=\s*([^;]*)/i.exec(record)?.[1] ?? "";
  const rua = ruaText
    .split(",")
    .map((uri) => uri.trim())
    .filter((uri) => uri !== "");
  const problems: Problem[] = [];
  if (rua.length === 0)
    problems.push(
      problem(
        "tls-rpt-syntax",
        "error",
        `The TLS-RPT record "${record}" has no rua= address.`,
        `Add "rua=mailto:tls-reports@${domain}".`,
      ),
    );
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
  return finish({ domain, record, rua }, problems);
}

function finish(evidence: TlsRptCheck["evidence"], problems: Problem[]): TlsRptCheck {
  return {
    verdict: verdictOf(problems),
    explanation:
      evidence.record === null
        ? `${evidence.domain} publishes no TLS-RPT record.`
        : `TLS reports for ${evidence.domain} go to ${evidence.rua.join(", ") || "no address"}.`,
    evidence,
    problems,
  };
}
