import { PROVIDER_NAMES, type ProviderId } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { collectReplyEvidence, replySamples } from "./replies.js";

const BLOCKLIST_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/spamhaus/i, "Spamhaus"],
  [/barracuda/i, "Barracuda"],
  [/spamcop/i, "SpamCop"],
  [/proofpoint/i, "Proofpoint"],
  [/cloudmark/i, "Cloudmark"],
  [/senderscore/i, "SenderScore"],
  [/uceprotect/i, "UCEPROTECT"],
  [/our block list|S31[45]0|AS31[45]0/i, "Microsoft's own block list"],
];

/**
 * `ip-blocklisted`: a receiver reports that the sending IP or its network is on a blocklist: a
 * public one (Spamhaus, Barracuda…) or the receiver's own (Outlook.com S3150, Yahoo BL21).
 */
export function detectIpBlocklisted(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "ip-blocklisted");
  if (evidence === null) return null;

  const providerIds = Object.keys(evidence.providers) as ProviderId[];
  const names = providerIds.map((id) => PROVIDER_NAMES[id]);
  const texts = providerIds.map((id) => evidence.providers[id]?.first?.text ?? "").join(" ");
  const lists = BLOCKLIST_NAMES.filter(([pattern]) =>
    pattern.test(texts + " " + evidence.tokens.join(" ")),
  ).map(([, name]) => name);
  const ips = evidence.judgedIps;

  return finding("ip-blocklisted", {
    severity: "critical",
    role: "cause",
    title: `${providersDo(names, "lists", "list")} this server's IP${lists.length > 0 ? ` (${listNames(lists)})` : ""}`,
    summary: `${plural(evidence.count + evidence.sessionCount, "reply", "replies")} ${evidence.count + evidence.sessionCount === 1 ? "names" : "name"} a block list, first at ${evidence.first?.time ?? evidence.firstSession?.time}.`,
    evidence: { ...evidence, ips, lists },
    samples: replySamples(context, evidence),
    fix: [
      "Find and stop what got the IP listed first (a compromised account, a script, a bought list); a delisted IP that keeps spamming is listed again.",
      ...delistingSteps(providerIds, lists),
      "When the network range is listed (Outlook.com S3150), only the IP owner can act: ask your hosting provider, or relay through another IP meanwhile.",
    ],
    references: [REFERENCES.outlookPostmaster, REFERENCES.exchangeDelist, REFERENCES.yahooSenders],
  });
}

function delistingSteps(providers: readonly ProviderId[], lists: readonly string[]): string[] {
  const steps: string[] = [];
  if (providers.includes("outlook")) {
    steps.push(
      `Ask Outlook.com for delisting with the sender support form (${REFERENCES.outlookSupportForm}); enrol the IP in SNDS and JMRP.`,
    );
  }
  if (providers.includes("exchange-online")) {
    steps.push(`Delist the IP for Exchange Online at ${REFERENCES.exchangeDelist}.`);
  }
  if (providers.includes("yahoo")) {
    steps.push(
      `Contact Yahoo sender support (${REFERENCES.yahooSupportForm}) once the cause is fixed.`,
    );
  }
  if (lists.includes("Spamhaus")) {
    steps.push("Look the IP up and request removal at https://check.spamhaus.org/.");
  }
  return steps;
}
