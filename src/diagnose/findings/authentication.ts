import { domainOf } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import { codeSpan, shellQuote } from "../shell-quote.js";
import type { Finding } from "../types.js";
import type { MtaName } from "../../logs/events.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { srsStep } from "./forwarding.js";
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
 * OpenDKIM logged about signing them. `domainsWithoutRecords` are the sender domains that the
 * DNS checks found with neither MX nor address records, empty when DNS was not checked.
 */
export function detectAuthentication(
  context: DiagnoseContext,
  domainsWithoutRecords: ReadonlySet<string> = new Set(),
): Finding | null {
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
  const withoutRecords =
    unresolved === "none" ? [] : shownDomains.filter((domain) => domainsWithoutRecords.has(domain));
  const stated = domainsStatedUnresolved(context);
  const dnsFailureShown =
    shownDomains.length === 0
      ? stated.withoutSenderDomain
      : shownDomains.every(
          (domain) =>
            stated.domains.has(domain) ||
            withoutRecords.includes(domain) ||
            unroutable.some((entry) => entry.domain === domain),
        );

  return finding("authentication", {
    severity:
      evidence.first?.permanent === true || hasPermanent(evidence.codes) ? "critical" : "warning",
    role: onlyForwarded ? "contributing" : "cause",
    title:
      unresolved === "all"
        ? unresolvedTitle(shownDomains, dnsFailureShown)
        : authenticationTitle(
            ownFailing,
            failing,
            onlyForwarded,
            unresolved === "some" ? senderDomainClause(dnsFailureShown) : "",
          ),
    summary:
      `${providersDo(names, "rejected or deferred", "rejected or deferred")} ${plural(evidence.count + evidence.sessionCount, "attempt")} ` +
      `for ${unresolvedReason(unresolved, dnsFailureShown)}, first at ${earliestReply(evidence)?.time}.` +
      unroutableSentence(unroutable) +
      withoutRecordsSentence(withoutRecords) +
      notRejectedSentences(context, notRejected),
    evidence: {
      ...evidence,
      failingDomains: failing.slice(0, 20),
      notRejectedDomains: notRejected,
      dkimSigning: dkimSigning(context),
      onlyForwardedMail: onlyForwarded,
      unroutableSenderDomains: unroutable,
      senderDomainsWithoutRecords: withoutRecords,
      ...authenticationResults(evidence.first?.text ?? ""),
    },
    samples: replySamples(context, evidence),
    fix: authenticationFixes(
      evidence,
      unresolved,
      dnsFailureShown,
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

/**
 * Builds the title of a finding whose replies are not all about the sender domain.
 * `orSenderDomain` is the clause for the replies that are (see `senderDomainClause`), or "".
 */
function authenticationTitle(
  ownFailing: readonly string[],
  failing: ReadonlyArray<{ domain: string }>,
  onlyForwarded: boolean,
  orSenderDomain: string,
): string {
  if (onlyForwarded) {
    const others = failing.slice(0, 3).map((entry) => entry.domain);
    return `Receivers reject forwarded mail from domains with strict DMARC (${listNames(others)})${orSenderDomain}`;
  }
  if (ownFailing.length > 0) {
    return `Mail from ${listNames(ownFailing.slice(0, 5))} fails SPF, DKIM or DMARC${orSenderDomain}`;
  }
  return `Receivers reject mail for failed SPF, DKIM or DMARC${orSenderDomain}`;
}

/**
 * Rules for replies in which the receiver states that the envelope sender (MAIL FROM) domain
 * does not resolve in DNS: no MX, A or AAAA record, or no such domain.
 */
const DNS_FAILURE_RULES: ReadonlySet<string> = new Set([
  "gmx.sender-dns",
  "yahoo.unresolvable-sender-domain",
  "icloud.sender-domain-not-found",
]);

/**
 * Rules for replies that reject the envelope sender (MAIL FROM) domain. They support
 * `authentication`, because a receiver cannot verify a sender domain that does not resolve,
 * but their fix is a DNS record rather than SPF or DKIM. A reply of
 * `generic.sender-domain-and-ptr` calls the domain only "invalid" or "unknown", which may also
 * mean a failed sender address verification, so it shows no DNS failure by itself.
 */
const UNRESOLVED_DOMAIN_RULES: ReadonlySet<string> = new Set([
  ...DNS_FAILURE_RULES,
  "generic.sender-domain-and-ptr",
]);

type UnresolvedShare = "none" | "some" | "all";

/** Returns why receivers rejected the mail, for the summary's "… attempts for REASON". */
function unresolvedReason(share: UnresolvedShare, dnsFailureShown: boolean): string {
  const senderDomain = dnsFailureShown
    ? "a sender domain that does not resolve"
    : "an invalid sender domain";
  if (share === "none") return "authentication";
  return share === "some" ? `authentication or ${senderDomain}` : senderDomain;
}

/** Returns the title clause for the replies about the sender domain, after the SPF part. */
function senderDomainClause(dnsFailureShown: boolean): string {
  return dnsFailureShown
    ? ", or a sender domain does not resolve in DNS"
    : ", or a sender domain is judged invalid";
}

/** The sender domains that receivers' replies state do not resolve in DNS. */
interface StatedUnresolved {
  readonly domains: ReadonlySet<string>;
  /** True when such a reply came for mail whose sender domain the log does not show. */
  readonly withoutSenderDomain: boolean;
}

/**
 * Collects the envelope sender domains of the replies of `DNS_FAILURE_RULES`.
 * NOTE: a domain beyond the per-rule cap of sender domains is missed, so the title calls
 * it invalid although a reply stated the DNS failure.
 */
function domainsStatedUnresolved(context: DiagnoseContext): StatedUnresolved {
  const domains = new Set<string>();
  let withoutSenderDomain = false;
  for (const facts of context.facts.providers.values()) {
    for (const tally of facts.rules.values()) {
      if (!DNS_FAILURE_RULES.has(tally.reply.ruleId)) continue;

      let withDomain = 0;
      for (const [domain, count] of tally.senderDomains) {
        domains.add(domain);
        withDomain += count;
      }
      if (withDomain < tally.count + tally.sessionCount) withoutSenderDomain = true;
    }
  }
  return { domains, withoutSenderDomain };
}

/** Returns the knowledge rule ids of the evidence's replies, of every provider. */
function replyRules(evidence: ReplyFindingEvidence): string[] {
  return Object.values(evidence.providers).flatMap((provider) => provider?.rules ?? []);
}

/** Returns whether none, some or all of the evidence's rules report an unresolvable domain. */
function unresolvedDomainReplies(evidence: ReplyFindingEvidence): UnresolvedShare {
  const rules = replyRules(evidence);
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

/** Builds the sentence on the sender domains that DNS shows without records, or "" for none. */
function withoutRecordsSentence(domains: readonly string[]): string {
  if (domains.length === 0) return "";
  return ` DNS shows neither an MX nor an address record for ${listNames(domains)}.`;
}

/**
 * Builds the title of a finding whose replies all reject the sender domain. It names a DNS
 * failure only when `dnsFailureShown`: a receiver's reply, this server's "Unrouteable address"
 * bounces or the DNS checks show it for every domain named.
 */
function unresolvedTitle(domains: readonly string[], dnsFailureShown: boolean): string {
  if (!dnsFailureShown) {
    if (domains.length === 0) return "Receivers reject mail for an invalid sender domain";
    return domains.length === 1
      ? `Receivers reject the sender domain ${domains[0] ?? ""} as invalid`
      : `Receivers reject the sender domains ${listNames(domains)} as invalid`;
  }
  if (domains.length === 0)
    return "Receivers reject mail whose sender domain does not resolve in DNS";
  return domains.length === 1
    ? `The sender domain ${domains[0] ?? ""} does not resolve in DNS, so receivers reject its mail`
    : `The sender domains ${listNames(domains)} do not resolve in DNS, so receivers reject their mail`;
}

function authenticationFixes(
  evidence: ReplyFindingEvidence,
  unresolved: UnresolvedShare,
  dnsFailureShown: boolean,
  onlyForwarded: boolean,
  ownFailing: readonly string[],
  shownDomains: readonly string[],
  unroutable: readonly UnroutableSenderDomain[],
  mtas: ReadonlySet<MtaName>,
): string[] {
  const dnsFix = dnsFailureShown
    ? [publishRecordFix(shownDomains)]
    : [checkRecordFix(shownDomains), SENDER_VERIFICATION_FIX];
  const routeFix =
    unroutable.length > 0
      ? [
          `Find the account or program that sends with an envelope sender of ${listNames(unroutable.map((entry) => entry.domain))}, and give it a sender address whose domain resolves.`,
        ]
      : [];
  // Without a shown DNS failure, the first fix already names `delist check`, so this step is
  // left out.
  if (unresolved === "all") {
    const check = dnsFailureShown
      ? ["Check the published records with `delist check DOMAIN`."]
      : [];
    return [...dnsFix, ...routeFix, ...check];
  }
  const fixes = onlyForwarded
    ? forwardedMailFixes(replyRules(evidence), mtas)
    : ownDomainFixes(ownFailing, mtas);
  return unresolved === "some" ? [...dnsFix, ...routeFix, ...fixes] : fixes;
}

/** Builds the fix for sender domains that do not resolve: publish a record, or send as another. */
function publishRecordFix(domains: readonly string[]): string {
  return domains.length > 0
    ? `Publish an MX or A record for ${listNames(domains)}, or send with an envelope sender (MAIL FROM) of a domain that resolves.`
    : "Publish an MX or A record for the envelope sender (MAIL FROM) domain, so that it resolves.";
}

/**
 * Builds the fix for sender domains that receivers call invalid while no evidence shows that
 * they do not resolve.
 */
function checkRecordFix(domains: readonly string[]): string {
  const [first] = domains;
  if (first === undefined) {
    return "Check with `delist check DOMAIN` that the envelope sender (MAIL FROM) domain has an MX or A record, and publish one if it has none.";
  }
  const command = codeSpan(`delist check ${domains.length === 1 ? shellQuote(first) : "DOMAIN"}`);
  const have = domains.length === 1 ? "has" : "have";
  return `Check with ${command} that ${listNames(domains)} ${have} an MX or A record, and publish one where it is missing, or send with an envelope sender (MAIL FROM) of a domain that resolves.`;
}

const SENDER_VERIFICATION_FIX =
  "Some receivers also test the sender address at the MX of its domain (sender address verification), so that address must accept mail.";

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

/**
 * Builds the fixes for authentication replies to forwarded mail, from the rule ids of the
 * replies. DMARC judges the From domain, while SRS makes SPF pass only for the forwarder's own
 * envelope domain, which is not aligned with it. So DMARC rejections get a DMARC check of
 * inbound mail first and no SRS step. SRS stays for the other replies, such as failed SPF.
 */
function forwardedMailFixes(rules: readonly string[], mtas: ReadonlySet<MtaName>): string[] {
  const dmarc = rules.some(isDmarcRule);
  const nonDmarc = rules.some((rule) => !isDmarcRule(rule));
  return [
    ...(dmarc ? [inboundDmarcStep(mtas)] : [FORWARDED_SPF_NOTE]),
    ...(nonDmarc ? [srsStep(mtas)] : []),
    ...(dmarc ? [FORWARDED_ARC_STEP] : []),
    FETCH_INSTEAD_STEP,
  ];
}

/** True for the rule of a reply that names DMARC, such as `gmail.dmarc-reject`. */
function isDmarcRule(rule: string): boolean {
  return /(^|[.-])dmarc([.-]|$)/.test(rule);
}

/** The DMARC check of inbound mail, by MTA. */
const INBOUND_DMARC_CHECKS: Readonly<Record<MtaName, string>> = {
  postfix: "run OpenDMARC as a milter (`smtpd_milters`) with `RejectFailures true`",
  exim: "test `$dmarc_status` in the DATA ACL (Exim built with DMARC support)",
  sendmail: "run OpenDMARC as a milter with `RejectFailures true`",
};

/** Builds the step that checks DMARC on inbound mail, with the checks of `mtas`. */
function inboundDmarcStep(mtas: ReadonlySet<MtaName>): string {
  return mtaStep(
    "Check DMARC on inbound mail and do not forward what fails it. Such mail most likely has a forged From domain, and your own domains are not at fault. SRS cannot make it pass, because DMARC needs the From domain to be aligned.",
    INBOUND_DMARC_CHECKS,
    mtas,
  );
}

const FORWARDED_SPF_NOTE =
  "The rejected mail is forwarded mail that fails SPF from this server's IP, because its envelope sender keeps the original domain. Your own domains are not at fault.";

const FORWARDED_ARC_STEP =
  "Later, add ARC signatures to forwarded mail, so that receivers who trust this server can use the original authentication results.";

const FETCH_INSTEAD_STEP =
  "Better still, let users fetch their mail (IMAP) or have Gmail collect it, instead of forwarding.";

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
