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
  return finding("rate-limited", {
    severity: "warning",
    role: "consequence",
    title: `${providersDo(names, "is", "are")} deferring mail from this server`,
    summary:
      `${plural(total, "temporary rejection")} since ${evidence.first?.time ?? evidence.firstSession?.time}. ` +
      "Mail is delayed, not lost yet: the MTA keeps retrying until the queue lifetime ends.",
    evidence,
    samples: replySamples(context, evidence),
    fix: [
      "Find and stop the cause first (see the other findings); retries alone do not lift a reputation limit.",
      "Slow down delivery to the provider: fewer parallel connections and messages per connection.",
      "Do not flush or re-send the deferred queue in a burst; let it drain at a low rate.",
      "Watch the provider's postmaster data (Gmail Postmaster Tools, Microsoft SNDS) until the deferrals stop.",
    ],
    references: [REFERENCES.gmailErrors, REFERENCES.gmailPostmaster, REFERENCES.outlookPostmaster],
  });
}
