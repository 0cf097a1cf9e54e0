/** The "DNS checks" section of the Markdown report, with the sentences of the text report. */
import type { Diagnosis } from "../diagnose/types.js";
import {
  blocklistSummarySentence,
  domainCheckSentence,
  heloCheckSentence,
  listingSentence,
  ptrCheckSentence,
} from "./dns-checks.js";
import { escapeMarkdown } from "./markdown-text.js";

/**
 * Renders the SPF, DKIM and DMARC results per domain, the PTR per IP, the HELO name and the
 * blocklist look-ups, or nothing when DNS was not checked. Domain names and resolver descriptions come
 * from logs and options, so every value is escaped.
 */
export function dnsChecksMarkdown(diagnosis: Diagnosis): string[] {
  const { checks, blocklists } = diagnosis;
  if (checks === null && blocklists === null) return [];
  const lines = ["", "## DNS checks", ""];
  if (checks !== null) {
    lines.push(`Answers from ${escapeMarkdown(checks.resolver)}.`, "");
    for (const domain of checks.domains) {
      lines.push(
        `- **${escapeMarkdown(domain.domain)}**: ${escapeMarkdown(domainCheckSentence(domain))}`,
      );
    }
    for (const entry of checks.ptr) {
      lines.push(
        `- **PTR ${escapeMarkdown(entry.ip)}**: ${escapeMarkdown(ptrCheckSentence(entry))}`,
      );
    }
    if (checks.helo !== null) {
      const sentence = heloCheckSentence(checks.helo, checks.ptr);
      lines.push(`- **HELO ${escapeMarkdown(checks.helo)}**: ${escapeMarkdown(sentence)}`);
    }
  }
  if (blocklists === null) return lines;
  if (checks !== null) lines.push("");
  lines.push(escapeMarkdown(blocklistSummarySentence(blocklists)));
  const items = [
    ...blocklists.listed.map(
      (listing) => `- **listed** ${escapeMarkdown(listingSentence(listing))}`,
    ),
    ...blocklists.notices.map((notice) => `- Note: ${escapeMarkdown(notice)}`),
  ];
  return items.length === 0 ? lines : [...lines, "", ...items];
}
