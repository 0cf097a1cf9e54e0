import { namedList } from "./named-list.js";
import { authenticationFinding } from "./findings.js";
import type { MessageCheck } from "./message.js";
import { worst, type DomainReport, type SenderCheckReport } from "./report.js";
import type { PtrCheck } from "./ptr.js";
import { readinessItems } from "./readiness.js";
import { requirementTable } from "./requirements.js";
import { problem, type CheckResult, type Verdict } from "./types.js";

/**
 * Rebuilds a check report so that the first domain's requirement rows follow a sample message:
 * its DKIM rows and alignment rows take the message's verification in place of the published
 * keys. The domain's verdict, the report's verdict, the `authentication` finding and the
 * SPF/DKIM/DMARC readiness item follow the message, and `messageDomain` names that domain.
 * The DKIM section warns when none of the message's signatures for that domain verifies.
 * The first domain is the one `checkMessage` takes as the envelope domain when the message has
 * no Return-Path, and the one whose table the text report shows. When the message's From
 * domain is another domain, the report keeps its DNS rows and `messageNote` explains why.
 */
export function applyMessageCheck(
  report: SenderCheckReport,
  message: MessageCheck,
): SenderCheckReport {
  const [first, ...others] = report.domains;
  if (first === undefined) return report;
  // A message signed and sent as another domain shows nothing about this one's keys or
  // alignment, so the rows stay on DNS.
  if (message.fromDomain !== null && message.fromDomain !== first.domain) {
    const note =
      `The sample message's From domain is ${message.fromDomain}, not ${first.domain}, so it ` +
      `was not used to judge ${first.domain}, whose checks show DNS alone. Give a message ` +
      `sent From ${first.domain} to check its signature.`;
    return { ...report, messageDomain: null, messageNote: note };
  }

  const domains = [withMessageRows(first, report, message), ...others];
  const ipVerdicts = report.ptr.length > 0 ? [report.reverseDns.verdict] : [];
  const authentication = authenticationFinding(domains);
  // `checkSenders` puts the authentication finding first.
  const findings = [
    ...(authentication === null ? [] : [authentication]),
    ...report.findings.filter((f) => f.id !== "authentication"),
  ];
  return {
    ...report,
    verdict: worst([...domains.map((d) => d.verdict), ...ipVerdicts]),
    domains,
    findings,
    readiness: readinessItems(domains, ptrCheckOf(report), message),
    messageDomain: first.domain,
  };
}

/** Rebuilds the PTR check result from the report's reverse DNS section. */
function ptrCheckOf(report: SenderCheckReport): PtrCheck {
  return {
    ...resultOf(report.reverseDns),
    evidence: { helo: report.reverseDns.helo, ptr: report.ptr },
  };
}

function withMessageRows(
  domain: DomainReport,
  report: SenderCheckReport,
  message: MessageCheck,
): DomainReport {
  const requirements = requirementTable({
    domain: domain.domain,
    spf: { ...resultOf(domain.spf), evidence: domain.spf },
    dkim: {
      ...resultOf(domain.dkimSummary),
      evidence: { domain: domain.domain, selectors: domain.dkim },
    },
    dmarc: { ...resultOf(domain.dmarc), evidence: domain.dmarc },
    ptr: ptrCheckOf(report),
    message,
  });
  const failed: Verdict[] = requirements.some((row) => row.status === "fail") ? ["fail"] : [];
  const judged = { ...domain, dkimSummary: dkimSummaryOf(domain, message) };
  return { ...judged, verdict: worst([...sectionVerdicts(judged), ...failed]), requirements };
}

/** Results that show a signature does not verify, as opposed to a DNS failure (temperror). */
const NOT_VERIFIED = new Set(["fail", "neutral", "permerror", "policy"]);

/**
 * Rebuilds the DKIM section so that it warns when the sample message's signatures for this
 * domain all fail to verify, because a published key alone would show the section as a pass.
 * The section stays as DNS left it when a signature passes or the message has none for it.
 */
function dkimSummaryOf(domain: DomainReport, message: MessageCheck): DomainReport["dkimSummary"] {
  const section = domain.dkimSummary;
  const own = message.signatures.filter((s) => s.domain.toLowerCase() === domain.domain);
  const failing = own.filter((s) => NOT_VERIFIED.has(s.result));
  if (failing.length === 0 || own.some((s) => s.result === "pass")) return section;

  const results = namedList(
    failing.map((s) => {
      const comment = s.comment === null ? "" : ` (${s.comment})`;
      return `s=${s.selector ?? "?"} ${s.result}${comment}`;
    }),
    "; ",
  );
  const mismatch = problem(
    "dkim-message-signature",
    "warning",
    `The sample message's DKIM signature for ${domain.domain} does not verify: ${results}.`,
    "Check that the signer uses the private key of the published selector and that nothing " +
      "changes the message after signing, then send a new sample message.",
  );
  return {
    ...section,
    verdict: worst([section.verdict, "warn"]),
    explanation: `${section.explanation} The sample message's signature does not verify.`,
    problems: [...section.problems, mismatch],
  };
}

/** Takes the verdict, explanation and problems of a section, to rebuild its check result. */
function resultOf(
  section: Omit<CheckResult<unknown>, "evidence">,
): Omit<CheckResult<unknown>, "evidence"> {
  return { verdict: section.verdict, explanation: section.explanation, problems: section.problems };
}

/**
 * Lists the verdicts of the sections that `checkDomain` in report.ts folds into a domain's
 * verdict. The two lists must name the same sections.
 */
function sectionVerdicts(domain: DomainReport): Verdict[] {
  return [
    domain.spf,
    domain.dkimSummary,
    domain.dmarc,
    domain.mx,
    domain.mtaSts,
    domain.tlsRpt,
    domain.bimi,
  ].map((section) => section.verdict);
}
