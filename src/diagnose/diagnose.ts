import type { LogFacts } from "../analysis/analyser.js";
import type { Severity } from "../knowledge/categories.js";
import { isPluralRow, isRelayHostKey, type ProviderKey } from "../knowledge/providers.js";
import {
  deliveredElsewhereClause,
  relayHostHealth,
  relayHostNote,
  relayHostSubject,
  submissionHostNote,
} from "./relay-host-verdict.js";
import type { HoldKind, MtaName } from "../logs/events.js";
import type { TimeZone } from "../time/zone.js";
import { DiagnoseContext } from "./context.js";
import { detectAuthentication } from "./findings/authentication.js";
import { finding, listNames, plural, upperFirst } from "./findings/build.js";
import { detectCompromisedAccounts } from "./findings/compromised-account.js";
import { detectForwarding } from "./findings/forwarding.js";
import { detectHighVolume } from "./findings/high-volume.js";
import { detectIpBlocklisted } from "./findings/ip-blocklisted.js";
import { detectIpChanged } from "./findings/ip-changed.js";
import { rotatedLogNames } from "./findings/mta-steps.js";
import { detectNewIp } from "./findings/new-ip.js";
import { detectRateLimited } from "./findings/rate-limited.js";
import { withPasswordGuessing } from "./findings/password-guessing.js";
import type { ReplyFindingEvidence } from "./findings/replies.js";
import { detectReverseDns } from "./findings/reverse-dns.js";
import { detectSpamComplaints } from "./findings/spam-complaints.js";
import { detectSpamContent, withForwardedSpam } from "./findings/spam-content.js";
import { detectTlsRequired } from "./findings/tls-required.js";
import { tlsFailureNote, tlsFailuresOf } from "./findings/tls-failures.js";
import { detectUnknownRecipients } from "./findings/unknown-recipients.js";
import { detectVolumeSpike } from "./findings/volume-spike.js";
import { detectWebScripts } from "./findings/web-script.js";
import { detectRelayClientScripts } from "./findings/relay-client-script.js";
import { detectSmtpBypass } from "./findings/smtp-bypass.js";
import { detectSpamTraps } from "./findings/spam-traps.js";
import { buildReadiness, withTargetSummary } from "./readiness.js";
import { markListingConsequence } from "./listing-consequence.js";
import { rankBulkRuns } from "./bulk-run-rank.js";
import { withUnknownRecipientsObservation } from "./unknown-recipients-role.js";
import { withFindingReferences } from "./finding-references.js";
import { recipientPolicyAttempts } from "./recipient-policy.js";
import { raiseCauseSeverity } from "./cause-severity.js";
import { withRemovalTargets } from "./removal-forms.js";
import { pastRejectionTitle, pastTenseTitle } from "./title-tense.js";
import { assignRoles } from "./roles.js";
import { unexplainedBlocks } from "./unexplained.js";
import { blockKinds, blockKindsClause } from "./block-kinds.js";
import { blockedSender } from "./blocked-sender.js";
import { fewDomainsNote } from "./few-domains.js";
import { serverSubject, type ServerSubject } from "./server-subject.js";
import { blocklistsSummary } from "./blocklists.js";
import { unjudgedGivenIps, unjudgedIpNote, withUnjudgedIpRoles } from "./given-ips.js";
import { withDnsAuthenticationFixes } from "./authentication-dns.js";
import { appliedDmarcPolicy } from "./dmarc-policy.js";
import {
  checkedSendingDomains,
  domainsWithoutRecords,
  mergeDnsFindings,
  ownSendingDomains,
  withoutHostNames,
} from "./dns.js";
import type { SenderCheckReport } from "../auth/index.js";
import type { BlocklistReport } from "../reputation/index.js";
import type {
  Diagnosis,
  DnsChecksReport,
  Finding,
  HostReport,
  PutOnHoldReport,
  InputReport,
  ProviderStatus,
  ProviderVerdict,
  RecordedRemovalRequest,
  ServerReport,
  UnacceptedAttemptsReport,
  UnreadInput,
  VerdictStatus,
} from "./types.js";
import {
  acceptsAgainClause,
  LIFT_RULE_TEXT,
  needsLiftRule,
  acceptsAgainTooEarly,
  acceptsAgainTooFew,
  inLastHours,
  outageClause,
  otherOutageNote,
  ownNetworkNote,
  pastBlockNote,
  pastOutageNote,
  providerVerdict,
  repeatedConnectionFailures,
  repeatedFailuresNote,
  setsOverallStatus,
  showsOutboundMail,
  suspendedNote,
  suspendedProviders,
  undeliveredConnectionFailures,
  worseStatus,
} from "./verdict.js";
import { localFailureReport, undeliveredReport } from "./undelivered.js";
import { frozenReport } from "./frozen.js";
import { fatalErrorsReport } from "./fatal-errors.js";
import { isQueueSpaceProblem, queueSpaceReport } from "./queue-space.js";
import { recipientDomainsReport } from "./recipient-domains.js";
import {
  heldMailReport,
  heldMailSentence,
  withHeldMailItem,
  type HeldMailReport,
} from "./held-mail.js";

/** Options of `buildDiagnosis`. */
export interface DiagnoseOptions {
  readonly input: InputReport;
  readonly timeZone: TimeZone;
  readonly version: string;
  /** The current time, for `generatedAt`; injectable for tests. */
  readonly now: number;
  /** DNS checks of the sending domains and IPs; absent or null when DNS was not checked. */
  readonly checks?: { readonly report: SenderCheckReport; readonly resolver: string } | null;
  /** Blocklist look-ups of the sending IPs and domains; absent or null when none were made. */
  readonly blocklists?: BlocklistReport | null;
  /** Removal requests recorded in the history database; absent when none was read. */
  readonly removalRequests?: readonly RecordedRemovalRequest[];
  /**
   * The IPs given with `--ip`, which choose among a provider's IPs for the removal commands. The
   * suggested check commands name them in place of the IPs that receivers named.
   */
  readonly givenIps?: readonly string[];
  /**
   * The domains given with `--domain`. The suggested check commands name them in place of the
   * log's own sending domains, as the DNS checks do.
   */
  readonly givenDomains?: readonly string[];
  /**
   * Sentences on inputs that could not be read, put before the verdict summary, because the
   * verdict leaves out the mail in them.
   */
  readonly unreadInputs?: readonly UnreadInput[];
}

/** Turns the facts of a log run into verdicts, findings and the readiness checklist. */
export function buildDiagnosis(facts: LogFacts, options: DiagnoseOptions): Diagnosis {
  const context = new DiagnoseContext(facts, options.timeZone);
  const time = (epochMs: number): string => context.time(epochMs);
  const server = serverReport(facts);
  const providers = providerVerdicts(context);
  const outbound = Object.values(providers).some(
    (verdict) => verdict !== undefined && showsOutboundMail(verdict),
  );
  const heldMail = heldMailReport(facts, time);
  const checks = options.checks ?? null;
  const blocklists = options.blocklists ?? null;
  const unjudged = unjudgedGivenIps(facts, options.givenIps ?? []);
  const allDnsFindings = [
    ...(checks?.report.findings ?? []),
    ...(blocklists?.finding === null || blocklists === null ? [] : [blocklists.finding]),
    ...(blocklists?.trapFinding === null || blocklists === null ? [] : [blocklists.trapFinding]),
  ];
  const dnsFindings =
    unjudged === null ? allDnsFindings : withUnjudgedIpRoles(allDnsFindings, unjudged);
  const input =
    unjudged === null
      ? options.input
      : {
          ...options.input,
          notes: [
            ...options.input.notes,
            unjudgedIpNote(unjudged, checks !== null || blocklists !== null),
          ],
        };
  const dnsReadiness = [
    ...(checks?.report.readiness ?? []),
    ...(blocklists === null ? [] : [blocklists.readiness]),
  ];
  const detected = mergeDnsFindings(
    withDnsAuthenticationFixes(
      detectFindings(context, providers, heldMail, outbound, checks?.report ?? null),
      checks?.report ?? null,
      facts.server.mtas,
    ),
    dnsFindings,
  );
  const ranked = withUnknownRecipientsObservation(rankBulkRuns(assignRoles(detected, providers)));
  const findings = sortFindings(
    withFindingReferences(raiseCauseSeverity(markListingConsequence(ranked))),
  );
  const worst = Object.entries(providers).reduce<ProviderStatus>(
    (worstSoFar, [id, verdict]) =>
      verdict === undefined || !setsOverallStatus(id, verdict)
        ? worstSoFar
        : worseStatus(worstSoFar, verdict.status),
    "ok",
  );
  const unreadInputs = options.unreadInputs ?? [];
  // A log without outbound mail judged nothing, so a script must not read it as "ok".
  const status: VerdictStatus = outbound ? worst : "no-outbound-delivery";

  return {
    schemaVersion: 1,
    tool: { name: "delist", version: options.version },
    generatedAt: context.time(options.now),
    input,
    server,
    verdict: {
      status,
      summary: [
        ...unreadInputs.map((input) => input.message),
        verdictSummary(
          providers,
          findings,
          worst,
          heldMail,
          server,
          facts.lastTime,
          facts.server.mtas,
        ),
      ].join(" "),
      heldByServer: heldMail,
      inputsNotRead: unreadInputs.map((input) => input.name),
    },
    providers,
    recipientDomains: recipientDomainsReport(facts.recipientDomains),
    findings,
    unexplainedBlocks: unexplainedBlocks(context, findings, providers),
    readiness: withHeldMailItem(
      withTargetSummary(
        withRemovalTargets(
          buildReadiness(context, findings, providers, dnsReadiness, {
            server: commandTargets(facts, server, options),
            logEnd: options.input.lastTime === null ? null : Date.parse(options.input.lastTime),
          }),
          {
            judgedIps: [...facts.server.judgedIps]
              .sort((a, b) => b[1].count - a[1].count)
              .map(([ip, judged]) => [ip, judged.providers]),
            givenIps: options.givenIps ?? [],
            requests: options.removalRequests ?? [],
            now: options.now,
            time: (epochMs) => context.time(epochMs),
          },
        ),
      ),
      heldMail,
      server.hosts,
    ),
    checks: checks === null ? null : checksReport(checks.report, checks.resolver),
    blocklists: blocklists === null ? null : blocklistsSummary(blocklists),
    localDeliveryFailures: localFailureReport(facts.server.localDeliveryFailures, time),
    localPolicyRejections: undeliveredReport(facts.server.localPolicyRejections, time),
    undeliveredByServer: undeliveredReport(facts.server.undeliveredByServer, time),
    outboundFilterFailures: undeliveredReport(facts.server.outboundFilterFailures, time),
    frozenMessages: frozenReport(facts.frozen, time),
    mtaFatalErrors: fatalErrorsReport(facts.server.fatalErrors, time, facts.lastTime, [
      ...facts.server.hostnames.keys(),
      ...facts.server.hosts.keys(),
    ]),
    queueSpace: queueSpaceReport(facts.queueSpace, time, facts.lastTime),
  };
}

/**
 * Chooses the domains and IPs for the readiness commands: those given with `--domain` and
 * `--ip`, else the domains of `checkedSendingDomains` and the IPs that receivers named. The
 * PTR and blocklist commands still name first the IPs that the replies behind their findings
 * named.
 */
function commandTargets(
  facts: LogFacts,
  server: ServerReport,
  options: DiagnoseOptions,
): Pick<ServerReport, "sendingDomains" | "sendingIps"> {
  const givenDomains = options.givenDomains ?? [];
  const givenIps = options.givenIps ?? [];
  // The IPs of the log come first: a mistyped --ip must not leave out the one Gmail judged,
  // and --ip adds to them, as the DNS checks take both.
  const logIps = server.sendingIps;
  return {
    sendingDomains:
      givenDomains.length > 0
        ? givenDomains
        : withoutHostNames(checkedSendingDomains(facts), facts),
    sendingIps: [...logIps, ...givenIps.filter((ip) => !logIps.includes(ip))],
  };
}

function providerVerdicts(context: DiagnoseContext): Partial<Record<ProviderKey, ProviderVerdict>> {
  const entries = [...context.facts.providers.values()]
    .filter(
      (facts) =>
        facts.attempts > facts.other ||
        facts.rules.size > 0 ||
        facts.expired > 0 ||
        facts.suspendedDeferrals > 0,
    )
    .sort((a, b) => b.attempts - a.attempts)
    .map((facts) => [facts.key, providerVerdict(facts, context)] as const);
  return Object.fromEntries(entries);
}

function detectFindings(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  heldMail: HeldMailReport | null,
  outbound: boolean,
  checks: SenderCheckReport | null,
): Finding[] {
  const found = [
    ...withPasswordGuessing(context, detectCompromisedAccounts(context)),
    ...detectWebScripts(context),
    ...detectRelayClientScripts(context),
    detectSmtpBypass(context),
    detectForwarding(context),
    detectUnknownRecipients(context),
    detectSpamTraps(context),
    detectSpamComplaints(context),
    detectNewIp(context),
    detectIpChanged(context),
    detectAuthentication(context, domainsWithoutRecords(checks)),
    detectReverseDns(context),
    detectTlsRequired(context),
    detectIpBlocklisted(context, liftedProviders(providers)),
    detectVolumeSpike(context),
    detectHighVolume(context),
    detectRateLimited(context, providers),
    detectSpamContent(context),
  ]
    .filter((result): result is Finding => result !== null)
    .map(scaleSmallEvidence)
    .map((result) => scalePastBlockEvidence(result, providers))
    .map((result) => pastRejectionTitle(result, providers, context.facts.lastTime));
  const detected = withForwardedSpam(found);

  const problems = detected.filter((result) => result.severity !== "info");
  // An unreachable `other` row counts too: the server then reached no small receiver either.
  // So does an outage of fewer domains that leaves the row `ok` (see `fewDomainsOf`), or a
  // share of its attempts failing to connect with no later delivery, because that mail was
  // deferred. Repeated connection failures to a named provider delay its mail,
  // and a block it lifted still happened, so in either case the log is no picture of health.
  // Neither is mail that this server held itself, or a provider that accepted nothing while
  // delivery to it was suspended, or outbound TLS that failed on this server for a share of a
  // provider's mail, even when it has stopped. Nor is a queue disk so full that the server
  // rejected incoming mail. A log without outbound mail shows nothing about receivers, so it is
  // not healthy.
  const allOk = Object.entries(providers).every(([id, verdict]) => {
    if (verdict === undefined) return true;
    if (id === "other") {
      const outage = verdict.fewDomains.some((report) => report.status === "unreachable");
      return (
        verdict.status !== "unreachable" && !outage && undeliveredConnectionFailures(verdict) === 0
      );
    }
    return (
      verdict.status === "ok" &&
      verdict.pastBlock === null &&
      repeatedConnectionFailures(verdict) === 0
    );
  });
  const mailHeld = heldMail !== null || suspendedProviders(providers).length > 0;
  const tlsFailed = detected.some((result) => tlsFailuresOf(result) !== null);
  const queueProblem = isQueueSpaceProblem(context.facts.queueSpace);
  if (outbound && problems.length === 0 && allOk && !mailHeld && !tlsFailed && !queueProblem) {
    detected.push(healthyFinding(context, providers));
  }
  return detected;
}

/** Returns the providers that lifted their block before the end of the log (`pastBlock`). */
function liftedProviders(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): ReadonlySet<ProviderKey> {
  const lifted = Object.entries(providers).flatMap(([id, verdict]) =>
    (verdict?.pastBlock ?? null) === null ? [] : [id as ProviderKey],
  );
  return new Set(lifted);
}

/** Below this many replies from small receivers only, a reply finding is only information. */
const MIN_SMALL_RECEIVER_REPLIES = 5;

/**
 * Lowers a reply-driven finding to `info` when its only evidence is a few replies from
 * receivers that delist does not name: one small server's own policy is worth knowing but
 * is not a block of the server.
 */
function scaleSmallEvidence(result: Finding): Finding {
  const evidence = result.evidence as Partial<ReplyFindingEvidence>;
  if (evidence.providers === undefined || evidence.count === undefined) return result;
  const providerIds = Object.keys(evidence.providers);
  const replies = evidence.count + (evidence.sessionCount ?? 0);
  if (providerIds.some((id) => id !== "other") || replies >= MIN_SMALL_RECEIVER_REPLIES) {
    return result;
  }
  return { ...result, severity: "info" };
}

/**
 * Lowers a reply-driven finding to `info` when all its replies come from providers that lifted
 * their block before the end of the log (`pastBlock`). Its role stays, because the finding
 * still explains that block. A DNS check that still fails raises the severity again when
 * `mergeDnsFindings` adds it.
 */
function scalePastBlockEvidence(
  result: Finding,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): Finding {
  const evidence = result.evidence as Partial<ReplyFindingEvidence>;
  if (evidence.providers === undefined) return result;
  const providerIds = Object.keys(evidence.providers) as ProviderKey[];
  const allLifted =
    providerIds.length > 0 &&
    providerIds.every((id) => (providers[id]?.pastBlock ?? null) !== null);
  // The titles are in the present tense ("Gmail rejects messages as spam"), so the verb goes
  // into the past tense and a suffix marks the block as over.
  if (!allLifted) return result;
  const blocks = providerIds.length === 1 ? "a block" : "blocks";
  return {
    ...result,
    severity: "info",
    title: `${pastTenseTitle(result.title)}, ${blocks} since lifted`,
  };
}

/**
 * Builds the `healthy` finding for a log with outbound mail. A recovered outage leaves nothing
 * wrong now, so the finding stays, but its summary names the outage in place of the failed
 * single recipients. When receivers accepted no delivery, the summary states that, because the
 * failures are then all the outbound mail there is.
 */
function healthyFinding(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): Finding {
  const attempts = context.facts.remoteAttempts;
  const verdicts = Object.values(providers).filter((verdict) => verdict !== undefined);
  const pastOutages = pastOutageNote(verdicts, context.facts.server.hosts.values());
  const relayHosts = relayHostHealth(providers);
  const summary = healthySummary(
    verdicts.some((verdict) => verdict.sent > 0),
    pastOutages,
    recipientPolicyNote(verdicts),
    failedAttempts(verdicts),
  );
  return finding("healthy", {
    severity: "info",
    role: "status",
    title: relayHosts.title ?? "No receiver rejects or throttles this server's mail",
    summary:
      relayHosts.summary === null
        ? `${summary}${relayHosts.note}`
        : `${relayHosts.summary}${pastOutages}`,
    evidence: { remoteAttempts: attempts },
    fix: [
      "Nothing to fix in the log. Keep SPF, DKIM, DMARC and PTR in place and watch for changes.",
    ],
  });
}

/**
 * Builds the sentences of the `healthy` finding before any note on relay hosts. `policy` is the
 * note on the recipient organisations' own rules (see `recipientPolicyNote`) or "". Such a
 * rule can reject every attempt to one domain, so with it the summary does not call the
 * failures single recipients. Nor does it with `failures`, the attempts that were deferred or
 * bounced, above `FEW_FAILURES`, because one receiver may have refused them all with a reply
 * that names no cause.
 */
function healthySummary(
  accepted: boolean,
  pastOutages: string,
  policy: string,
  failures: number,
): string {
  const few = failures <= FEW_FAILURES;
  if (!accepted) {
    const single = few ? " The failures are single recipients or single small receivers." : "";
    return `No receiver accepted an outbound delivery in this log, but no attempt failed for a sender-side reason.${policy === "" ? single : policy}${pastOutages}`;
  }
  if (pastOutages === "" && policy === "" && few) {
    return "The log shows outbound deliveries and no sender-side rejections; the few failures are single recipients.";
  }
  const failed = few
    ? ""
    : ` ${plural(failures, "attempt")} were deferred or bounced with replies that name no sender-side cause; the provider rows show where.`;
  return `The log shows outbound deliveries and no sender-side rejections.${policy}${failed}${pastOutages}`;
}

/** Maximum failed attempts that the `healthy` summary still calls a few single recipients (a chosen value). */
const FEW_FAILURES = 10;

/**
 * Returns the attempts of every provider that were deferred or bounced, leaving out those that
 * `recipientPolicyNote` already names.
 */
function failedAttempts(verdicts: readonly ProviderVerdict[]): number {
  return verdicts.reduce(
    (sum, verdict) => sum + verdict.deferred + verdict.bounced - recipientPolicyAttempts(verdict),
    0,
  );
}

/**
 * Says how many attempts the recipient organisations' own rules rejected, by provider, or
 * returns "" when there were none.
 */
function recipientPolicyNote(verdicts: readonly ProviderVerdict[]): string {
  const counts = verdicts.flatMap((verdict) => {
    const attempts = recipientPolicyAttempts(verdict);
    return attempts === 0 ? [] : [`${verdict.name} ${attempts.toLocaleString("en-US")}`];
  });
  if (counts.length === 0) return "";
  const total = verdicts.reduce((sum, verdict) => sum + recipientPolicyAttempts(verdict), 0);
  return ` Recipient organisations' own rules rejected ${plural(total, "attempt")} (${listNames(counts)}). Only their administrators can change those rules, and the rejections say nothing about this server's reputation.`;
}

/**
 * Builds the verdict for a log without a single delivery attempt to another host. It names the
 * rotated log files of the MTAs in `mtas`.
 */
function noOutboundSummary(mtas: ReadonlySet<MtaName>): string {
  return (
    "The log shows no outbound delivery, so it cannot show whether receivers block this server. " +
    "Is it the wrong log file? When mail leaves through a relay host, that host's log is needed. " +
    `The deliveries may also be in a rotated file of the period (${rotatedLogNames(mtas)}).`
  );
}

/** Maximum provider clauses that the verdict joins into one sentence. */
const MAX_JOINED_CLAUSES = 2;

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const ROLE_RANK: Record<Finding["role"], number> = {
  cause: 0,
  contributing: 1,
  consequence: 2,
  observation: 3,
  status: 4,
};

/**
 * Orders findings: causes first, then by severity, so the report starts with what to fix.
 * Observations, which explain no block, come after the block's consequences.
 */
function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      ROLE_RANK[a.role] - ROLE_RANK[b.role] ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
}

/**
 * Builds the verdict sentence: the providers' treatment of the mail, followed by the providers
 * that accepted nothing while delivery to them was suspended and the mail that this server held
 * itself, and outbound TLS that still fails on this server. A log whose provider rows show no
 * outbound mail gets `noOutboundSummary` only when this server held no mail either.
 * When several servers made delivery attempts, a block names the servers it hit.
 */
function verdictSummary(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  findings: readonly Finding[],
  status: ProviderStatus,
  held: HeldMailReport | null,
  server: ServerReport,
  logEnd: number | null,
  mtas: ReadonlySet<MtaName>,
): string {
  const heldNote = held === null ? "" : heldMailSentence(held, server.hosts);
  const outbound = Object.values(providers).some(
    (verdict) => verdict !== undefined && showsOutboundMail(verdict),
  );
  if (!outbound) return held === null ? noOutboundSummary(mtas) : heldNote;
  const suspended = suspendedNote(suspendedProviders(providers));
  const tls = tlsFailureNote(findings);
  const summary = `${providerSummary(providers, findings, status, server, logEnd)}${suspended}${tls}`;
  return heldNote === "" ? summary : `${summary} ${heldNote}`;
}

function providerSummary(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  findings: readonly Finding[],
  status: ProviderStatus,
  server: ServerReport,
  logEnd: number | null,
): string {
  const affected = Object.entries(providers).filter(
    ([, v]) => v !== undefined && v.status !== "ok",
  );
  const verdicts = Object.values(providers).filter((verdict) => verdict !== undefined);
  // One small receiver that drops connections is its own problem, so `other` is left out.
  const named = Object.entries(providers).flatMap(([id, verdict]) =>
    verdict === undefined || id === "other" ? [] : [verdict],
  );
  const pastBlocks = pastBlockNote(named);
  const past = `${pastOutageNote(verdicts, server.hosts)}${repeatedFailuresNote(named)}${fewDomainsNote(providers.other)}`;
  if (affected.length === 0) {
    const subject = serverSubject({}, server.hosts);
    return unaffectedSummary(named, findings, `${pastBlocks}${past}`, subject);
  }

  const delivered = deliveredElsewhereClause(providers);
  // Up to two clauses share one sentence, joined by a semicolon. More get one sentence each,
  // because three joined clauses already make a sentence of about 90 words.
  const split = affected.length + (delivered === "" ? 0 : 1) > MAX_JOINED_CLAUSES;
  const parts = affected.map(([id, verdict], index) => {
    const atStart = split || index === 0;
    const clause = blockClause(id as ProviderKey, verdict, providers, server, logEnd, atStart);
    // An outage clause sets its own case, because a host name keeps its case there.
    const outage = verdict?.status === "unreachable" && verdict.outage !== null;
    return atStart && !outage ? upperFirst(clause) : clause;
  });
  if (delivered !== "") parts.push(split ? upperFirst(delivered) : delivered);
  const causes = findings.filter((f) => f.role === "cause" && f.severity !== "info");
  const sentence = parts.join(split ? ". " : "; ");
  // The rule follows every provider's sentence on blocks, lifted ones included, so that no
  // block sentence comes after the rule that it is read by.
  const liftRule = affected.some(([, verdict]) => verdict !== undefined && needsLiftRule(verdict))
    ? ` ${LIFT_RULE_TEXT}`
    : "";
  const network =
    ownNetworkNote(verdicts, server.hosts) || otherOutageNote(providers.other, server.hosts);
  const relay = relayHostNote(providers) + submissionHostNote(providers);
  const cause = causeSentence(causes, providers, relay !== "");
  return `${sentence}.${pastBlocks}${liftRule}${relay}${network}${past}${otherNote(providers, status)}${cause}`;
}

/**
 * Builds the verdict's "Likely cause" sentence, or "" for no cause. After a sentence on a
 * relay host, one cause whose replies came only from providers names them, so that the cause
 * does not read as the reason for the relay host's replies too.
 */
function causeSentence(
  causes: readonly Finding[],
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  afterRelayHost: boolean,
): string {
  if (causes.length === 0) return "";
  const ids = listNames(causes.map((f) => f.id));
  const [only] = causes;
  if (!afterRelayHost || only === undefined || causes.length > 1) return ` Likely cause: ${ids}.`;

  const keys = Object.keys((only.evidence as Partial<ReplyFindingEvidence>).providers ?? {});
  const names = keys.flatMap((key) => {
    const name = providers[key as ProviderKey]?.name;
    return name === undefined || isRelayHostKey(key) ? [] : [name];
  });
  if (names.length === 0 || names.length < keys.length) return ` Likely cause: ${ids}.`;
  return ` Likely cause of the ${listNames(names)} replies: ${ids}.`;
}

/**
 * Describes how one provider or relay host treats the mail, such as "Gmail defers mail from
 * this server since …" or "Mail for gmail.com goes through relay host smtp.example.net:587,
 * which defers it since …" (see `relayHostSubject`).
 */
function blockClause(
  id: ProviderKey,
  verdict: ProviderVerdict | undefined,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  server: ServerReport,
  logEnd: number | null,
  atStart: boolean,
): string {
  const name = verdict?.name ?? id;
  if (verdict?.status === "unreachable" && verdict.outage !== null) {
    return outageClause(name, verdict.outage, server.hosts, atStart);
  }
  const pluralRow = isPluralRow(id);
  const ongoing = ongoingClause(verdict, logEnd, pluralRow);
  const sender = verdict === undefined ? "this server" : blockedSender(verdict, server);
  if (verdict !== undefined && (acceptsAgainTooEarly(verdict) || acceptsAgainTooFew(verdict))) {
    return acceptsAgainClause(name, sender, verdict, pluralRow);
  }
  const relaySubject = isRelayHostKey(id) ? relayHostSubject(id, providers) : null;
  // "Mail for gmail.com goes through relay host …, which defers it" names the mail already.
  const [subject, mail] =
    relaySubject !== null && relaySubject.endsWith(", which")
      ? [relaySubject, sender === "this server" ? "it" : `it from ${sender}`]
      : [relaySubject ?? name, `mail from ${sender}`];
  const periods = verdict === undefined ? [] : blockKinds(verdict, logEnd);
  if (periods.length === 0) {
    return `${subject} ${pluralRow ? "defer" : "defers"} ${mail} since ?${ongoing}`;
  }
  return blockKindsClause(subject, mail, periods, pluralRow, ongoing);
}

/**
 * Builds the verdict for a log in which no provider blocks at the end. A block that a provider
 * lifted is named with its likely causes. Those can be `info` (see `scalePastBlockEvidence`),
 * so causes of every severity count here. A receiver's own block list (`ip-blocklisted`) is
 * left out: it names the block that was lifted, not what caused it.
 */
function unaffectedSummary(
  named: readonly ProviderVerdict[],
  findings: readonly Finding[],
  past: string,
  senders: ServerSubject,
): string {
  if (!named.some((verdict) => verdict.pastBlock !== null)) {
    return `No provider blocks or rate-limits mail from ${senders.text} in this log.${past}`;
  }
  const causes = findings
    .filter((f) => f.role === "cause" && f.id !== "ip-blocklisted")
    .map((f) => f.id);
  const cause = causes.length > 0 ? ` Likely cause: ${listNames(causes)}.` : "";
  return `No provider blocks or rate-limits mail from ${senders.text} at the end of this log.${past}${cause}`;
}

/**
 * Explains why the verdict can be milder than the "other receivers" row: that row mixes many
 * small servers with their own rules, so it does not set the overall verdict.
 */
function otherNote(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  status: ProviderStatus,
): string {
  const other = providers.other;
  if (other === undefined || worseStatus(status, other.status) === status) return "";
  const replies = other.status === "blocked" ? "rejections" : "deferrals";
  return ` The "other receivers" row mixes many small servers with their own rules, so its ${replies} do not set the overall verdict.`;
}

/** Describes the sending server as the log shows it. */
export function serverReport(facts: LogFacts): ServerReport {
  const sendingIps = [...facts.server.judgedIps].sort((a, b) => b[1].count - a[1].count);
  // The server's own domains: those of its SASL users and local programs. Envelope senders of
  // relayed or forwarded mail (a partner's yahoo.com) are not its domains to check, so the
  // domains of every outbound sender are only the fallback for a server with no known origin.
  const own = ownSendingDomains(facts);
  const domains =
    own.length > 0
      ? own
      : [...facts.senderDomains.domains]
          .sort((a, b) => b[1].attempts - a[1].attempts)
          .map(([domain]) => domain);
  let messages = 0;
  let recipients = 0;
  for (const volume of facts.volume.hours.values()) {
    messages += volume.messages;
    recipients += volume.recipients;
  }
  return {
    hostnames: [...facts.server.hostnames.keys()].slice(0, 10),
    hosts: hostReports(facts),
    sendingIps: sendingIps.slice(0, 10).map(([ip]) => ip),
    sendingDomains: domains.slice(0, 10),
    outboundMessages: messages,
    outboundRecipients: recipients,
    missingFilterCopies: facts.server.missingFilterCopies,
    addressProbes: facts.server.addressProbes,
    expiredWithoutRecipient: facts.server.expiredWithoutRecipient,
    putOnHold: putOnHoldReport(facts.server.putOnHold, facts.server.releasedFromHold),
  };
}

function putOnHoldReport(
  counts: Readonly<Record<HoldKind, number>>,
  released: number,
): PutOnHoldReport {
  return { messages: counts.header + counts.body + counts.client, ...counts, released };
}

/** Lists the servers whose mail the log shows, most delivery attempts, then messages, first. */
function hostReports(facts: LogFacts): HostReport[] {
  return [...facts.server.hosts.values()]
    .filter((host) => host.remoteAttempts > 0 || host.messages > 0)
    .sort((a, b) => b.remoteAttempts - a.remoteAttempts || b.messages - a.messages)
    .map((host) => ({
      name: host.name,
      remoteAttempts: host.remoteAttempts,
      messages: host.messages,
    }));
}

/** Shortens a DNS check report to what the diagnosis shows. */
function checksReport(report: SenderCheckReport, resolver: string): DnsChecksReport {
  return {
    resolver,
    verdict: report.verdict,
    helo: report.reverseDns.helo,
    domains: report.domains.map((domain) => ({
      domain: domain.domain,
      verdict: domain.verdict,
      spf: domain.spf.verdict,
      spfResults: { ...domain.spf.result },
      spfLookups: domain.spf.verdict === "not-checked" ? null : domain.spf.lookups,
      dkim: domain.dkimSummary.verdict,
      dkimSelectors: domain.dkim.map((entry) => ({
        selector: entry.selector,
        status: entry.status,
      })),
      dmarc: domain.dmarc.verdict,
      dmarcPolicy: domain.dmarc.policy,
      ...appliedDmarcPolicy(domain.dmarc),
    })),
    ptr: report.ptr.map((entry) => ({
      ip: entry.ip,
      names: entry.names,
      forwardConfirmed: entry.forwardConfirmed,
      heloMatches: entry.heloMatches,
      error: entry.error,
    })),
  };
}

// A provider that accepted none of the attempts after its last block reply still blocks, even
// when the log goes on for hours without attempts to it, so that case is not worded as "at the
// end of the log" unless that reply falls in the last two hours of the log. `pluralSubject` is
// true for "other receivers", which takes "have".
function ongoingClause(
  verdict: ProviderVerdict | undefined,
  logEnd: number | null,
  pluralSubject: boolean,
): string {
  const unaccepted = verdict?.unacceptedAttempts;
  const recent = inLastHours(verdict?.lastBlock?.time, logEnd);
  if (unaccepted != null && !recent) {
    const have = pluralSubject ? "have" : "has";
    const last = unaccepted.lastAccepted;
    if (unaccepted.attempts === 1) {
      return last === null
        ? ", and did not accept its only attempt"
        : `, and ${have} accepted no mail since ${last} (1 attempt)`;
    }
    const since = last === null ? "" : ` since ${last}`;
    return `, and ${have} accepted none of the ${plural(unaccepted.attempts, "attempt")}${since}${blockedShare(unaccepted)}`;
  }
  return verdict?.ongoing === true ? ", still going on at the end of the log" : "";
}

/**
 * Returns " (40 of them got block replies)" when only some of the unaccepted attempts got block
 * replies, or "". The provider row counts only the attempts with block replies, and the others
 * failed for other reasons, such as unknown recipients.
 */
function blockedShare(unaccepted: UnacceptedAttemptsReport): string {
  if (unaccepted.blocked === unaccepted.attempts) return "";
  if (unaccepted.blocked === 0) return " (none of them got a block reply)";
  return ` (${unaccepted.blocked.toLocaleString("en-US")} of them got block replies)`;
}
