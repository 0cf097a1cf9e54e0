import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { mtaStep } from "./mta-steps.js";
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
      ...reverseDnsSteps(context.facts.server.mtas),
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/** The setting that names the server in EHLO, by MTA. */
const EHLO_NAMES: Readonly<Record<MtaName, string>> = {
  postfix: "`smtp_helo_name`",
  exim: "`helo_data` on the SMTP transport",
  sendmail: "it sends the server's own host name, so give the server that name",
};

/**
 * Settings that keep outgoing mail off IPv6, by MTA. Postfix's `smtp_address_preference`
 * only prefers IPv4 and still falls back to IPv6, so the step names `inet_protocols` too.
 */
const IPV4_ONLY: Readonly<Record<MtaName, string>> = {
  postfix:
    "`inet_protocols = ipv4`, which turns IPv6 off for every Postfix service, or `smtp_address_preference = ipv4` to prefer IPv4",
  exim: "`disable_ipv6 = true`",
  sendmail: "CLIENT_OPTIONS with `Family=inet` in the mc file",
};

/** Builds the steps that set the EHLO name and keep IPv6 mail within PTR records, by MTA. */
export function reverseDnsSteps(mtas: ReadonlySet<MtaName>): string[] {
  return [
    mtaStep(
      "Make that host name resolve (A or AAAA) back to the same IP, and use it as the EHLO name.",
      EHLO_NAMES,
      mtas,
    ),
    mtaStep(
      "For IPv6, give every sending address its own PTR record, or send over IPv4 only.",
      IPV4_ONLY,
      mtas,
    ),
  ];
}
