import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural, providersDo } from "./build.js";
import { collectReplyEvidence, earliestReply, evidenceNames, replySamples } from "./replies.js";
import { ISOLATED_REJECTIONS } from "../verdict.js";

/** `spam-content`: receivers judge individual messages as spam, phishing or dangerous. */
export function detectSpamContent(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "spam-content");
  if (evidence === null) return null;

  const names = evidenceNames(evidence);
  const permanent = (evidence.first?.permanent ?? false) || hasPermanentCode(evidence.codes);
  // A message or two rejected as spam is a warning; the verdict treats them as single
  // messages, not a block of the server.
  const replies = evidence.count + evidence.sessionCount;
  return finding("spam-content", {
    severity: permanent && replies > ISOLATED_REJECTIONS ? "critical" : "warning",
    role: "consequence",
    title: `${providersDo(names, "rejects", "reject")} messages as spam`,
    summary:
      `${plural(evidence.count + evidence.sessionCount, "reply", "replies")} judged the mail ` +
      `itself as unsolicited or dangerous, first at ${earliestReply(evidence)?.time}.`,
    evidence,
    samples: replySamples(context, evidence),
    fix: [
      "Find out which messages were rejected: the sender, account or script that sent them is usually the cause.",
      "Stop any bulk or unsolicited sending; check links and attachments (URL shorteners, listed domains, executables).",
      "Send only to recipients who asked for the mail, and honour unsubscribes within two days.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

function hasPermanentCode(codes: Readonly<Record<string, number>>): boolean {
  return Object.keys(codes).some((code) => code.startsWith("5"));
}
