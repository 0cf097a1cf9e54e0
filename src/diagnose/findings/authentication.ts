import { PROVIDER_NAMES, type ProviderId } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural } from "./build.js";
import { collectReplyEvidence, replySamples } from "./replies.js";

/**
 * `authentication`: receivers reject mail because SPF, DKIM or DMARC did not pass or are
 * missing. The evidence names the envelope domains that fail and those that pass, and what
 * OpenDKIM logged about signing them.
 */
export function detectAuthentication(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "authentication");
  if (evidence === null) return null;

  const domains = [...context.facts.senderDomains.domains];
  const failing = domains
    .filter(([, facts]) => facts.authenticationRejections > 0)
    .sort((a, b) => b[1].authenticationRejections - a[1].authenticationRejections)
    .map(([domain, facts]) => ({
      domain,
      rejections: facts.authenticationRejections,
      sent: facts.sent,
    }));
  const passing = domains
    .filter(([, facts]) => facts.authenticationRejections === 0 && facts.sent > 0)
    .sort((a, b) => b[1].sent - a[1].sent)
    .slice(0, 10)
    .map(([domain]) => domain);
  const dkimSigning = Object.fromEntries(
    [...context.facts.server.dkim].map(([domain, facts]) => [
      domain,
      { signed: facts.signed, unsigned: facts.unsigned, selectors: [...facts.selectors] },
    ]),
  );
  const results = authenticationResults(evidence.first?.text ?? "");
  const names = Object.keys(evidence.providers).map((id) => PROVIDER_NAMES[id as ProviderId]);
  const failingNames = failing.slice(0, 5).map((entry) => entry.domain);

  return finding("authentication", {
    severity:
      evidence.first?.permanent === true || hasPermanent(evidence.codes) ? "critical" : "warning",
    role: "cause",
    title:
      failingNames.length > 0
        ? `Mail from ${listNames(failingNames)} fails SPF, DKIM or DMARC`
        : "Receivers reject mail for failed SPF, DKIM or DMARC",
    summary:
      `${listNames(names)} rejected or deferred ${plural(evidence.count + evidence.sessionCount, "attempt")} ` +
      `for authentication, first at ${evidence.first?.time ?? evidence.firstSession?.time}.`,
    evidence: {
      ...evidence,
      failingDomains: failing.slice(0, 20),
      passingDomains: passing,
      dkimSigning,
      ...results,
    },
    samples: replySamples(context, evidence),
    fix: [
      ...(failingNames.length > 0
        ? [
            `Publish an SPF record for ${listNames(failingNames)} that includes this server's IP, and sign its mail with DKIM (a key of at least 1024 bits, 2048 preferred).`,
          ]
        : [
            "Make SPF pass for the envelope domain from this server's IP, and sign every outgoing message with DKIM.",
          ]),
      "Add the domain to the DKIM signing table (OpenDKIM `SigningTable`/`KeyTable`) and publish the selector's public key in DNS.",
      "Publish a DMARC record (at least `v=DMARC1; p=none; rua=mailto:…`) and align the From domain with the SPF or DKIM domain.",
      "For forwarded mail, rewrite the envelope sender with SRS and add ARC, or stop forwarding domains that publish p=reject.",
      "Check the records with `delist check DOMAIN --ip IP` once that command is available for your version.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/** Reads Gmail's `Authentication results: DKIM = … SPF [domain] with ip: [ip] = …` block. */
function authenticationResults(text: string): { spf?: string; dkim?: string; spfDomain?: string } {
  const dkim = /DKIM\s*=\s*(did not pass|pass|none|fail\w*)/i.exec(text)?.[1];
  const spf =
    /SPF\s*\[([^\]]+)\]\s*with ip:\s*\[[^\]]*\]\s*=\s*(did not pass|pass|none|fail\w*)/i.exec(text);
  const result: { spf?: string; dkim?: string; spfDomain?: string } = {};
  if (dkim !== undefined) result.dkim = normaliseResult(dkim);
  if (spf !== null) {
    result.spf = normaliseResult(spf[2] ?? "");
    if (spf[1] !== undefined) result.spfDomain = spf[1];
  }
  return result;
}

function normaliseResult(value: string): string {
  const lower = value.toLowerCase();
  return lower === "did not pass" ? "fail" : lower;
}

function hasPermanent(codes: Readonly<Record<string, number>>): boolean {
  return Object.keys(codes).some((code) => code.startsWith("5"));
}
