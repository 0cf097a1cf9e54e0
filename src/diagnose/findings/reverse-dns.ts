import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { collectReplyEvidence, evidenceNames, replySamples } from "./replies.js";

/**
 * `reverse-dns`: receivers reject this server's IP because it has no PTR record, or its
 * PTR name does not resolve back to the IP (forward-confirmed reverse DNS).
 */
export function detectReverseDns(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "reverse-dns");
  if (evidence === null) return null;

  const names = evidenceNames(evidence);
  const ips =
    evidence.judgedIps.length > 0
      ? evidence.judgedIps
      : context.facts.server.judgedIps.size > 0
        ? [...context.facts.server.judgedIps.keys()].slice(0, 3)
        : [];
  const since = [evidence.first?.time, evidence.firstSession?.time]
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const permanent = Object.keys(evidence.codes).some((code) => code.startsWith("5"));
  const [verb, verbPlural] = permanent ? ["rejects", "reject"] : ["defers", "defer"];
  return finding("reverse-dns", {
    severity: permanent ? "critical" : "warning",
    role: "cause",
    title: `${providersDo(names, verb, verbPlural)} this server's IP for missing or mismatched reverse DNS`,
    summary: `${plural(evidence.count + evidence.sessionCount, "reply", "replies")} ${evidence.count + evidence.sessionCount === 1 ? "names" : "name"} the PTR record, first at ${since ?? "?"}.`,
    evidence: { ...evidence, ips, since: since ?? null },
    samples: replySamples(context, evidence),
    fix: [
      `Ask the owner of ${ips.length > 0 ? listNames(ips) : "the sending IP"} (your hosting provider or ISP) to set a PTR record to this server's host name.`,
      "Make that host name resolve (A or AAAA) back to the same IP, and use it as the EHLO name (Postfix `smtp_helo_name`, Exim `helo_data`).",
      "For IPv6, give every sending address its own PTR, or send over IPv4 only (Postfix `smtp_address_preference = ipv4`).",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}
