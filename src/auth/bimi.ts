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
import type { DmarcPolicy } from "./dmarc/record.js";

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
 * `a=` HTTPS URL of a PEM certificate. BIMI needs DMARC at quarantine or reject; the logo and
 * certificate themselves are not fetched.
 */
export async function checkBimi(
  domain: string,
  dmarcPolicy: DmarcPolicy | null,
  dns: DnsContext,
): Promise<BimiCheck> {
  const name = `default._bimi.${domain}`;
  const evidence: BimiEvidence = { domain, record: null, logoUrl: null, authorityUrl: null };
  const answer = await dns.lookup(name, "TXT");
  if (!answer.ok && isUnanswered(answer))
    return { verdict: "not-checked", explanation: DNS_UNREACHABLE, evidence, problems: [] };
  if (!answer.ok && !isVoidFailure(answer.kind))
    return finish(evidence, [dnsProblem("bimi-dns-error", answer)]);
  const records = answer.ok
    ? answer.records.map(joinTxt).filter((t) => /^v=BIMI1\s*(;|$)/i.test(t))
    : [];
  if (records.length === 0)
    return finish(evidence, [
      problem(
        "bimi-none",
        "info",
        `${domain} publishes no BIMI record (optional; it shows a logo in some mailboxes).`,
        null,
      ),
    ]);
  if (records.length > 1)
    return finish(evidence, [
      problem(
        "bimi-multiple",
        "error",
        `${name} has ${records.length} BIMI records.`,
        "Keep one record.",
      ),
    ]);
  const record = records[0] as string;
  const logoUrl = tag(record, "l");
  const authorityUrl = tag(record, "a");
  const problems: Problem[] = [];
  if (logoUrl === null)
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `The BIMI record "${record}" has no l= tag.`,
        "Add l=https://…/logo.svg.",
      ),
    );
  else if (logoUrl !== "" && !/^https:\/\/\S+\.svg$/i.test(logoUrl))
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `l=${logoUrl} is not an HTTPS URL of an SVG file.`,
        "Point l= at an https:// URL ending in .svg.",
      ),
    );
  if (authorityUrl !== null && authorityUrl !== "" && !/^https:\/\/\S+\.pem$/i.test(authorityUrl))
    problems.push(
      problem(
        "bimi-syntax",
        "error",
        `a=${authorityUrl} is not an HTTPS URL of a PEM file.`,
        "Point a= at an https:// URL ending in .pem.",
      ),
    );
  if (authorityUrl === null || authorityUrl === "")
    problems.push(
      problem(
        "bimi-no-certificate",
        "info",
        "The BIMI record has no a= certificate; Gmail shows logos only with a VMC or CMC.",
        null,
      ),
    );
  if (dmarcPolicy !== "quarantine" && dmarcPolicy !== "reject")
    problems.push(
      problem(
        "bimi-dmarc-policy",
        "warning",
        `BIMI needs DMARC at p=quarantine or p=reject; ${domain} has ${dmarcPolicy === null ? "no DMARC policy" : `p=${dmarcPolicy}`}.`,
        "Raise the DMARC policy before relying on BIMI.",
      ),
    );
  return finish({ domain, record, logoUrl, authorityUrl }, problems);
}

function tag(record: string, name: string): string | null {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, "i").exec(record);
  return match === null ? null : (match[1] ?? "").trim();
}

function finish(evidence: BimiEvidence, problems: Problem[]): BimiCheck {
  return {
    verdict: verdictOf(problems),
    explanation:
      evidence.record === null
        ? `${evidence.domain} publishes no BIMI record.`
        : `${evidence.domain} publishes a BIMI record.`,
    evidence,
    problems,
  };
}
