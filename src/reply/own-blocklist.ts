import { getDomain } from "tldts";
import type { ReplyRule } from "../knowledge/rule.js";
import type { ExplainedReply } from "./types.js";

// A DNSBL zone named after the wordings that `generic.named-blocklist` matches.
const NAMED_ZONE =
  /\b(?:blocked using|listed (?:at|in|on|by)(?: the)?)\s+((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})\b/gi;

/**
 * Rewrites a public-blocklist result with `ownListRule` when a zone that the reply names lies
 * in the registrable domain of the receiving host, such as `rbl.mx.example.net` or
 * `dnsbl.example.net` named by `mx.example.net`. Such a list is the receiver's own, so only its
 * postmaster can remove the listing. Registrable domains come from the public suffix list that
 * `tldts` bundles, private entries included.
 */
export function withReceiverOwnList(
  reply: ExplainedReply,
  receiverHost: string | null,
  ownListRule: ReplyRule,
): ExplainedReply {
  if (reply.ruleId !== "generic.named-blocklist" || receiverHost === null) return reply;
  const receiverDomain = registrableDomain(receiverHost);
  if (receiverDomain === null) return reply;

  for (const match of reply.text.matchAll(NAMED_ZONE)) {
    if (registrableDomain(match[1] ?? "") !== receiverDomain) continue;
    return {
      ...reply,
      category: ownListRule.category,
      ruleId: ownListRule.id,
      summary: ownListRule.summary,
      fix: [...ownListRule.fix],
      reference: ownListRule.reference,
      findings: ownListRule.findings,
    };
  }
  return reply;
}

function registrableDomain(host: string): string | null {
  return getDomain(host.toLowerCase().replace(/\.$/, ""), { allowPrivateDomains: true });
}
