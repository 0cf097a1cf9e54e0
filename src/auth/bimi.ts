import type { DnsContext } from "../dns/context.js";
import type { DmarcPolicy } from "./dmarc/record.js";
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

export interface BimiEvidence {
  readonly domain: string;
  readonly record: string | null;
  readonly logoUrl: string | null;
  readonly authorityUrl: string | null;
}

export type BimiCheck = CheckResult<BimiEvidence>;

/**
 * Checks the syntax of the BIMI record `default._bimi.<domain>` (draft-brand-indicators-for-
 * message-identification, section 4): `v=BIMI1`, an `l=` HTTPS URL of an SVG logo, an optional
 * `a=` HTTPS URL of a PEM certificate. BIMI needs DMARC at quarantine or reject. The logo and
 * certificate themselves are not fetched.
 */
export async function checkBimi(
  domain: string,
  dmarcPolicy: DmarcPolicy | null,
  dns: DnsContext,
): Promise<BimiCheck> {
  const name = `default._bimi.${domain}`;
  const evidence: BimiEvidence = { domain, record: null, logoUrl: null, authorityUrl: null };
  const found = await findTxtRecord(dns, name, (text) => /^v=BIMI1\s*(;|$)/i.test(text));

  switch (found.kind) {
    case "unanswered":
      return notChecked(evidence, notCheckedText(found.failure));
    case "error":
      return finish(evidence, [dnsProblem("bimi-dns-error", found.failure)]);
    case "none":
      return finish(evidence, [
        problem(
          "bimi-none",
          "info",
          `${domain} publishes no BIMI record (optional; it shows a logo in some mailboxes).`,
        ),
      ]);
    case "multiple":
      return finish(evidence, [
        problem(
          "bimi-multiple",
          "error",
          `${name} has ${found.records.length} BIMI records.`,
          "Keep one record.",
        ),
      ]);
    case "one": {
      const logoUrl = tag(found.record, "l");
      const authorityUrl = tag(found.record, "a");
      const problems = [
        ...urlProblems(found.record, logoUrl, authorityUrl),
        ...policyProblems(domain, dmarcPolicy),
      ];
      return finish({ domain, record: found.record, logoUrl, authorityUrl }, problems);
    }
  }
}

function urlProblems(
  record: string,
  logoUrl: string | null,
  authorityUrl: string | null,
): Problem[] {
  const problems: Problem[] = [];
  if (logoUrl === null) {
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `The BIMI record "${record}" has no l= tag.`,
        "Add l=https://…/logo.svg.",
      ),
    );
  } else if (logoUrl !== "" && !/^https:\/\/\S+\.svg$/i.test(logoUrl)) {
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `l=${logoUrl} is not an HTTPS URL of an SVG file.`,
        "Point l= at an https:// URL ending in .svg.",
      ),
    );
  }
  if (authorityUrl !== null && authorityUrl !== "" && !/^https:\/\/\S+\.pem$/i.test(authorityUrl)) {
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `a=${authorityUrl} is not an HTTPS URL of a PEM file.`,
        "Point a= at an https:// URL ending in .pem.",
      ),
    );
  }
  if (authorityUrl === null || authorityUrl === "") {
    problems.push(
      problem(
        "bimi-no-certificate",
        "info",
        "The BIMI record has no a= certificate, and Gmail shows logos only with a VMC or CMC.",
      ),
    );
  }
  return problems;
}

function policyProblems(domain: string, dmarcPolicy: DmarcPolicy | null): Problem[] {
  if (dmarcPolicy === "quarantine" || dmarcPolicy === "reject") return [];
  const current = dmarcPolicy === null ? "no DMARC policy" : `the DMARC policy ${dmarcPolicy}`;
  return [
    problem(
      "bimi-dmarc-policy",
      "warning",
      `BIMI needs DMARC at quarantine or reject, but receivers apply ${current} to ${domain}.`,
      "Raise the DMARC policy before relying on BIMI.",
    ),
  ];
}

function tag(record: string, name: string): string | null {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, "i").exec(record);
  return match === null ? null : (match[1] ?? "").trim();
}

function finish(evidence: BimiEvidence, problems: Problem[]): BimiCheck {
  const explanation =
    evidence.record === null
      ? `${evidence.domain} publishes no BIMI record.`
      : `${evidence.domain} publishes a BIMI record.`;
  return { verdict: verdictOf(problems), explanation, evidence, problems };
}
