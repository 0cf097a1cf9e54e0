import { finding, REFERENCES } from "../diagnose/findings/build.js";
import type { Finding } from "../diagnose/types.js";
import { usableKeys } from "./dkim/check.js";
import type { DomainReport } from "./report.js";
import type { PtrCheck } from "./ptr.js";
import type { Problem } from "./types.js";

const RFC_7208 = "https://www.rfc-editor.org/rfc/rfc7208";
const RFC_7489 = "https://www.rfc-editor.org/rfc/rfc7489";

/**
 * Builds the `authentication` finding from the SPF, DKIM and DMARC checks of every domain and
 * from the MX errors of the sending domains, because receivers reject a MAIL FROM domain that
 * does not resolve as they reject unauthenticated mail. The finding is critical when a domain
 * has neither a passing SPF nor a DKIM key (every provider rejects that), a warning for other
 * errors or a failed provider requirement, info when only warnings remain. Null when all is
 * well.
 */
export function authenticationFinding(domains: readonly DomainReport[]): Finding | null {
  const problems = domains.flatMap((d) => [
    ...d.spf.problems,
    ...d.dkimSummary.problems,
    ...d.dmarc.problems,
  ]);
  const mxErrors = domains.flatMap((d) => d.mx.problems.filter((p) => p.severity === "error"));
  const relevant = [...problems.filter((p) => p.severity !== "info"), ...mxErrors];
  const failedRows = domains.flatMap((d) => failedAuthRequirements(d));
  if (relevant.length === 0 && failedRows.length === 0) return null;
  const unauthenticated = domains.filter((d) => spfFailsForIps(d) && !dkimCanPass(d));
  const errors = relevant.filter((p) => p.severity === "error");
  let severity: Finding["severity"] = "info";
  if (errors.length > 0 || failedRows.length > 0) severity = "warning";
  if (unauthenticated.length > 0) severity = "critical";
  const corrected = domains.filter((d) => d.spf.correctedRecord !== null);
  return finding("authentication", {
    severity,
    role: severity === "info" ? "contributing" : "cause",
    title: authenticationTitle(
      unauthenticated,
      errors.length - mxErrors.length,
      failedRows.length,
      mxErrors.length,
    ),
    summary: errors[0]?.message ?? relevant[0]?.message ?? failedRows[0] ?? "",
    evidence: {
      source: "dns",
      domains: domains.map((d) => ({
        domain: d.domain,
        spf: d.spf.verdict,
        spfResult: d.spf.result,
        dkim: d.dkimSummary.verdict,
        dmarc: d.dmarc.verdict,
        dmarcPolicy: d.dmarc.policy,
        dmarcAppliedPolicy: d.dmarc.appliedPolicy,
      })),
      problems: relevant.map(({ code, severity: level, message }) => ({
        code,
        severity: level,
        message,
      })),
      failedRequirements: failedRows,
      correctedSpf: Object.fromEntries(corrected.map((d) => [d.domain, d.spf.correctedRecord])),
    },
    fix: [
      ...corrected.map(
        (d) => `Publish this SPF record for ${d.domain}: ${d.spf.correctedRecord ?? ""}`,
      ),
      ...uniqueFixes(relevant.filter((p) => !correctedProblems(corrected).has(p))),
    ],
    references: [REFERENCES.gmailGuidelines, RFC_7208, RFC_7489],
  });
}

function authenticationTitle(
  unauthenticated: readonly DomainReport[],
  errorCount: number,
  failedRowCount: number,
  mxErrorCount: number,
): string {
  if (unauthenticated.length > 0)
    return `${unauthenticated.map((d) => d.domain).join(", ")}: neither SPF nor DKIM passes`;
  if (errorCount > 0 && mxErrorCount > 0)
    return `DNS shows ${errorCount + mxErrorCount} SPF, DKIM, DMARC or MX errors`;
  if (errorCount > 0)
    return `DNS shows ${errorCount} SPF, DKIM or DMARC error${errorCount === 1 ? "" : "s"}`;
  if (mxErrorCount > 0)
    return `DNS shows ${mxErrorCount} MX error${mxErrorCount === 1 ? "" : "s"} of the sending domains`;
  // The failed rows come from DNS, or from a sample message given with `check --message`.
  if (failedRowCount > 0)
    return `${failedRowCount} provider sender requirement${failedRowCount === 1 ? " is" : "s are"} not met`;
  return "DNS shows SPF, DKIM or DMARC warnings";
}

/**
 * Lists the failed SPF, DKIM and DMARC rows of a domain's requirement table as
 * "domain: provider rule: evidence". Reverse DNS rows are left out because the `reverse-dns`
 * finding reports them.
 */
function failedAuthRequirements(domain: DomainReport): string[] {
  return domain.requirements
    .filter((row) => row.status === "fail" && !/reverse DNS/i.test(row.rule))
    .map((row) => `${domain.domain}: ${row.provider} ${row.rule}: ${row.evidence}`);
}

/**
 * Builds the `reverse-dns` finding from the PTR, forward-confirmation and HELO checks. MX
 * errors of the sending domains go to the `authentication` finding.
 */
export function reverseDnsFinding(ptr: PtrCheck): Finding | null {
  const relevant = ptr.problems.filter((p) => p.severity !== "info");
  if (relevant.length === 0) return null;
  // An IP whose PTR query failed is not checked, so it is neither missing nor confirmed.
  const missing = ptr.evidence.ptr
    .filter((r) => r.error === null && !r.forwardConfirmed)
    .map((r) => r.ip);
  const unchecked = ptr.evidence.ptr.filter((r) => r.error !== null);
  const severity =
    missing.length > 0
      ? "critical"
      : relevant.some((p) => p.severity === "error")
        ? "warning"
        : "info";
  return finding("reverse-dns", {
    severity,
    role: severity === "info" ? "contributing" : "cause",
    title:
      missing.length > 0
        ? `No forward-confirmed reverse DNS for ${missing.join(", ")}`
        : unchecked.length > 0
          ? `Reverse DNS of ${unchecked.map((r) => r.ip).join(", ")} ${unchecked[0]?.error ?? ""}`
          : "Reverse DNS needs attention",
    summary: (relevant.find((p) => p.severity === "error") ?? (relevant[0] as Problem)).message,
    evidence: {
      source: "dns",
      ptr: ptr.evidence.ptr.map((r) => ({
        ip: r.ip,
        names: r.names,
        forwardConfirmed: r.forwardConfirmed,
        heloMatches: r.heloMatches,
        error: r.error,
      })),
      helo: ptr.evidence.helo,
      problems: relevant.map(({ code, severity: level, message }) => ({
        code,
        severity: level,
        message,
      })),
    },
    fix: uniqueFixes(relevant),
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/**
 * SPF problem codes whose fix edits the domain's own record. A corrected record includes that
 * edit, so a second fix for the same record would propose a different one.
 */
const RECORD_EDIT_CODES: ReadonlySet<string> = new Set([
  "spf-missing",
  "spf-pass-all",
  "spf-neutral-all",
  "spf-no-all",
  "spf-ptr",
  "spf-broad-range",
  "spf-fail",
  "spf-softfail",
  "spf-neutral",
  "spf-none",
]);

/** Returns the SPF problems of the domains with a corrected record that the record fixes. */
function correctedProblems(domains: readonly DomainReport[]): Set<Problem> {
  return new Set(
    domains.flatMap((d) => d.spf.problems.filter((p) => RECORD_EDIT_CODES.has(p.code))),
  );
}

function uniqueFixes(problems: readonly Problem[]): string[] {
  return [...new Set(problems.map((p) => p.fix).filter((fix): fix is string => fix !== null))];
}

/**
 * False when the DKIM check failed, was not done, or found keys of which none is usable. A
 * domain with no key found under the common selectors can still pass, because its signer may
 * use a selector that is not on the common list, so the `authentication` finding does not call
 * its mail unauthenticated. The readiness item treats that domain as unverified.
 */
function dkimCanPass(domain: DomainReport): boolean {
  if (domain.dkimSummary.verdict === "fail" || domain.dkimSummary.verdict === "not-checked")
    return false;
  return domain.dkim.length === 0 || usableKeys(domain.dkim).length > 0;
}

/**
 * True when SPF fails for some sending IP, or fails with no IP given. An IP matched before a
 * broken include still passes at receivers (RFC 7208, section 4.6.2: evaluation stops at the
 * first match), so a record error alone does not leave that IP's mail unauthenticated.
 */
function spfFailsForIps(domain: DomainReport): boolean {
  const results = Object.values(domain.spf.result);
  const allPass = results.length > 0 && results.every((r) => r === "pass");
  return domain.spf.verdict === "fail" && !allPass;
}
