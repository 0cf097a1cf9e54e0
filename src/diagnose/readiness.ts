import { OUTAGE_MIN_FAILURES } from "../analysis/providers.js";
import { DAY_MS, HOUR_MS } from "../analysis/time.js";
import type { ProviderId, ProviderKey } from "../knowledge/providers.js";
import type { DiagnoseContext } from "./context.js";
import {
  hasRemovalForm,
  REMOVAL_FORMS,
  removalApplies,
  removalFormRuleOf,
  UNKNOWN_IP_PLACEHOLDER,
} from "./removal-forms.js";
import { listNames, plural, providersDo } from "./findings/build.js";
import { rotatedLogNames } from "./findings/mta-steps.js";
import { causeOpen, openItems, openList, type OpenBlocks, type OpenItem } from "./open-items.js";
import { removalFormRule, withOwnListCheck } from "./own-block-lists.js";
import { actsAsRelayHost, submissionHostOf } from "./relay-host-verdict.js";
import {
  isRequirementBlock,
  requirementNote,
  requirementSummary,
} from "./requirement-readiness.js";
import { dailyVolumeItem } from "./daily-volume-readiness.js";
import { outboundBursts, uncomparedBurst } from "./findings/outbound-bursts.js";
import {
  hasListingReply,
  rangeRejectingNames,
  ROUTE_FIX,
  sendingRouteItem,
} from "./sending-route.js";
import {
  mergeCounts,
  serverSubject,
  subjectAtStart,
  type LoggedServer,
  type ServerSubject,
} from "./server-subject.js";
import { codeSpan, shellQuote } from "./shell-quote.js";
import { hasFewDomainBlock, OTHER_MIN_DOMAINS, unreachableName } from "./few-domains.js";
import { STOPPED_AFTER_MS } from "./suspect-sending.js";
import { causeStopped } from "./cause-stopped.js";
import {
  isWarmUpThrottle,
  needsThrottleSummary,
  throttleSummary,
  warmUpFinding,
} from "./warm-up-readiness.js";
import {
  acceptsAgainTooEarly,
  acceptsAgainTooFew,
  LIFT_RULE_TEXT,
  recentBlockSentence,
  repeatedConnectionFailures,
  failingConnectionProviders,
  suspendedNote,
  suspendedProviders,
  expiredMailNote,
  undecidedBlockSentence,
  inLastHours,
  recentBlockVerb,
} from "./verdict.js";
import type {
  Finding,
  ProviderVerdict,
  Readiness,
  ReadinessItem,
  ReadinessReport,
  RemovalForm,
  ServerReport,
  UnacceptedAttemptsReport,
} from "./types.js";

/** Inputs of the checklist beyond the log facts. Each field falls back to a default. */
export interface ReadinessOptions {
  /**
   * The server's own sending domains (of its accounts and local programs, not of mail it
   * received or forwarded) and IPs, to print runnable `delist check` commands.
   */
  readonly server?: Pick<ServerReport, "sendingDomains" | "sendingIps">;
  /**
   * The end of the log as the report's header shows it (epoch ms): the last line read. The
   * facts end at the last event, which can be hours earlier.
   */
  readonly logEnd?: number | null;
}

/**
 * Builds the removal-readiness checklist from what the logs show. The DNS and blocklist items
 * stay `not-checked` here: logs cannot show whether SPF, DKIM, DMARC and PTR are right now.
 */
export function buildReadiness(
  context: DiagnoseContext,
  findings: readonly Finding[],
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  dnsItems: readonly ReadinessItem[] = [],
  options: ReadinessOptions = {},
): Readiness {
  const logEnd = Math.max(context.facts.lastTime ?? 0, options.logEnd ?? 0);
  const commands = checkCommands(options.server, findings);
  // A provider that this server cannot connect to has judged nothing, so no removal request
  // applies to it, and its outage is no block to find a cause for.
  const judging = Object.fromEntries(
    Object.entries(providers).filter(([, verdict]) => verdict?.status !== "unreachable"),
  );
  const servers = [...context.facts.server.hosts.values()];
  const unreachable = unreachableProviders(providers, servers);
  const failing = failingConnectionProviders(providers).map((verdict) => verdict.name);
  const cause = causeIdentified(findings, judging, unreachable, failing);
  const fromLogs: ReadinessItem[] = [
    cause,
    causeStopped(context, findings, logEnd, cause),
    blocksEnded(providers, logEnd, endWindow(context), servers),
    volumeNormal(context, findings, logEnd),
    fromFinding(
      findings,
      "authentication",
      "spf-dkim-dmarc",
      "SPF and DKIM pass, DMARC published",
      commands.authentication,
      providers.other,
    ),
    fromFinding(
      findings,
      "reverse-dns",
      "ptr",
      "PTR and forward-confirmed reverse DNS valid",
      commands.reverseDns,
      providers.other,
    ),
    ...blocklistItems(findings, judging, dnsItems, commands.blocklists),
  ];
  const route = sendingRouteItem(context, judging, logEnd);
  if (route !== null) fromLogs.push(route);
  // What DNS shows now replaces what the logs showed: a record fixed after the last
  // rejection is ready. No DNS block list shows a receiver's own list, so the blocklists item
  // from DNS still names how to check that one.
  const items = fromLogs.map((item) => {
    const dns = dnsItems.find((entry) => entry.id === item.id);
    return dns === undefined ? item : withOwnListCheck(dns, findings, "dns", judging);
  });
  const affected = Object.entries(judging).filter(
    ([, verdict]) => verdict !== undefined && verdict.status !== "ok",
  );
  const lifted = Object.values(judging).flatMap((verdict) =>
    verdict?.pastBlock === null || verdict === undefined ? [] : [verdict.name],
  );
  if (affected.length === 0 && lifted.length > 0) {
    return { ready: false, summary: liftedSummary(lifted, unreachable), items, removalForms: [] };
  }
  // Gmail and Workspace share one form, so each form is listed once. Requests are matched
  // to forms by IP later, in `withRemovalTargets`. No form goes to a provider whose block
  // replies all say that no request can lift the block, or that only rate-limits a server that
  // is still warming up. Block replies that all name a requirement such as TLS end once it is
  // met, so they get no form either. A provider that accepted mail again after a last block
  // reply more than two hours before the end of the log keeps its form, which the checklist
  // names as open, with a note to wait (`waitNote`).
  const warmUp = warmUpFinding(findings);
  const removalForms: RemovalForm[] = affected
    .flatMap(([provider, verdict]) => {
      if (!hasRemovalForm(provider) || verdict === undefined || !removalApplies(verdict)) return [];
      if (isRequirementBlock(verdict) || isWarmUpThrottle(verdict, warmUp)) return [];
      const form = REMOVAL_FORMS[provider];
      const formRule = removalFormRule(verdict, removalFormRuleOf(provider, verdict));
      const rule = acceptsAgainTooFew(verdict) ? `${waitNote(verdict)} ${formRule}` : formRule;
      return [{ provider: provider as ProviderId, ...form, rule, lastRequest: null }];
    })
    .filter((form, index, all) => all.findIndex((other) => other.url === form.url) === index);
  const failed = items.filter((item) => item.status === "fail" || item.status === "unknown");
  // A "Cause stopped" item that is not checked is not applicable (see `causeStopped`), so the
  // summaries do not list it as something still to check.
  const unchecked = items.filter(
    (item) => item.status === "not-checked" && item.id !== "cause-stopped",
  );
  const open = openItems(failed, openBlocks(providers, logEnd));
  // With no removal form for the receivers that block, there is no request to be ready for.
  const ready = removalForms.length > 0 && failed.length === 0 && unchecked.length === 0;
  // Providers with a form that their requirement replies made unneeded. A receiver without a
  // form, such as a small server of the `other` row, keeps the summary that names whom to ask.
  const requirementBlocks = affected.flatMap(([provider, verdict]) =>
    verdict !== undefined && hasRemovalForm(provider) && isRequirementBlock(verdict)
      ? [verdict]
      : [],
  );
  const blocking = affected.flatMap(([, verdict]) => (verdict === undefined ? [] : [verdict]));
  const onlyRequirements =
    requirementBlocks.length > 0 && blocking.every((verdict) => isRequirementBlock(verdict));
  if (removalForms.length === 0 && onlyRequirements) {
    return { ready, summary: requirementSummary(blocking), items, removalForms };
  }
  // The other summaries name what to do about the remaining providers, so the providers that
  // only need a requirement fixed get a sentence of their own after them.
  const note = requirementNote(requirementBlocks);
  const rejecting = rangeRejectingNames(affected.map(([, verdict]) => verdict));
  if (removalForms.length === 0 && rejecting.length > 0) {
    const othersBlock = affected.length > rejecting.length;
    const summary = rangeRejectionSummary(rejecting, othersBlock, open, unchecked);
    return { ready, summary: withNote(summary, note), items, removalForms };
  }
  if (needsThrottleSummary(affected, removalForms, warmUp)) {
    // Deferrals that name a requirement, such as Gmail's 4.7.29 for TLS, are no rate limit that
    // slowing down lifts, and `note` names those providers on their own.
    const throttled = affected.flatMap(([, verdict]) =>
      verdict?.status === "rate-limited" && !isRequirementBlock(verdict) ? [verdict.name] : [],
    );
    const formNames = affected.flatMap(([provider, verdict]) =>
      verdict !== undefined && removalForms.some((form) => form.provider === provider)
        ? [verdict.name]
        : [],
    );
    const summary = throttleSummary(
      throttled,
      warmUp,
      formNames,
      titleList([...failed, ...unchecked]),
    );
    return { ready: false, summary: withNote(summary, note), items, removalForms };
  }

  const summary = readinessSummary(
    affected.length,
    open,
    unchecked,
    removalForms,
    unreachable,
    failing,
    blockingContacts(
      affected.filter(
        ([, verdict]) => verdict === undefined || !requirementBlocks.includes(verdict),
      ),
    ),
  );
  return { ready, summary: withNote(summary, note), items, removalForms };
}

/** Appends `note` to `summary` as a sentence of its own, unless it is "". */
function withNote(summary: string, note: string): string {
  return note === "" ? summary : `${summary} ${note}`;
}

/**
 * Builds the `blocklists` item, or none when every `ip-blocklisted` reply rejects the server's
 * range and DNS did not check the blocklists. No blocklist check can clear such a rejection, so
 * the `sending-route` item takes the place of the blocklist item.
 */
function blocklistItems(
  findings: readonly Finding[],
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  dnsItems: readonly ReadinessItem[],
  command: string,
): ReadinessItem[] {
  const verdicts = Object.values(providers);
  const rejectedOnly =
    findings.some((f) => f.id === "ip-blocklisted") &&
    rangeRejectingNames(verdicts).length > 0 &&
    !hasListingReply(verdicts);
  if (rejectedOnly && !dnsItems.some((item) => item.id === "blocklists")) return [];
  // Once every provider behind the finding accepts mail again, its replies no longer show a
  // listing, so the item reads as if no reply had named one.
  const listing = findings.filter(
    (f) => f.id !== "ip-blocklisted" || !allProvidersLifted(f, providers),
  );
  return [
    withOwnListCheck(
      fromFinding(
        listing,
        "ip-blocklisted",
        "blocklists",
        "Not on the major blocklists",
        command,
        providers.other,
      ),
      findings,
      "logs",
      providers,
    ),
  ];
}

/** True when every provider whose replies back `finding` lifted its block (`pastBlock`). */
function allProvidersLifted(
  finding: Finding,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): boolean {
  const evidence = finding.evidence as { providers?: Readonly<Record<string, unknown>> };
  const ids = Object.keys(evidence.providers ?? {}) as ProviderKey[];
  return ids.length > 0 && ids.every((id) => (providers[id]?.pastBlock ?? null) !== null);
}

/** How many domains and IPs the suggested commands name. */
const MAX_COMMAND_TARGETS = 3;

/**
 * Placeholders for a domain or IP that the log did not name, each with what replaces it. Each
 * is rejected by the command it appears in, so a command pasted unchanged checks nothing.
 * `delist blocklists` would take `YOUR.SENDING.IP` for a domain, so it gets the bare `IP`.
 */
const DOMAIN_PLACEHOLDER = "DOMAIN";
const CHECK_IP_PLACEHOLDER = UNKNOWN_IP_PLACEHOLDER;
const BLOCKLISTS_IP_PLACEHOLDER = "IP";
const PLACEHOLDER_VALUES: Readonly<Record<string, string>> = {
  [DOMAIN_PLACEHOLDER]: "your sending domain",
  [CHECK_IP_PLACEHOLDER]: "the server's public IP",
  [BLOCKLISTS_IP_PLACEHOLDER]: "the server's public IP",
};

/**
 * Builds the commands that check what logs cannot show, with the server's own domains and
 * IPs where the log named them and placeholders where it did not. The PTR and blocklist
 * commands take the IPs that the replies behind the `reverse-dns` and `ip-blocklisted`
 * findings named, when they named any. The domains come first because `--ip` takes several
 * values and would take them too.
 */
function checkCommands(
  server: ReadinessOptions["server"],
  findings: readonly Finding[],
): {
  authentication: string;
  reverseDns: string;
  blocklists: string;
} {
  // Domains and IPs come from the log, so each is quoted as one shell word.
  const domains = (server?.sendingDomains.slice(0, MAX_COMMAND_TARGETS) ?? []).map(shellQuote);
  const sendingIps = server?.sendingIps ?? [];
  const domainWords = domains.length > 0 ? domains.join(" ") : DOMAIN_PLACEHOLDER;
  const ptrIps = ipsOrFallback(namedIps(findings, "reverse-dns"), sendingIps).map(shellQuote);
  const listedIps = ipsOrFallback(namedIps(findings, "ip-blocklisted"), sendingIps).map(shellQuote);
  return {
    authentication: `delist check ${domainWords}`,
    reverseDns: `delist check ${domainWords} --ip ${ptrIps.join(" ") || CHECK_IP_PLACEHOLDER}`,
    blocklists: `delist blocklists ${[...listedIps, ...domains].join(" ") || BLOCKLISTS_IP_PLACEHOLDER}`,
  };
}

/** Returns the IPs in a finding's `evidence.ips`: those its replies named as the sender's. */
function namedIps(findings: readonly Finding[], id: Finding["id"]): readonly string[] {
  const evidence = findings.find((f) => f.id === id)?.evidence as { ips?: unknown } | undefined;
  const ips = evidence?.ips;
  return Array.isArray(ips) ? ips.filter((ip): ip is string => typeof ip === "string") : [];
}

function ipsOrFallback(named: readonly string[], fallback: readonly string[]): readonly string[] {
  return (named.length > 0 ? named : fallback).slice(0, MAX_COMMAND_TARGETS);
}

/**
 * Builds the summary again once `withRemovalTargets` has matched each form's requests by
 * form and IP. Only the sentence for a report whose items all pass depends on them. A report
 * that is not ready although its items pass, because a finding advises a warm-up, keeps its
 * summary.
 */
export function withTargetSummary(report: ReadinessReport): ReadinessReport {
  const { items, removalForms } = report;
  const open = items.some((item) => item.status !== "pass");
  if (open || removalForms.length === 0 || !report.ready) return report;
  return { ...report, summary: readinessSummary(removalForms.length, [], [], removalForms) };
}

/**
 * Whom to ask about blocks that no removal form lifts: the relay hosts that defer or reject
 * mail, by name, and whether receivers other than relay hosts do too.
 */
export interface BlockContacts {
  readonly relayHosts: readonly string[];
  readonly receivers: boolean;
}

/**
 * Sorts the rows that defer or reject mail into relay hosts and other receivers. A provider's
 * submission host that refused mail counts as a relay host.
 */
function blockingContacts(
  affected: ReadonlyArray<readonly [string, ProviderVerdict | undefined]>,
): BlockContacts {
  const relayHosts = affected.flatMap(([key, verdict]) =>
    verdict !== undefined && actsAsRelayHost(key as ProviderKey, verdict)
      ? [relayHostName(verdict)]
      : [],
  );
  const receivers = affected.some(
    ([key, verdict]) => !actsAsRelayHost(key as ProviderKey, verdict),
  );
  return { relayHosts, receivers };
}

/** Names a relay host's row, or a provider's row by its submission host. */
function relayHostName(verdict: ProviderVerdict): string {
  const host = submissionHostOf(verdict);
  return host === null ? verdict.name : `${verdict.name} at ${host}`;
}

/** Says whether to request removal now, and what is still open or how long to wait. */
export function readinessSummary(
  affected: number,
  failed: readonly OpenItem[],
  unchecked: ReadinessItem[],
  forms: readonly RemovalForm[],
  unreachable: UnreachableProviders = NO_UNREACHABLE,
  failing: readonly string[] = [],
  contacts: BlockContacts = { relayHosts: [], receivers: true },
): string {
  if (affected === 0 && (unreachable.names.length > 0 || failing.length > 0)) {
    return `No provider rejects or defers mail for a sender-side reason in this log, so there is nothing to ask removal for. ${connectionSentences(unreachable, failing)}`;
  }
  if (affected === 0)
    return "No provider rejects or defers mail in this log, so there is nothing to ask removal for.";
  if (forms.length === 0) return noFormSummary(failed, unchecked, contacts);
  // Each form's own rule, listed under this summary, states how often it may be sent, such as
  // Gmail's "at most once every two weeks", so the summary does not repeat it.
  if (failed.length > 0) {
    const still = `Not yet. Still open: ${openList(failed)}.`;
    return causeOpen(failed)
      ? `${still} A request sent before the cause is fixed is wasted.`
      : still;
  }
  if (unchecked.length > 0) {
    return `The checked items are ready. Still to check: ${titleList(unchecked)}.`;
  }
  const waiting = forms.filter(
    (form) => form.lastRequest !== null && !form.lastRequest.nextAllowedNow,
  );
  if (waiting.length > 0 && waiting.length === forms.length) {
    const next = waiting.map((form) => form.lastRequest?.nextAllowedAt ?? "").sort();
    return `Ready, but a removal request was already sent; wait until ${next[next.length - 1]} before sending the next one, and watch whether the block lifts by itself meanwhile.`;
  }
  if (waiting.length > 0) {
    return "Request removal now through the forms below that have no request in the last two weeks.";
  }
  return "Request removal now.";
}

/**
 * Builds the summary for when no removal form applies and some receivers reject direct mail
 * from the server's range. It names the route change that lifts their block in place of a
 * request. The postmaster sentence stays only for `othersBlock`: other receivers that reject
 * or defer mail for another reason.
 */
function rangeRejectionSummary(
  rejecting: readonly string[],
  othersBlock: boolean,
  failed: readonly OpenItem[],
  unchecked: ReadinessItem[],
): string {
  const sentences = [
    `No removal form applies: ${providersDo(rejecting, "rejects", "reject")} mail sent directly from this server's IP range, and neither a removal request nor a blocklist check lifts that.`,
    ROUTE_FIX,
  ];
  if (failed.length > 0) sentences.push(`Still open: ${openList(failed)}.`);
  else if (unchecked.length > 0) sentences.push(`Still to check: ${titleList(unchecked)}.`);
  if (othersBlock) {
    sentences.push(
      "If the other receivers go on rejecting mail once these pass, write to the postmaster of the receiving domain with the reply text.",
    );
  }
  return sentences.join(" ");
}

/**
 * Builds the summary for when every block in the log was lifted before its end (`pastBlock`),
 * so no block is left to ask removal for.
 */
function liftedSummary(lifted: readonly string[], unreachable: UnreachableProviders): string {
  const blocks = lifted.length === 1 ? "its block" : "their blocks";
  const sentences = [
    `No provider rejects or defers mail at the end of this log. ${lifted.join(", ")} accepted mail again after ${blocks}, so there is nothing to ask removal for. Fix the cause all the same, or the block can return.`,
  ];
  if (unreachable.names.length > 0) sentences.push(unreachableSentence(unreachable));
  return sentences.join(" ");
}

/**
 * Builds the summary for when only receivers without a removal form reject or defer mail,
 * such as the small servers of the `other` row.
 */
function noFormSummary(
  failed: readonly OpenItem[],
  unchecked: ReadinessItem[],
  contacts: BlockContacts,
): string {
  const noForm =
    "No removal form applies: delist has none for the receivers that reject or defer mail in this log, or their replies say that a request cannot lift the block.";
  const contact = contactClause(contacts);
  const goOn = `If the rejections or deferrals go on once these pass, ${contact}`;
  if (failed.length > 0) return `${noForm} Still open: ${openList(failed)}. ${goOn}`;
  if (unchecked.length > 0) return `${noForm} Still to check: ${titleList(unchecked)}. ${goOn}`;
  return `${noForm} If the rejections or deferrals go on, ${contact}`;
}

/**
 * Says whom to write to with the reply text: the operator of each relay host that defers or
 * rejects mail, because the recipients' providers never saw that mail, and the postmaster of
 * the receiving domain for the other receivers.
 */
function contactClause(contacts: BlockContacts): string {
  const postmaster = "write to the postmaster of the receiving domain";
  if (contacts.relayHosts.length === 0) return `${postmaster} with the reply text.`;
  const hosts = contacts.relayHosts.join(", ");
  const operator =
    contacts.relayHosts.length === 1
      ? `ask the relay host's operator (${hosts})`
      : `ask the operator of each relay host (${hosts})`;
  if (!contacts.receivers) return `${operator} with the reply text.`;
  return `${operator} with the reply text, and for the other receivers, ${postmaster}.`;
}

/**
 * Joins item titles for use inside a sentence, lower-casing each first word unless it is an
 * acronym such as SPF or PTR.
 */
function titleList(items: readonly ReadinessItem[]): string {
  return items
    .map((item) =>
      /^[A-Z][a-z]/.test(item.title)
        ? item.title.charAt(0).toLowerCase() + item.title.slice(1)
        : item.title,
    )
    .join("; ");
}

/** The providers that the log's servers could not connect to, and those servers. */
interface UnreachableProviders {
  readonly names: readonly string[];
  /** The servers whose attempts to the providers failed (see `serverSubject`). */
  readonly subject: ServerSubject;
}

const NO_UNREACHABLE: UnreachableProviders = {
  names: [],
  subject: serverSubject({}, []),
};

/** Returns the unreachable providers and the servers whose attempts to them failed. */
function unreachableProviders(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  servers: readonly LoggedServer[],
): UnreachableProviders {
  const verdicts = Object.values(providers).filter(
    (verdict): verdict is ProviderVerdict =>
      verdict !== undefined && verdict.status === "unreachable",
  );
  return {
    names: verdicts.map(unreachableName),
    subject: outageSubject(verdicts, servers),
  };
}

/** Names the servers whose attempts failed in the outages of `verdicts`. */
function outageSubject(
  verdicts: readonly ProviderVerdict[],
  servers: readonly LoggedServer[],
): ServerSubject {
  return serverSubject(
    mergeCounts(verdicts.map((verdict) => verdict.outage?.failuresByHost ?? {})),
    servers,
  );
}

/** Starts a sentence on the connections of the subject's servers. Host names keep their case. */
function connectionsOf(subject: ServerSubject): string {
  if (!subject.named)
    return subject.plural ? "These servers' connections" : "This server's connections";
  return subject.plural ? `The connections of ${subject.text}` : `${subject.text}'s connections`;
}

/** Says that unreachable providers judged no mail, because their deferrals are no block. */
function unreachableSentence(unreachable: UnreachableProviders): string {
  return `${subjectAtStart(unreachable.subject)} could not connect to ${unreachable.names.join(", ")}, so no mail reached them to be judged; the fix is under each provider.`;
}

/**
 * Builds the sentences on deferrals that were failed connections, not a provider's judgement.
 * They name the unreachable providers and those whose connections failed now and then.
 */
function connectionSentences(
  unreachable: UnreachableProviders,
  failing: readonly string[],
): string {
  const sentences = unreachable.names.length > 0 ? [unreachableSentence(unreachable)] : [];
  if (failing.length > 0) {
    sentences.push(
      `Connections to ${failing.join(", ")} failed now and then, which delayed some mail but is no block. The verdict says what to test.`,
    );
  }
  return sentences.join(" ");
}

function causeIdentified(
  findings: readonly Finding[],
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  unreachable: UnreachableProviders,
  failing: readonly string[],
): ReadinessItem {
  const item = { id: "cause-identified", title: "Cause found" };
  const causes = findings.filter((f) => f.role === "cause");
  if (causes.length > 0) {
    return {
      ...item,
      status: "pass",
      detail: `Likely cause: ${causes.map((f) => f.id).join(", ")}.`,
    };
  }
  // A lifted block still had a cause, and knowing it keeps the block from returning.
  const blocked = Object.values(providers).some(
    (v) => v !== undefined && (v.status !== "ok" || v.pastBlock !== null),
  );
  if (!blocked) {
    // Not a pass: with nothing blocked there is no cause to find. The schema has no
    // "not applicable" status, so the detail says it.
    return {
      ...item,
      status: "not-checked",
      detail:
        (unreachable.names.length === 0 && failing.length === 0
          ? "Not applicable: no provider rejects or defers mail in this log."
          : `Not applicable: no provider rejects or defers mail for a sender-side reason in this log. ${connectionSentences(unreachable, failing)}`) +
        (hasFewDomainBlock(providers.other)
          ? ` The rejections or deferrals of other receivers come from fewer than ${OTHER_MIN_DOMAINS} domains, too few to count as a block.`
          : ""),
    };
  }
  const blockedIds = Object.entries(providers).flatMap(([id, v]) =>
    v !== undefined && (v.status !== "ok" || v.pastBlock !== null) ? [id] : [],
  );
  const relayHostRows = blockedIds.every((id) =>
    actsAsRelayHost(id as ProviderKey, providers[id as ProviderKey]),
  );
  if (relayHostRows) {
    const names = blockedIds.map((id) => {
      const verdict = providers[id as ProviderKey];
      return verdict === undefined ? id : relayHostName(verdict);
    });
    const [refuse, operator] =
      names.length === 1
        ? [`Only ${names.join("")} refuses mail`, "the relay host's operator"]
        : [`Only the relay hosts ${names.join(", ")} refuse mail`, "each relay host's operator"];
    return {
      ...item,
      status: "unknown",
      detail: `${refuse}, and the log does not show why beyond the replies. Ask ${operator} what limit or rule it applies to this server's account.`,
    };
  }
  return {
    ...item,
    status: "unknown",
    detail:
      "The log shows the rejections or deferrals but not their cause. Check DNS, blocklists and the message content.",
  };
}

/**
 * Names the two hours before `logEnd` in the item's details. Without log lines, `logEnd` is
 * the date of the latest bounce message, so the window ends there.
 */
function endWindow(context: DiagnoseContext): EndWindow {
  return context.facts.mtaEvents === 0
    ? {
        phrase: "in the two hours up to the date of the latest bounce message",
        bouncesOnly: true,
      }
    : { phrase: "in the last two hours of the log", bouncesOnly: false };
}

/** The phrase that names the last two hours, and whether only bounce messages date them. */
interface EndWindow {
  readonly phrase: string;
  readonly bouncesOnly: boolean;
}

/** Bounce messages show failed and delayed mail only, never mail that was accepted. */
const BOUNCES_ONLY_NOTE =
  "No mail log was given, and bounce messages show only failed or delayed mail, so give the mail logs to check whether later mail was accepted.";

function blocksEnded(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number,
  window: EndWindow,
  servers: readonly LoggedServer[],
): ReadinessItem {
  const ongoing = Object.values(providers).filter((v) => v !== undefined && v.ongoing);
  // A block that stopped but is not known to be lifted keeps the provider's status, so the
  // item fails with it rather than read as over next to that status.
  const undecided = Object.values(providers).filter(
    (v): v is ProviderVerdict => v !== undefined && acceptsAgainTooFew(v),
  );
  const failing = failingAtEnd(providers, logEnd);
  // A block already names these providers, so only the others get the suspended note.
  const suspended = suspendedProviders(providers).filter((verdict) => !verdict.ongoing);
  if (Object.keys(providers).length === 0) {
    return {
      id: "blocks-ended",
      title: "Rejections and deferrals have stopped",
      status: "not-checked",
      detail: "Not applicable: the log shows no outbound delivery.",
    };
  }
  const stopped =
    ongoing.length === 0 &&
    undecided.length === 0 &&
    failing.length === 0 &&
    suspended.length === 0;
  return {
    id: "blocks-ended",
    title: "Rejections and deferrals have stopped",
    status: stopped ? "pass" : "fail",
    detail: stopped
      ? endedDetail(providers, logEnd, window)
      : [
          ongoingDetail(
            ongoing.filter((v) => v !== undefined),
            logEnd,
            window.phrase,
            servers,
          ),
          ...undecided.map(undecidedBlockSentence),
          namesLiftRule(ongoing, undecided) ? LIFT_RULE_TEXT : "",
          failingDetail(failing, window.phrase),
          suspendedNote(suspended).trim(),
          window.bouncesOnly ? BOUNCES_ONLY_NOTE : "",
        ]
          .filter((detail) => detail !== "")
          .join(" "),
  };
}

/**
 * True when the detail of the blocks-ended item names a provider that accepts mail again
 * without having lifted its block (see `recentBlockSentence` and `undecidedBlockSentence`), so
 * that the detail needs the lift rule.
 */
function namesLiftRule(
  ongoing: readonly (ProviderVerdict | undefined)[],
  undecided: readonly ProviderVerdict[],
): boolean {
  if (undecided.length > 0) return true;
  return ongoing.some(
    (v) => v !== undefined && v.outage?.ongoing !== true && acceptsAgainTooEarly(v),
  );
}

/**
 * Returns the providers whose connection failures still go on (see `connectionsFailing` of the
 * verdict) and whose latest failure that no retry delivered falls in the last two hours before
 * `logEnd`. Their mail is still delayed, although no single run of failures makes them
 * unreachable.
 */
function failingAtEnd(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number,
): ProviderVerdict[] {
  return failingConnectionProviders(providers).filter((verdict) =>
    inLastHours(verdict.lastUnretriedConnectionFailure, logEnd),
  );
}

/**
 * Returns the note before the form of a provider that accepted too few deliveries since its last
 * block reply to call the block lifted. It may take the mail already, so a request waits until
 * its block replies come back.
 */
function waitNote(verdict: ProviderVerdict): string {
  const accepted = plural(verdict.acceptedSinceLastBlock ?? 0, "delivery", "deliveries");
  return `${verdict.name} has accepted ${accepted} since its last block reply at ${verdict.lastBlock?.time ?? "?"}, so wait: send the form only if its block replies come back.`;
}

/**
 * Names the providers that fail the "Rejections and deferrals have stopped" item, as
 * `blocksEnded` judges them: those whose block goes on or is not known to be lifted, and those
 * that connections still fail to reach.
 */
function openBlocks(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number,
): OpenBlocks {
  const verdicts = Object.values(providers).filter((verdict) => verdict !== undefined);
  const unreachable = verdicts.filter((v) => v.ongoing && v.outage?.ongoing === true);
  // Each provider gets one state: a provider that accepted deliveries after a recent block
  // reply is named with those, not with the ones that still reject.
  const acceptingAgain = verdicts.filter(
    (v) => !unreachable.includes(v) && acceptsAgainTooEarly(v),
  );
  const rejecting = verdicts.filter(
    (v) => !unreachable.includes(v) && !acceptingAgain.includes(v) && v.ongoing,
  );
  const undecided = verdicts.filter((v) => !unreachable.includes(v) && acceptsAgainTooFew(v));
  const failing = failingAtEnd(providers, logEnd).filter(
    (v) =>
      !unreachable.includes(v) &&
      !rejecting.includes(v) &&
      !undecided.includes(v) &&
      !acceptingAgain.includes(v),
  );
  const [only] = rejecting;
  return {
    rejecting: rejecting.map((v) => v.name),
    undecided: undecided.map((v) => v.name),
    acceptingAgain: acceptingAgain.map((v) => v.name),
    rejectingVerb:
      rejecting.length === 1 && only !== undefined ? recentBlockVerb(only, logEnd) : null,
    rejectingVerbs: Object.fromEntries(
      rejecting.map((v) => [v.name, recentBlockVerb(v, logEnd)] as const),
    ),
    unreachable: [...unreachable.map(unreachableName), ...failing.map((v) => v.name)],
  };
}

/** Builds the detail that names the providers whose connections still fail now and then. */
function failingDetail(failing: readonly ProviderVerdict[], window: string): string {
  if (failing.length === 0) return "";
  const sentences = failing.map(
    (verdict) =>
      `Connections to ${verdict.name} still failed ${window}, the last at ${verdict.lastUnretriedConnectionFailure ?? "?"} (${repeatedConnectionFailures(verdict)} of ${verdict.attempts} delivery attempts failed to connect).`,
  );
  const expired = expiredMailNote(failing);
  const effect = expired === "" ? ", so it was delayed but not rejected." : `.${expired}`;
  return `${sentences.join(" ")} That mail was deferred and retried${effect} The verdict says what to test.`;
}

/**
 * Builds the detail for when no provider blocks in the last two hours. Connection failures
 * in that window that make no provider unreachable or failing (see `failingAtEnd`) do not fail
 * the item, but they deferred mail, so the detail names them and gives the reason they do not
 * count.
 * Failures that a later attempt delivered get a clause of their own, because they are over.
 */
function endedDetail(
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number,
  window: EndWindow,
): string {
  const verdicts = Object.values(providers).filter((verdict) => verdict !== undefined);
  const pending = verdicts.filter((verdict) =>
    inLastHours(verdict.lastUnretriedConnectionFailure, logEnd),
  );
  const retried = verdicts.filter(
    (verdict) => !pending.includes(verdict) && inLastHours(verdict.lastConnectionFailure, logEnd),
  );
  const ended = `No provider rejects or defers mail ${window.phrase}.`;
  if (pending.length === 0 && retried.length === 0) {
    return window.bouncesOnly ? `${ended} ${BOUNCES_ONLY_NOTE}` : ended;
  }
  const names = (list: readonly ProviderVerdict[]) => list.map(failedName).join(", ");
  const sentences = [
    `No provider rejects or defers mail for a sender-side reason ${window.phrase}.`,
    ...pending.map(
      (verdict) =>
        `Connections to ${failedName(verdict)} failed then, and that mail was deferred for a retry, but ${uncountedReason(verdict)}.`,
    ),
    ...(retried.length > 0
      ? [
          `Connections to ${names(retried)} failed then, and a later attempt of each of those messages reached the receiver.`,
        ]
      : []),
  ];
  return sentences.join(" ");
}

/** Names a row whose connections failed: the `other` row by the domains that failed at the end. */
function failedName(verdict: ProviderVerdict): string {
  const domains = verdict.failedDomainsAtEnd ?? [];
  if (domains.length === 0) return verdict.name;
  if (domains.length >= OTHER_MIN_DOMAINS) return `other receivers of ${domains.length} domains`;
  return listNames(domains);
}

/** Returns the reason that a row's failed connections at the end of the log leave the item passing. */
function uncountedReason(verdict: ProviderVerdict): string {
  const domains = verdict.failedDomainsAtEnd;
  if (domains === null && repeatedConnectionFailures(verdict) > 0) {
    return `${verdict.name} accepted enough mail after the last failure to count as recovered`;
  }
  if (domains === null) {
    return `they failed too rarely to count, which takes ${OUTAGE_MIN_FAILURES} failures and a tenth of the attempts`;
  }
  if (domains.length === 0) {
    return "a later delivery or SMTP reply reached each of their domains, so none still fails";
  }
  if (domains.length < OTHER_MIN_DOMAINS) {
    return `failures at fewer than ${OTHER_MIN_DOMAINS} domains point at those receivers, not at this server`;
  }
  // Here 3 or more domains still fail, but they began to fail after the row's latest delivery
  // or reply, so the outage does not go on at them (see `failsAtEnoughDomains`). Their failures
  // also came too few in a row to make an outage of their own.
  const outage = verdict.outage;
  if (outage?.recovered === true) {
    return `the row accepted enough mail after its ${outage.failures} failures in a row to count as recovered, and fewer than ${OUTAGE_MIN_FAILURES} of the later failures came in a row`;
  }
  return `fewer than ${OUTAGE_MIN_FAILURES} in a row failed, which makes no outage`;
}

/**
 * Builds the detail that names the providers still blocking mail or still unreachable. A
 * provider whose last block reply came in the last two hours of the log gets the time of that
 * reply and the deliveries accepted since (see `recentBlockSentence`). One whose last block
 * reply came before still blocks when it accepted none of the attempts after it, and the detail
 * names those attempts.
 */
function ongoingDetail(
  ongoing: readonly ProviderVerdict[],
  logEnd: number,
  window: string,
  servers: readonly LoggedServer[],
): string {
  const unreachable = ongoing.filter((v) => v.outage?.ongoing === true);
  const blockingNow = ongoing.filter((v) => v.outage?.ongoing !== true);
  const blocking = blockingNow.filter(
    (v) => v.unacceptedAttempts === null || inLastHours(v.lastBlock?.time, logEnd),
  );
  const sentences = blockingNow.flatMap((v) =>
    v.unacceptedAttempts === null || blocking.includes(v)
      ? []
      : [unacceptedSentence(v.name, v.unacceptedAttempts)],
  );
  sentences.push(...blocking.map((v) => recentBlockSentence(v, window, logEnd)));
  if (unreachable.length > 0) {
    sentences.push(
      `${connectionsOf(outageSubject(unreachable, servers))} to ${unreachable.map(unreachableName).join(", ")} still failed ${window}, so no mail reached them; the fix is under each provider.`,
    );
  }
  return sentences.join(" ");
}

/**
 * Describes the last attempts of a provider that accepted none of them, such as "The last 270
 * attempts to Outlook.com were rejected, the last at ..., and none was accepted after."
 */
function unacceptedSentence(name: string, unaccepted: UnacceptedAttemptsReport): string {
  const { attempts, last, lastAccepted } = unaccepted;
  const verb = unacceptedVerb(unaccepted);
  const count = attempts.toLocaleString("en-US");
  if (lastAccepted === null && attempts === 1) {
    return `The only attempt to ${name} was ${verb}, at ${last}.`;
  }
  if (lastAccepted === null) {
    return `All ${count} attempts to ${name} were ${verb}, the last at ${last}, and none was accepted.`;
  }
  const accepted = `${name} last accepted mail at ${lastAccepted}.`;
  if (attempts === 1) return `The last attempt to ${name} was ${verb}, at ${last}. ${accepted}`;
  return `The last ${count} attempts to ${name} were ${verb}, the last at ${last}, and none was accepted after. ${accepted}`;
}

/** Returns "rejected", "deferred" or "rejected or deferred" for the attempts. */
function unacceptedVerb(unaccepted: UnacceptedAttemptsReport): string {
  if (unaccepted.rejected === unaccepted.attempts) return "rejected";
  if (unaccepted.rejected === 0) return "deferred";
  return "rejected or deferred";
}

function volumeNormal(
  context: DiagnoseContext,
  findings: readonly Finding[],
  logEnd: number,
): ReadinessItem {
  // The latest burst decides, because volume is back to normal only once it has ended.
  const burst = outboundBursts(context).at(-1) ?? null;
  const daily =
    burst === null
      ? dailyVolumeItem(context, { findings, logEnd, stoppedAfterMs: STOPPED_AFTER_MS })
      : null;
  if (daily !== null) return daily;
  if (context.facts.mtaEvents === 0) {
    return {
      id: "volume-normal",
      title: "Volume back to normal",
      status: "not-checked",
      detail:
        "No mail log lines were read, and bounce messages show only the mail that failed or was delayed, not how much was sent; " +
        `give the mail logs (${rotatedLogNames(context.facts.server.mtas)}) to check the volume.`,
    };
  }
  const firstTime = context.facts.firstTime;
  // A burst is measured against the same hours of an earlier day, which the log may lack.
  const tooShort = firstTime !== null && logEnd - firstTime < DAY_MS;
  if (burst === null && (tooShort || uncomparedBurst(context) !== null)) {
    return {
      id: "volume-normal",
      title: "Volume back to normal",
      status: "not-checked",
      detail:
        "The log starts less than a day before its busiest hours, so it cannot show the usual volume for them; " +
        `give the rotated logs of the days before (${rotatedLogNames(context.facts.server.mtas)}).`,
    };
  }
  if (burst === null) {
    return {
      id: "volume-normal",
      title: "Volume back to normal",
      status: "pass",
      detail: `No volume burst in the log.${highVolumeNote(findings)}`,
    };
  }
  const ended = burst.endHour + HOUR_MS < logEnd - STOPPED_AFTER_MS;
  return {
    id: "volume-normal",
    title: "Volume back to normal",
    status: ended ? "pass" : "fail",
    detail: ended
      ? `The burst ended at ${context.time(burst.endHour + HOUR_MS)}.`
      : "Outbound volume is still far above its usual level at the end of the log.",
  };
}

/**
 * Builds the sentence that names the steady bulk volume of the `high-volume` finding, or "" when
 * there is none. A steady high volume is no burst, so the item still passes.
 */
function highVolumeNote(findings: readonly Finding[]): string {
  const evidence = findings.find((f) => f.id === "high-volume")?.evidence as
    { peakRecipientsPerDay?: unknown; peakRecipientsPerHour?: unknown } | undefined;
  const perDay = evidence?.peakRecipientsPerDay;
  const perHour = evidence?.peakRecipientsPerHour;
  if (typeof perDay !== "number" || typeof perHour !== "number") return "";
  return ` The volume is high but steady (high-volume): up to ${perDay.toLocaleString("en-US")} recipients a day and ${perHour.toLocaleString("en-US")} an hour, so receivers apply their bulk-sender rules to it.`;
}

/**
 * Tells whether an `authentication` finding concerns forwarded mail only, whose failures name
 * other people's domains and show nothing about the server's own records.
 */
function isOnlyForwardedMail(found: Finding): boolean {
  const evidence = found.evidence as { onlyForwardedMail?: unknown };
  return found.id === "authentication" && evidence.onlyForwardedMail === true;
}

/**
 * Builds the item of a finding. A finding whose replies all come from the `other` row, while
 * that row's block counts too few domains to set its status (see `hasFewDomainBlock`), leaves
 * the item unchecked, because one or two small receivers' rules prove no fault.
 */
function fromFinding(
  findings: readonly Finding[],
  findingId: Finding["id"],
  id: string,
  title: string,
  command: string,
  other: ProviderVerdict | undefined,
): ReadinessItem {
  const found = findings.find((f) => f.id === findingId);
  if (found !== undefined && onlyFewDomains(found, other)) {
    return {
      id,
      title,
      status: "not-checked",
      detail: `Only receivers of fewer than ${OTHER_MIN_DOMAINS} domains rejected or deferred mail for this (${findingId}), too few to call it a cause; check it with ${codeSpan(command)}.${placeholderHint(command)}`,
    };
  }
  if (found !== undefined && isOnlyForwardedMail(found)) {
    return {
      id,
      title,
      status: "not-checked",
      detail: `Receivers rejected or deferred only forwarded mail of other domains for this (${findingId}), which shows nothing about your own records: stop forwarding the mail that fails, as the finding says, and check your own with ${codeSpan(command)}.${placeholderHint(command)}`,
    };
  }
  if (found !== undefined) {
    return {
      id,
      title,
      status: "fail",
      detail: `Receivers rejected or deferred mail for this (${findingId}); fix it, then confirm with ${codeSpan(command)}.${placeholderHint(command)}`,
    };
  }
  return {
    id,
    title,
    status: "not-checked",
    detail: `Logs cannot show this; run ${codeSpan(command)}${command.startsWith("delist check") ? " (or diagnose without --offline)" : ""}.${placeholderHint(command)}`,
  };
}

/** True when every reply behind `finding` is the `other` row's and that row's block is too small. */
function onlyFewDomains(finding: Finding, other: ProviderVerdict | undefined): boolean {
  const evidence = finding.evidence as { providers?: Readonly<Record<string, unknown>> };
  const ids = Object.keys(evidence.providers ?? {});
  return ids.length > 0 && ids.every((key) => key === "other") && hasFewDomainBlock(other);
}

/** Builds the sentence that names what replaces each placeholder in `command`, or "" for none. */
function placeholderHint(command: string): string {
  const replacements = command
    .split(" ")
    .filter((word) => Object.hasOwn(PLACEHOLDER_VALUES, word))
    .map((word) => `${word} with ${PLACEHOLDER_VALUES[word]}`);
  if (replacements.length === 0) return "";
  return ` Replace ${replacements.join(" and ")}, which the log does not name.`;
}
