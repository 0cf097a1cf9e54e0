import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural, providersDo } from "./build.js";
import {
  collectReplyEvidence,
  earliestReply,
  evidenceNames,
  findingTallies,
  replySamples,
} from "./replies.js";
import {
  replySubmitters,
  submittersPhrase,
  submittersSentence,
  type ReplySubmitters,
} from "./reply-submitters.js";
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
  const submitters = replySubmitters(findingTallies(context, "spam-content"));
  const { mainSender, mainOrigin, mainHost } = submitters;
  return finding("spam-content", {
    severity: permanent && replies > ISOLATED_REJECTIONS ? "critical" : "warning",
    role: "consequence",
    title: `${providersDo(names, "rejects", "reject")} messages as spam`,
    summary:
      `${plural(evidence.count + evidence.sessionCount, "reply", "replies")} judged the mail ` +
      `itself as unsolicited or dangerous, first at ${earliestReply(evidence)?.time}.` +
      submittersSentence(context, submitters),
    evidence: { ...evidence, mainSender, mainOrigin, mainHost },
    samples: replySamples(context, evidence),
    fix: [
      findStep(context, submitters),
      "Stop any bulk or unsolicited sending; check links and attachments (URL shorteners, listed domains, executables).",
      "Send only to recipients who asked for the mail, and honour unsubscribes within two days.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/**
 * Builds the first fix: start with the mail that got most of the replies, when one sender,
 * account or program, or host sent it, or else find out which mail it was.
 */
function findStep(context: DiagnoseContext, submitters: ReplySubmitters): string {
  const mail = submittersPhrase(context, submitters);
  if (mail === null) {
    return "Find out which messages were rejected: the sender, account or script that sent them is usually the cause.";
  }
  return `Start with the mail ${mail}, which got most of these replies: find out what sent it and whether its recipients asked for it, and stop it if they did not.`;
}

function hasPermanentCode(codes: Readonly<Record<string, number>>): boolean {
  return Object.keys(codes).some((code) => code.startsWith("5"));
}
