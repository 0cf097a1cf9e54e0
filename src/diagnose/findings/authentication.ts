import { domainOf } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import type { MtaName } from "../../logs/events.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { mtaStep } from "./mta-steps.js";
import {
  collectReplyEvidence,
  earliestReply,
  evidenceNames,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";

/**
 * `authentication`: receivers reject mail because SPF, DKIM or DMARC did not pass or are
 * missing. The evidence names the envelope domains that fail and those that pass, and what
 * OpenDKIM logged about signing them.
 */
export function detectAuthentication(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "authentication");
  if (evidence === null) return null;

  const own = ownDomains(context);
  const domains = [...context.facts.senderDomains.domains];
  const failing = domains
    .filter(([, facts]) => facts.authenticationRejections > 0)
    .sort((a, b) => b[1].authenticationRejections - a[1].authenticationRejections)
    .map(([domain, facts]) => ({
      domain,
      rejections: facts.authenticationRejections,
      sent: facts.sent,
      own: own.has(domain),
    }));
  // Domains of forwarded mail pass or fail on their owners' records, so only this server's
  // own domains are listed. That no receiver rejected their mail does not show that it passed.
  const notRejected = domains
    .filter(([domain, facts]) => own.has(domain) && facts.authenticationRejections === 0)
    .filter(([, facts]) => facts.sent > 0)
    .sort((a, b) => b[1].sent - a[1].sent)
    .slice(0, 10)
    .map(([domain]) => domain);
  const names = evidenceNames(evidence);
  const ownFailing = failing.filter((entry) => entry.own).map((entry) => entry.domain);
  // Forwarded mail keeps its original sender, so its failures name other people's domains.
  const onlyForwarded = ownFailing.length === 0 && context.facts.forwarding.messages > 0;
  const unresolved = unresolvedDomainReplies(evidence);
  const shownDomains = (
    ownFailing.length > 0 ? ownFailing : failing.map((entry) => entry.domain)
  ).slice(0, 5);
  const unroutable = unresolved === "none" ? [] : unroutableSenderDomains(context, shownDomains);

  return finding("authentication", {
    severity:
      evidence.first?.permanent === true || hasPermanent(evidence.codes) ? "critical" : "warning",
    role: onlyForwarded ? "contributing" : "cause",
    title:
      unresolved === "all"
        ? unresolvedTitle(shownDomains)
        : authenticationTitle(ownFailing, failing, onlyForwarded, unresolved === "some"),
    summary:
      `${providersDo(names, "rejected or deferred", "rejected or deferred")} ${plural(evidence.count + evidence.sessionCount, "attempt")} ` +
      `for ${UNRESOLVED_REASONS[unresolved]}, first at ${earliestReply(evidence)?.time}.` +
      unroutableSentence(unroutable) +
      notRejectedSentences(context, notRejected),
    evidence: {
      ...evidence,
      failingDomains: failing.slice(0, 20),
      notRejectedDomains: notRejected,
      dkimSigning: dkimSigning(context),
      onlyForwardedMail: onlyForwarded,
      unroutableSenderDomains: unroutable,
      ...authenticationResults(evidence.first?.text ?? ""),
    },
    samples: replySamples(context, evidence),
    fix: authenticationFixes(
      unresolved,
      onlyForwarded,
      ownFailing.slice(0, 5),
      shownDomains,
      unroutable,
      context.facts.server.mtas,
    ),
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/**
 * Builds the sentences on the server's own domains whose mail no receiver rejected for
 * authentication, or returns "" for none. They name the domains whose mail OpenDKIM logged as
 * not signed at all, because the log shows only that no receiver rejected that mail, not that
 * it passed.
 */
function notRejectedSentences(context: DiagnoseContext, domains: readonly string[]): string {
  if (domains.length === 0) return "";
  const unsigned = domains.flatMap((domain) => {
    const facts = context.facts.server.dkim.get(domain);
    return facts !== undefined && facts.signed === 0 && facts.unsigned > 0
      ? [`${domain} (${plural(facts.unsigned, "message")})`]
      : [];
  });
  const rejected = ` No receiver rejected the mail of ${listNames(domains)} for authentication, which does not show that it passed.`;
  if (unsigned.length === 0) return rejected;
  return `${rejected} OpenDKIM signed none of the mail of ${listNames(unsigned)}.`;
}

function authenticationTitle(
  ownFailing: readonly string[],
  failing: ReadonlyArray<{ domain: string }>,
  onlyForwarded: boolean,
  someUnresolved: boolean,
): string {
  const orUnresolved = someUnresolved ? ", or a sender domain does not resolve in DNS" : "";
  if (onlyForwarded) {
    const others = failing.slice(0, 3).map((entry) => entry.domain);
    return `Receivers reject forwarded mail from domains with strict DMARC (${listNames(others)})${orUnresolved}`;
  }
  if (ownFailing.length > 0) {
    return `Mail from ${listNames(ownFailing.slice(0, 5))} fails SPF, DKIM or DMARC${orUnresolved}`;
  }
  return `Receivers reject mail for failed SPF, DKIM or DMARC${orUnresolved}`;
}

/**
 * Rules for replies that report an envelope sender (MAIL FROM) domain that does not resolve.
 * They support `authentication`, because a receiver cannot verify a sender domain that does
 * not resolve, but their fix is a DNS record rather than SPF or DKIM.
 */
const UNRESOLVED_DOMAIN_RULES: ReadonlySet<string> = new Set([
  "gmx.sender-dns",
  "yahoo.unresolvable-sender-domain",
  "icloud.sender-domain-not-found",
  // NOTE: this rule's reply contains only "without a valid sender domain". A receiver that checks
  // more than DNS (a sender verification callout, say) is then described as a DNS failure.
  "generic.sender-domain-and-ptr",
]);

type UnresolvedShare = "none" | "some" | "all";

const UNRESOLVED_REASONS: Readonly<Record<UnresolvedShare, string>> = {
  none: "authentication",
  some: "authentication or a sender domain that does not resolve",
  all: "a sender domain that does not resolve",
};

/** Returns whether none, some or all of the evidence's rules report an unresolvable domain. */
function unresolvedDomainReplies(evidence: ReplyFindingEvidence): UnresolvedShare {
  const rules = Object.values(evidence.providers).flatMap((provider) => provider?.rules ?? []);
  const unresolved = rules.filter((rule) => UNRESOLVED_DOMAIN_RULES.has(rule)).length;
  if (unresolved === 0) return "none";
  return unresolved === rules.length ? "all" : "some";
}

/** A failing sender domain that this server's own router could not route to either. */
interface UnroutableSenderDomain {
  readonly domain: string;
  /** Bounces of this server to addresses of the domain for lack of a route. */
  readonly bounces: number;
  readonly firstAt: string;
  readonly file: string;
  readonly line: number;
}

/**
 * Returns the domains of `domains` that this server itself bounced mail to for lack of a route.
 * Such a bounce usually means that DNS gives the domain no MX, A or AAAA record, which backs a
 * receiver's reply that the sender domain is not valid.
 */
function unroutableSenderDomains(
  context: DiagnoseContext,
  domains: readonly string[],
): UnroutableSenderDomain[] {
  return domains.flatMap((domain) => {
    const tally = context.facts.server.unroutableDomains.domains.get(domain);
    if (tally === undefined) return [];
    return [
      {
        domain,
        bounces: tally.bounces,
        firstAt: context.time(tally.firstTime),
        file: tally.first.file,
        line: tally.first.line,
      },
    ];
  });
}

/** Builds the sentence on the unroutable sender domains, or returns "" for none. */
function unroutableSentence(domains: readonly UnroutableSenderDomain[]): string {
  if (domains.length === 0) return "";
  const listed = domains.map(
    (entry) =>
      `${entry.domain} (${plural(entry.bounces, "bounce")} "Unrouteable address", first at ${entry.firstAt}, line ${entry.line})`,
  );
  return ` This server itself finds no route to ${listNames(listed)}, so the sender ${domains.length === 1 ? "domain most likely has" : "domains most likely have"} no MX or A record.`;
}

function unresolvedTitle(domains: readonly string[]): string {
  if (domains.length === 0)
    return "Receivers reject mail whose sender domain does not resolve in DNS";
  return domains.length === 1
    ? `The sender domain ${domains[0] ?? ""} does not resolve in DNS, so receivers reject its mail`
    : `The sender domains ${listNames(domains)} do not resolve in DNS, so receivers reject their mail`;
}

function authenticationFixes(
  unresolved: UnresolvedShare,
  onlyForwarded: boolean,
  ownFailing: readonly string[],
  shownDomains: readonly string[],
  unroutable: readonly UnroutableSenderDomain[],
  mtas: ReadonlySet<MtaName>,
): string[] {
  const dnsFix =
    shownDomains.length > 0
      ? `Publish an MX or A record for ${listNames(shownDomains)}, or send with an envelope sender (MAIL FROM) of a domain that resolves.`
      : "Publish an MX or A record for the envelope sender (MAIL FROM) domain, so that it resolves.";
  const routeFix =
    unroutable.length > 0
      ? [
          `Find the account or program that sends with an envelope sender of ${listNames(unroutable.map((entry) => entry.domain))}, and give it a sender address whose domain resolves.`,
        ]
      : [];
  if (unresolved === "all") {
    return [dnsFix, ...routeFix, "Check the published records with `delist check DOMAIN`."];
  }
  const fixes = onlyForwarded ? FORWARDING_FIXES : ownDomainFixes(ownFailing, mtas);
  return unresolved === "some" ? [dnsFix, ...routeFix, ...fixes] : fixes;
}

/**
 * Returns the domains this server sends or receives mail for: the recipient domains of local
 * deliveries, the sender domains of its accounts and local programs, and the sender domains
 * that failed or delayed mail was bounced back to.
 */
function ownDomains(context: DiagnoseContext): Set<string> {
  const domains = new Set([
    ...context.facts.server.localDomains.keys(),
    ...context.facts.bounceInput.senderDomains.keys(),
  ]);
  const origins = [
    ...context.facts.origins.accounts.values(),
    ...context.facts.origins.localSources.values(),
  ];
  for (const origin of origins) {
    for (const sender of origin.senders.keys()) {
      const domain = domainOf(sender);
      if (domain !== null) domains.add(domain);
    }
  }
  return domains;
}

function dkimSigning(context: DiagnoseContext): Record<string, object> {
  return Object.fromEntries(
    [...context.facts.server.dkim].map(([domain, facts]) => [
      domain,
      { signed: facts.signed, unsigned: facts.unsigned, selectors: [...facts.selectors] },
    ]),
  );
}

/**
 * Builds the fixes for the server's own domains when only the replies are known, with the
 * DKIM signing settings of `mtas`. The DNS checks replace the record advice with what DNS
 * shows (see `withDnsAuthenticationFixes`).
 */
export function ownDomainFixes(domains: readonly string[], mtas: ReadonlySet<MtaName>): string[] {
  return [spfAndDkimFix(domains), dkimSigningFix(mtas), DMARC_RECORD_FIX, CHECK_RECORDS_FIX];
}

/** Builds the fix that requests SPF with this server's IP and DKIM signing. */
export function spfAndDkimFix(domains: readonly string[]): string {
  return domains.length > 0
    ? `Publish an SPF record for ${listNames(domains)} that includes this server's IP, and sign its mail with DKIM (a key of at least 1024 bits, 2048 preferred).`
    : "Make SPF pass for the envelope domain from this server's IP, and sign every outgoing message with DKIM.";
}

/**
 * The DKIM signing setup of each MTA. Postfix and Sendmail hand the message to a milter such as
 * OpenDKIM. Exim has no milter interface and signs on its smtp transport, with
 * options that Debian's configuration sets through macros.
 */
const DKIM_SIGNERS: Readonly<Record<MtaName, string>> = {
  postfix: "add the domain to OpenDKIM's `SigningTable` and `KeyTable`",
  exim:
    "set `dkim_domain`, `dkim_selector` and `dkim_private_key` on the smtp transport " +
    "(Debian: the `DKIM_DOMAIN`, `DKIM_SELECTOR` and `DKIM_PRIVATE_KEY` macros)",
  sendmail: "add the domain to OpenDKIM's `SigningTable` and `KeyTable`",
};

/** Builds the step that signs the domain's mail with DKIM, with the signer of each of `mtas`. */
export function dkimSigningFix(mtas: ReadonlySet<MtaName>): string {
  return mtaStep(
    "Sign the domain's mail with DKIM and publish the selector's public key in DNS.",
    DKIM_SIGNERS,
    mtas,
  );
}

export const DMARC_RECORD_FIX =
  "Publish at least the DMARC record `v=DMARC1; p=none; rua=mailto:…`, then align the From domain with the SPF or DKIM domain.";

export const CHECK_RECORDS_FIX = "Check the published records with `delist check DOMAIN --ip IP`.";

const FORWARDING_FIXES = [
  "The rejected mail is forwarded mail whose sender domain publishes a strict DMARC policy; your own domains are not at fault.",
  "Rewrite the envelope sender of forwarded mail with SRS and add ARC signatures, so receivers can trust the original authentication.",
  "Do not forward mail that fails the original domain's DMARC check, or let users fetch their mail instead of forwarding it.",
];

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
