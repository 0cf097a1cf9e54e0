import type { ProviderKey } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import { expiredMailNote } from "../verdict.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural, providersDo } from "./build.js";
import {
  collectReplyEvidence,
  evidenceNames,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";

/**
 * `rate-limited`: receivers defer this server's mail with temporary replies (Gmail 4.7.28,
 * Yahoo [TSS04], Microsoft 4.7.650…), or reject it for its rate with permanent ones (Gmail's
 * "550 5.7.1 This email has been rate limited"). It is the symptom the admin notices first,
 * and the cause is in the other findings.
 */
export function detectRateLimited(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "rate-limited");
  if (evidence === null) return null;

  const names = evidenceNames(evidence);
  const total = evidence.count + evidence.sessionCount;
  const rejections = permanentReplies(evidence.codes);
  const reputation = throttlesForReputation(context);
  return finding("rate-limited", {
    severity: "warning",
    role: "consequence",
    title:
      rejections === 0
        ? `${providersDo(names, "is", "are")} deferring mail from this server`
        : `${providersDo(names, "is", "are")} deferring or rejecting mail from this server for its rate`,
    summary:
      rejections === 0
        ? `${plural(total, "deferral")} since ${evidence.first?.time ?? evidence.firstSession?.time}. ` +
          delayedOrLost(context, evidence.providers)
        : `${plural(total - rejections, "deferral")} and ${plural(rejections, "rejection")} since ${evidence.first?.time ?? evidence.firstSession?.time}. ` +
          "Deferred mail is retried until the queue lifetime ends, but rejected mail bounced and is not retried.",
    evidence,
    samples: replySamples(context, evidence),
    fix: reputation ? REPUTATION_FIXES : REQUIREMENT_FIXES,
    references: [REFERENCES.gmailErrors, REFERENCES.gmailPostmaster, REFERENCES.outlookPostmaster],
  });
}

/**
 * Says whether deferred mail is still retried or, when recipients expired in the queue of the
 * deferring providers, that this part of it was returned to its senders and so was lost.
 */
function delayedOrLost(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): string {
  const expired = Object.entries(providers).flatMap(([key, provider]) =>
    provider === undefined
      ? []
      : [
          {
            name: provider.name,
            expired: context.facts.providers.get(key as ProviderKey)?.expired ?? 0,
          },
        ],
  );
  const lost = expiredMailNote(expired).trim();
  if (lost === "") {
    return "Mail is delayed, not lost yet: the MTA keeps retrying until the queue lifetime ends.";
  }
  return `${lost} The rest is retried until the queue lifetime ends.`;
}

/** Sums the counts of the 5xx codes (`550 5.7.1`, `554`) in a count by code. */
function permanentReplies(codes: Readonly<Record<string, number>>): number {
  return Object.entries(codes)
    .filter(([code]) => code.startsWith("5"))
    .reduce((total, [, count]) => total + count, 0);
}

/**
 * True when any of the replies is a reputation or volume limit. Deferrals that name one
 * requirement (TLS, SPF, DKIM, PTR) lift once it is met, and the queue can be retried then.
 */
function throttlesForReputation(context: DiagnoseContext): boolean {
  for (const facts of context.facts.providers.values()) {
    for (const tally of facts.rules.values()) {
      const reply = tally.reply;
      if (!reply.findings.includes("rate-limited")) continue;
      if (reply.category === "reputation" || reply.category === "rate-limit") return true;
    }
  }
  return false;
}

const REPUTATION_FIXES = [
  "Find and stop the cause first (see the other findings); retries alone do not lift a reputation limit.",
  "Slow down delivery to the provider: fewer parallel connections and messages per connection.",
  "Do not flush or re-send the deferred queue in a burst; let it drain at a low rate.",
  "Watch the provider's postmaster data (Gmail Postmaster Tools, Microsoft SNDS) until the deferrals stop.",
];

const REQUIREMENT_FIXES = [
  "These deferrals name one requirement (TLS, authentication or reverse DNS): fix it as its own finding says.",
  "Once it is fixed, retry the deferred mail (Postfix: `postqueue -f`; Exim: `exim -qff`) before it expires.",
];
