import { PROVIDER_NAMES, type ProviderId } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, plural, providersDo } from "./build.js";
import { collectReplyEvidence, replySamples } from "./replies.js";

/**
 * `rate-limited`: receivers defer this server's mail with temporary replies (Gmail 4.7.28,
 * Yahoo [TSS04], Microsoft 4.7.650…). It is the symptom the admin notices first; the cause
 * is in the other findings.
 */
export function detectRateLimited(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "rate-limited", (tally) => !tally.reply.permanent);
  if (evidence === null) return null;

  const names = Object.keys(evidence.providers).map((id) => PROVIDER_NAMES[id as ProviderId]);
  const total = evidence.count + evidence.sessionCount;
  const reputation = throttlesForReputation(context);
  return finding("rate-limited", {
    severity: "warning",
    role: "consequence",
    title: `${providersDo(names, "is", "are")} deferring mail from this server`,
    summary:
      `${plural(total, "deferral")} since ${evidence.first?.time ?? evidence.firstSession?.time}. ` +
      "Mail is delayed, not lost yet: the MTA keeps retrying until the queue lifetime ends.",
    evidence,
    samples: replySamples(context, evidence),
    fix: reputation ? REPUTATION_FIXES : REQUIREMENT_FIXES,
    references: [REFERENCES.gmailErrors, REFERENCES.gmailPostmaster, REFERENCES.outlookPostmaster],
  });
}

/**
 * True when any of the deferrals is a reputation or volume limit. Deferrals that name one
 * requirement (TLS, SPF, DKIM, PTR) lift once it is met, and the queue can be retried then.
 */
function throttlesForReputation(context: DiagnoseContext): boolean {
  for (const facts of context.facts.providers.values()) {
    for (const tally of facts.rules.values()) {
      const reply = tally.reply;
      if (reply.permanent || !reply.findings.includes("rate-limited")) continue;
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
