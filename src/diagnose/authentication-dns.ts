import type { SenderCheckReport } from "../auth/index.js";
import type { MtaName } from "../logs/events.js";
import {
  CHECK_RECORDS_FIX,
  DMARC_RECORD_FIX,
  dkimSigningFix,
  ownDomainFixes,
  spfAndDkimFix,
} from "./findings/authentication.js";
import { listNames } from "./findings/build.js";
import type { Finding } from "./types.js";

/** The fields of the log's `authentication` evidence that the fixes depend on. */
interface AuthenticationEvidence {
  readonly failingDomains?: ReadonlyArray<{ readonly domain: string; readonly own: boolean }>;
  readonly onlyForwardedMail?: boolean;
  readonly last?: string;
}

/** How many failing domains the fixes name, as in the log's own finding. */
const MAX_DOMAINS = 5;

/**
 * Rewrites the fixes of the log's `authentication` finding with what the DNS checks show for
 * the server's own failing domains. The log alone can only suggest records, so:
 *
 * - a domain whose records DNS shows as passing gets fixes on what DNS cannot show (another
 *   envelope domain or source IP, a signature that does not verify, records changed since);
 * - a domain with a failing record loses the generic record advice, because the DNS finding's
 *   fixes, merged in first, propose the actual record, and two proposals of one record differ;
 * - a domain that DNS did not check keeps the generic advice.
 *
 * Forwarded mail and replies that name no own domain keep their fixes. The DKIM signing step
 * names the signer settings of `mtas`, the MTAs of the log.
 */
export function withDnsAuthenticationFixes(
  findings: readonly Finding[],
  report: SenderCheckReport | null,
  mtas: ReadonlySet<MtaName>,
): Finding[] {
  if (report === null) return [...findings];
  return findings.map((finding) =>
    finding.id === "authentication" ? rewriteFixes(finding, report, mtas) : finding,
  );
}

function rewriteFixes(
  finding: Finding,
  report: SenderCheckReport,
  mtas: ReadonlySet<MtaName>,
): Finding {
  const evidence = finding.evidence as AuthenticationEvidence;
  if (evidence.onlyForwardedMail === true) return finding;
  const domains = (evidence.failingDomains ?? [])
    .filter((entry) => entry.own)
    .map((entry) => entry.domain)
    .slice(0, MAX_DOMAINS);
  if (domains.length === 0) return finding;

  const stateOf = (domain: string) => report.authentication[domain] ?? "unverified";
  const passing = domains.filter((domain) => stateOf(domain) === "pass");
  const failing = domains.filter((domain) => stateOf(domain) === "fail");
  const unverified = domains.filter((domain) => stateOf(domain) === "unverified");
  if (unverified.length === domains.length) return finding;

  const generic = new Set(ownDomainFixes(domains, mtas));
  const otherFixes = finding.fix.filter((step) => !generic.has(step));
  const fixes = [
    ...otherFixes,
    ...passingFixes(passing, report, evidence.last ?? null),
    ...(unverified.length > 0 ? [spfAndDkimFix(unverified)] : []),
    ...(unverified.length > 0 || failing.some((domain) => dkimFails(report, domain))
      ? [dkimSigningFix(mtas)]
      : []),
    ...(unverified.length > 0 ? [DMARC_RECORD_FIX] : []),
    // DNS has just checked the passing domains, so the check is for records still to change.
    ...(passing.length < domains.length ? [CHECK_RECORDS_FIX] : []),
  ];
  const summary =
    passing.length === 0
      ? finding.summary
      : `${finding.summary} DNS shows SPF, DKIM and DMARC passing for ${listNames(passing)}, so the rejected mail did not match what DNS shows now.`;
  return { ...finding, summary, fix: [...new Set(fixes)] };
}

/**
 * Builds the fixes for domains whose records pass in DNS while receivers reported failed
 * authentication. DNS shows the records now, for the IPs checked, so the cause lies in what
 * it cannot show.
 */
function passingFixes(
  domains: readonly string[],
  report: SenderCheckReport,
  lastReply: string | null,
): string[] {
  if (domains.length === 0) return [];
  const names = listNames(domains);
  const ips = report.ptr.map((entry) => entry.ip);
  const checkedIps = ips.length > 0 ? ` from ${listNames(ips)}` : "";
  const since = lastReply === null ? "" : ` (the last at ${lastReply})`;
  return [
    `DNS shows SPF passing${checkedIps}, a usable DKIM key and a DMARC policy for ${names}, yet receivers reported that authentication failed. The cause is one that DNS cannot show:`,
    `Compare the envelope sender (MAIL FROM) domain and the source IP of the rejected messages with ${names}${checkedIps}: mail sent with another envelope domain, or relayed through another IP, is judged on other records.`,
    `Check that the DKIM signature verifies: send a message to a mailbox of yours and run \`delist check ${domains[0] ?? "DOMAIN"} --message FILE\` on it. A signer key that differs from the published one, or a message changed after signing, breaks the signature.`,
    `If the records changed after the rejections${since}, the receivers judged the old ones: watch whether new attempts are accepted.`,
  ];
}

/** True when the DKIM part of a domain fails in DNS, so the fixes need the DKIM signing step. */
function dkimFails(report: SenderCheckReport, domain: string): boolean {
  const checked = report.domains.find((entry) => entry.domain === domain);
  return checked !== undefined && checked.dkimSummary.verdict === "fail";
}
