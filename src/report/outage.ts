/** The outage lines of a provider, shared by the text and Markdown reports. */
import { failsAtEnoughDomains, OTHER_MIN_DOMAINS } from "../diagnose/few-domains.js";
import { listNames } from "../diagnose/findings/build.js";
import type {
  FewDomainsReport,
  OutageReport,
  ProviderVerdict,
  ServerReport,
} from "../diagnose/types.js";
import { fixStepLines } from "./fix-steps.js";
import { failedHostsList } from "./hosts.js";
import { plural, shortTime, wrap } from "./wrap.js";

const INDENT = " ".repeat(16);

/**
 * Returns a sentence on how many attempts failed and whether the outage lasts to the end.
 * `fewDomains` is true for an outage of the `other` row at too few domains to set its status,
 * whose run a delivery to another domain may have ended. An outage of `failsAtEnoughDomains`
 * names the domains that still fail.
 */
export function outageSentence(outage: OutageReport, fewDomains = false): string {
  const attempts = `${plural(outage.failures, "attempt")} in a row failed to connect`;
  const atEnd = outage.failuresAtEnd;
  if (failsAtEnoughDomains(outage) && atEnd !== null) {
    const domains = listNames([...outage.domainsFailingAtEnd]);
    const reached = shortTime(outage.otherReceiversReachedAt ?? atEnd.last);
    return `${plural(atEnd.failures, "attempt")} failed to connect from ${shortTime(atEnd.first)} to ${shortTime(atEnd.last)}. Another receiver in the row accepted mail or replied at ${reached}, but ${domains} still fail at the end of the log.`;
  }
  if (outage.ongoing) return `${attempts}; still going on at the end of the log.`;
  if (outage.endedAt === null) {
    return `${attempts}, the last at ${shortTime(outage.last)}. No delivery to the provider followed.`;
  }
  const ended = fewDomains
    ? "A receiver in the row accepted mail or replied"
    : "The provider accepted mail or replied";
  return `${attempts}, the last at ${shortTime(outage.last)}. ${ended} at ${shortTime(outage.endedAt)}.${failingAtEndSentence(outage)}`;
}

/**
 * Returns " In all, 540 attempts to example.org failed to connect from … to …, and it still
 * fails at the end of the log." for an outage whose domains still fail after its run ended, or
 * "" when none does.
 */
function failingAtEndSentence(outage: OutageReport): string {
  const atEnd = outage.failuresAtEnd;
  const domains = outage.domainsFailingAtEnd;
  if (atEnd === null || domains.length === 0) return "";
  const still = domains.length === 1 ? "it still fails" : "they still fail";
  return ` In all, ${plural(atEnd.failures, "attempt")} to ${listNames([...domains])} failed to connect from ${shortTime(atEnd.first)} to ${shortTime(atEnd.last)}, and ${still} at the end of the log.`;
}

/** True when the outage of `verdict` is one of `fewDomains`, too few domains to set the status. */
export function isFewDomainOutage(verdict: ProviderVerdict): boolean {
  return verdict.fewDomains.some((report) => report.status === "unreachable");
}

/**
 * Renders a provider's outage under its row of the text report: the first failure, its
 * meaning, the servers whose attempts failed when the log shows several, and the fix.
 * `shownFixes` contains the rule ids whose fix an earlier provider already listed, so several
 * unreachable providers do not repeat the same steps.
 */
export function outageTextLines(
  verdict: ProviderVerdict,
  shownFixes: Set<string>,
  server: ServerReport,
): string[] {
  const outage = verdict.outage;
  if (outage === null) return [];
  const first = outage.first;
  const lines = [
    ...wrap(
      `${shortTime(first.time)} ${first.text} (${first.file}:${first.line})`,
      "    unreachable ",
      INDENT,
    ),
    ...wrap(first.summary, INDENT),
    ...wrap(outageSentence(outage, isFewDomainOutage(verdict)), INDENT),
  ];
  const hosts = failedHostsList(outage, server);
  if (hosts !== null) lines.push(...wrap(`From ${hosts}.`, INDENT));
  for (const report of verdict.fewDomains) {
    if (report.status === "unreachable") lines.push(...wrap(fewDomainsLine(report), INDENT));
  }
  // The steps of one rule differ only for a few-domain outage of the `other` row, so the key is
  // the steps themselves.
  const fixKey = outage.fix.join("\n");
  if (shownFixes.has(fixKey)) {
    lines.push(...wrap("Fix: the steps above.", INDENT));
    return lines;
  }
  shownFixes.add(fixKey);
  lines.push(`${INDENT}Fix:`);
  outage.fix.forEach((step, index) => {
    lines.push(...fixStepLines(step, `${INDENT}${index + 1}. `));
  });
  return lines;
}

/**
 * Describes a block or outage of the `other` row that too few domains caused to set its
 * status, such as "All from example.org (mx.example.org); the row counts as blocked only from 3
 * domains on."
 */
export function fewDomainsLine(report: FewDomainsReport): string {
  const domains = report.domains.length > 0 ? report.domains.join(", ") : "one receiver";
  const servers = report.servers.length > 0 ? ` (${report.servers.join(", ")})` : "";
  const direction = report.status === "unreachable" ? "to" : "from";
  return `All ${direction} ${domains}${servers}; the row counts as ${report.status} only from ${OTHER_MIN_DOMAINS} domains on.`;
}
