/** The outage lines of a provider, shared by the text and Markdown reports. */
import type { OutageReport, ProviderVerdict, ServerReport } from "../diagnose/types.js";
import { fixStepLines } from "./fix-steps.js";
import { failedHostsList } from "./hosts.js";
import { plural, shortTime, wrap } from "./wrap.js";

const INDENT = " ".repeat(16);

/** Returns a sentence on how many attempts failed and whether the outage lasts to the end. */
export function outageSentence(outage: OutageReport): string {
  const attempts = `${plural(outage.failures, "attempt")} in a row failed to connect`;
  if (outage.ongoing) return `${attempts}; still going on at the end of the log.`;
  if (outage.endedAt === null) {
    return `${attempts}, the last at ${shortTime(outage.last)}. No delivery to the provider followed.`;
  }
  return `${attempts}, the last at ${shortTime(outage.last)}. The provider accepted mail or replied at ${shortTime(outage.endedAt)}.`;
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
    ...wrap(outageSentence(outage), INDENT),
  ];
  const hosts = failedHostsList(outage, server);
  if (hosts !== null) lines.push(...wrap(`From ${hosts}.`, INDENT));
  if (shownFixes.has(first.ruleId)) {
    lines.push(...wrap("Fix: the steps above.", INDENT));
    return lines;
  }
  shownFixes.add(first.ruleId);
  lines.push(`${INDENT}Fix:`);
  outage.fix.forEach((step, index) => {
    lines.push(...fixStepLines(step, `${INDENT}${index + 1}. `));
  });
  return lines;
}
