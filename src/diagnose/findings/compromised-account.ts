import type { OriginFacts } from "../../analysis/origins.js";
import type { MtaName } from "../../logs/events.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding, LogSample } from "../types.js";
import { REFERENCES, finding, listNames, plural } from "./build.js";
import { codeSpan, shellQuote } from "../shell-quote.js";
import { judgeClientSpread, type ClientSpread } from "./compromised-account-networks.js";
import { findSuspects, type Suspect } from "./compromised-account-suspects.js";
import { mtaStep } from "./mta-steps.js";
import { originHosts, type OriginHosts } from "./origin-hosts.js";
import { deleteQueuedStep, holdQueuedStep } from "./queue-commands.js";
import { STOPPED_AFTER_MS } from "../suspect-sending.js";

/**
 * `compromised-account`: an SMTP AUTH account sends far above its own usual hourly volume,
 * from client addresses it had not used before (stolen passwords are used from botnets),
 * to many distinct recipients. A busy account from its usual office address is a campaign,
 * not a compromise, and is left to the volume findings.
 *
 * A log of a few hours contains too little of an account's own mail for a usual volume, and
 * often only the abuse itself. Such an account is compared with the busiest hours of all
 * accounts instead, and needs more new addresses and `BURST_MIN_EXCESS` distinct recipients.
 * When that comparison finds nothing, as on an office server with two or three mailboxes, the
 * account is compared with the busiest other account or with a level one person sends by hand.
 * That comparison needs more new addresses still (see `findSuspects`).
 *
 * Only new addresses spread over several networks, with mail that receivers rejected or
 * deferred, make the finding CRITICAL. New addresses in one or two networks, or in several
 * networks whose mail receivers accepted, are often a CRM or newsletter service's pool. They get
 * a warning or, when the `volume-spike` finding already names the account, nothing (see
 * `judgeClientSpread`). `raiseCauseSeverity` later raises a warning that is a cause to the
 * severity of a critical consequence at a provider that rejected the account's mail.
 */
export function detectCompromisedAccounts(context: DiagnoseContext): Finding[] {
  const findings: Finding[] = [];
  const suspects = findSuspects(context.facts).sort(
    (a, b) => b.account.recipients - a.account.recipients,
  );
  for (const suspect of suspects) {
    const spread = judgeClientSpread(context, suspect);
    if (spread.kind === "spread") findings.push(compromisedFinding(context, suspect, spread));
    else if (spread.kind !== "volume-spike") findings.push(poolFinding(context, suspect, spread));
  }
  return findings;
}

function compromisedFinding(
  context: DiagnoseContext,
  suspect: Suspect,
  spread: ClientSpread,
): Finding {
  const { account } = suspect;
  const usage = newAddressUse(suspect);
  const hosts = originHosts(context.facts, account);
  return finding("compromised-account", {
    severity: "critical",
    role: "cause",
    title: `Account ${account.name}${hosts.phrase} looks compromised: ${plural(usage.messages, "message")} from ${plural(usage.ips.length, "new address", "new addresses")} in ${plural(spread.networks.length, "network")}`,
    summary: burstSentence(context, suspect, usage, spread),
    evidence: burstEvidence(context, suspect, usage, spread, hosts),
    samples: [firstSubmissionSample(context, suspect, usage)],
    fix: [
      `Change the password of ${account.name} now and end its sessions.${otherSpellingsNote(account)}${endSessionsNote(context, account)}`,
      deleteQueuedStep(sendersOf(account), hosts.mtas),
      "Block the addresses it logged in from, and limit SMTP AUTH attempts (fail2ban on the submission port).",
      sendingLimitStep(
        "Add a per-account sending limit so the next stolen password cannot send thousands.",
        hosts.mtas,
      ),
      "Check the account holder's devices for malware before giving the account back.",
    ],
    references: [REFERENCES.gmailSenderForm],
  });
}

/**
 * The sending limit for one SMTP AUTH account, by MTA. Neither Postfix nor Sendmail
 * counts messages per account by itself, so they need a policy service or a milter.
 */
const SENDING_LIMITS: Readonly<Record<MtaName, string>> = {
  postfix: "a policy service such as policyd",
  exim: "a `ratelimit` ACL condition keyed on `$authenticated_id`",
  sendmail: "a milter that limits the messages of each authenticated user",
};

/** Builds a step of `lead` followed by the sending limit of each MTA of `mtas`. */
export function sendingLimitStep(lead: string, mtas: ReadonlySet<MtaName>): string {
  return mtaStep(lead, SENDING_LIMITS, mtas);
}

/**
 * Builds the warning for a burst from new addresses that a sending service's pool explains as
 * well as a stolen password does: addresses in one or two networks, or in more networks when
 * receivers accepted the mail. Mail that receivers often rejected makes it a likely cause of
 * their block, and leaves spam in the queue to delete. Mailbox logins from the new addresses
 * settle it as a stolen password (see `stolenPasswordFinding`).
 */
function poolFinding(context: DiagnoseContext, suspect: Suspect, spread: ClientSpread): Finding {
  const { account } = suspect;
  const usage = newAddressUse(suspect);
  const hosts = originHosts(context.facts, account);
  const rejected = spread.kind === "rejected-pool";
  const logins = mailboxLogins(context, account.key, new Set(usage.ips));
  if (logins.length > 0) {
    return stolenPasswordFinding(context, suspect, usage, spread, hosts, logins.length);
  }
  const title =
    `Account ${account.name}${hosts.phrase} sent ${plural(usage.messages, "message")} from ` +
    `${plural(usage.ips.length, "new address", "new addresses")} in ${plural(spread.networks.length, "network")}`;
  const rejectedSentence =
    ` But receivers rejected or deferred ${spread.blockedAttempts.toLocaleString("en-US")} ` +
    `of its ${plural(spread.attempts, "delivery attempt")} for spam, reputation or rate, so ` +
    "the mail may be a stolen password's spam.";

  return finding("compromised-account", {
    severity: "warning",
    role: rejected ? "cause" : "contributing",
    title: rejected
      ? `${title}, and receivers rejected or deferred its mail`
      : acceptedTitle(title, spread),
    summary:
      burstSentence(context, suspect, usage, spread) +
      poolSentence(spread) +
      (rejected ? rejectedSentence : acceptedSentence(spread)) +
      loginSentence(context, suspect, usage),
    evidence: burstEvidence(context, suspect, usage, spread, hosts),
    samples: [firstSubmissionSample(context, suspect, usage)],
    fix: poolFixes(context, suspect, usage, spread, hosts.mtas),
    references: [rejected ? REFERENCES.gmailSenderForm : REFERENCES.gmailGuidelines],
  });
}

/**
 * Builds the pool warning of an account whose new addresses also logged in to the mailbox,
 * which a sending service does not do. The summary leads with the conclusion, a stolen
 * password, and gives the pool reading one sentence. The fixes stop the sending and delete the
 * queued spam without asking the holder about a sending service.
 */
function stolenPasswordFinding(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
  spread: ClientSpread,
  hosts: OriginHosts,
  loginAddresses: number,
): Finding {
  const { account } = suspect;
  const rejected = spread.kind === "rejected-pool";
  const title =
    `Account ${account.name}${hosts.phrase} sent ${plural(usage.messages, "message")} from ` +
    `${plural(usage.ips.length, "new address", "new addresses")} in ${plural(spread.networks.length, "network")}`;
  const blocked = rejected
    ? ` Receivers rejected or deferred ${spread.blockedAttempts.toLocaleString("en-US")} of its ` +
      `${plural(spread.attempts, "delivery attempt")} for spam, reputation or rate.`
    : acceptedSentence(spread);
  const otherReading =
    ` The addresses lie in ${listNames(spread.networks)}, as a CRM or newsletter service's pool ` +
    "might, but such a service makes no mailbox logins.";
  const reason = `mailbox logins came from ${loginAddresses} of its new addresses`;

  return finding("compromised-account", {
    severity: "warning",
    role: rejected ? "cause" : "contributing",
    title: `${title}, and the mailbox logins show a stolen password`,
    summary:
      `A stolen password: ${loginSentence(context, suspect, usage).trim()} ` +
      burstSentence(context, suspect, usage, spread) +
      blocked +
      otherReading,
    evidence: burstEvidence(context, suspect, usage, spread, hosts),
    samples: [firstSubmissionSample(context, suspect, usage)],
    fix: [
      `Stop the sending first, because ${reason}: change the password of ${account.name} now, end its sessions and block the addresses it logged in from.${otherSpellingsNote(account)}${endSessionsNote(context, account)}`,
      deleteQueuedStep(sendersOf(account), hosts.mtas),
      sendingLimitStep(
        "Add a per-account sending limit so the next stolen password cannot send thousands.",
        hosts.mtas,
      ),
    ],
    references: [rejected ? REFERENCES.gmailSenderForm : REFERENCES.gmailGuidelines],
  });
}

/**
 * Builds the fixes of a pool finding, with the commands of `mtas`. They ask the account holder
 * about a sending service first, unless `stopFirstReason` finds a reason to stop the sending
 * before the holder replies.
 */
function poolFixes(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
  spread: ClientSpread,
  mtas: ReadonlySet<MtaName>,
): string[] {
  const { account } = suspect;
  const rejected = spread.kind === "rejected-pool";
  const ask = `Ask the holder of ${account.name} whether a CRM, newsletter or other sending service sends as the account from ${listNames(spread.networks)}.`;
  const reason = stopFirstReason(context, suspect, usage, spread);
  const service =
    reason === null
      ? "If a service sends it, give"
      : "If a service sends it, release its held mail and give";
  const serviceStep = sendingLimitStep(
    rejected
      ? `${service} the service an account of its own with a per-account sending limit, and let it send only to recipients who opted in.`
      : `${service} the service an account of its own with a per-account sending limit, so that a stolen mailbox password cannot send as much.`,
    mtas,
  );
  if (reason === null) {
    return [
      ask,
      `If nobody does, treat the password as stolen: change it now, end the account's sessions and block the addresses it logged in from.${otherSpellingsNote(account)}${endSessionsNote(context, account)}`,
      ...(rejected ? [deleteQueuedStep(sendersOf(account), mtas)] : []),
      serviceStep,
    ];
  }
  return [
    `Stop the sending first, because ${reason}: change the password of ${account.name} now, end its sessions and block the addresses it logged in from.${otherSpellingsNote(account)}${endSessionsNote(context, account)}`,
    holdQueuedStep(sendersOf(account), mtas),
    `Then ${ask.charAt(0).toLowerCase()}${ask.slice(1)}`,
    `If nobody does, the password was stolen. ${deleteQueuedStep(sendersOf(account), mtas)}`,
    serviceStep,
  ];
}

/**
 * Says that mailbox logins came from the new addresses, which weakens the pool reading, or
 * returns "" when none did. The burst sentence already names the new addresses, so the
 * sentence names only a part of them again.
 */
function loginSentence(context: DiagnoseContext, suspect: Suspect, usage: NewAddressUse): string {
  const logins = mailboxLogins(context, suspect.account.key, new Set(usage.ips));
  if (logins.length === 0) return "";
  const ips = new Set(logins.map((login) => login.ip));
  const addresses =
    ips.size === usage.ips.length
      ? `${usage.ips.length === 1 ? "the new address" : "all the new addresses"}`
      : listNames([...ips]);
  return ` Mailbox logins came from ${addresses}, which a sending service does not make.`;
}

/**
 * Returns why the sending must stop before the account holder replies, or null. A burst whose
 * mail receivers rejected and that still went on in the last `STOPPED_AFTER_MS` of the log
 * keeps hurting the server's reputation while the admin waits for the reply. Mailbox logins
 * from the new addresses settle the finding before this (see `stolenPasswordFinding`).
 */
function stopFirstReason(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
  spread: ClientSpread,
): string | null {
  const reasons: string[] = [];
  const logEnd = context.facts.lastTime;
  const running = logEnd !== null && usage.lastTime >= logEnd - STOPPED_AFTER_MS;
  if (running && spread.kind === "rejected-pool") {
    reasons.push("its rejected burst still went on in the last two hours of the log");
  }
  return reasons.length === 0 ? null : reasons.join(", and ");
}

/**
 * Says where the new addresses lie and what that points to. Three or more networks are many
 * for a service's pool, but a service with servers in several regions reaches them, and so
 * does a dual-stack server, whose IPv4 and IPv6 networks count as two.
 */
function poolSentence(spread: ClientSpread): string {
  const networks = listNames(spread.networks);
  if (spread.kind !== "accepted-spread") {
    return (
      ` These addresses lie in ${networks}, as a CRM or newsletter service's pool does, while a ` +
      "stolen password is usually used from many unrelated networks."
    );
  }
  const bothFamilies =
    spread.networks.some((network) => network.includes(":")) &&
    spread.networks.some((network) => !network.includes(":"));
  const dualStack = bothFamilies
    ? " An IPv4 and an IPv6 network may be one dual-stack server, but the log does not show " +
      "which addresses belong to one client, so each counts as a network of its own."
    : "";
  return (
    ` These addresses lie in ${networks}. A stolen password is often used from so many ` +
    "networks, but so is a CRM or newsletter service with servers in several regions." +
    dualStack
  );
}

/** Ends the title of a pool that no receiver rejected by saying that its mail was accepted. */
function acceptedTitle(title: string, spread: ClientSpread): string {
  const accepted = spread.blockedAttempts === 0 && spread.acceptedAttempts > 0;
  return accepted ? `${title}, and receivers accepted its mail` : title;
}

/**
 * Says how much of the mail receivers accepted, the strongest hint that a service sends it, or
 * returns "" when the log shows no delivery attempt of it.
 */
function acceptedSentence(spread: ClientSpread): string {
  if (spread.attempts === 0) return "";
  const blocked =
    spread.blockedAttempts === 0 ? "none" : spread.blockedAttempts.toLocaleString("en-US");
  return (
    ` Receivers accepted ${spread.acceptedAttempts.toLocaleString("en-US")} of its ` +
    `${plural(spread.attempts, "delivery attempt")} and rejected or deferred ${blocked} for ` +
    "spam, reputation or rate."
  );
}

/** The submissions of a suspect's burst from its new client addresses. */
interface NewAddressUse {
  readonly ips: string[];
  readonly firstUse: Suspect["newIps"][number];
  readonly lastTime: number;
  readonly messages: number;
  readonly recipients: number;
}

function newAddressUse(suspect: Suspect): NewAddressUse {
  const { newIps } = suspect;
  const firstUse = newIps.reduce((best, entry) =>
    entry[1].firstTime < best[1].firstTime ? entry : best,
  );
  return {
    ips: newIps.map(([ip]) => ip).sort(),
    firstUse,
    lastTime: Math.max(...newIps.map(([, use]) => use.lastTime)),
    messages: newIps.reduce((sum, [, use]) => sum + use.messages, 0),
    recipients: newIps.reduce((sum, [, use]) => sum + use.recipients, 0),
  };
}

/** Says when the burst began, from which addresses and networks, and how far it rose. */
function burstSentence(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
  spread: ClientSpread,
): string {
  return (
    `From ${context.time(usage.firstUse[1].firstTime)} the account logged in from ` +
    `${addressList(usage.ips)}, in ${plural(spread.networks.length, "network")}, ` +
    `and sent mail to ${plural(usage.recipients, "recipient")}, ` +
    `up to ${suspect.burst.peak.value.toLocaleString("en-US")} an hour${baselineEnding(suspect)}`
  );
}

function burstEvidence(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
  spread: ClientSpread,
  hosts: OriginHosts,
): object {
  const { account, burst } = suspect;
  const firstUse = usage.firstUse[1];
  const google = account.recipientsByOperator.get("google") ?? 0;
  return {
    kind: "sending-burst",
    clientSpread: spread.kind,
    account: account.key,
    host: hosts.host,
    messagesByHost: hosts.messagesByHost,
    // The queue step names these senders, and the reports need them to escape their text.
    senders: sendersOf(account),
    clientIps: usage.ips,
    clientNetworks: spread.networks,
    knownClientIps: [...account.clientIps.keys()]
      .filter((ip) => !usage.ips.includes(ip))
      .slice(0, 10),
    abuseStart: context.time(firstUse.firstTime),
    abuseFirstLine: { file: firstUse.firstPosition.file, line: firstUse.firstPosition.line },
    abuseEnd: context.time(usage.lastTime),
    abusiveSubmissions: usage.messages,
    abusiveRecipients: usage.recipients,
    baselineRecipientsPerHour: burst.baseline,
    baselineSource: baselineSource(suspect),
    peakRecipientsPerHour: burst.peak.value,
    peakHour: context.time(burst.peak.hour),
    distinctRecipients: account.distinctRecipients.size,
    googleShare: account.recipients > 0 ? Math.round((google / account.recipients) * 100) / 100 : 0,
    blockedAttempts: account.blockedAttempts,
    blockedAttemptsByOperator: Object.fromEntries(account.blockedByOperator),
    mailboxLogins: mailboxLogins(context, account.key, new Set(usage.ips)),
  };
}

function firstSubmissionSample(
  context: DiagnoseContext,
  suspect: Suspect,
  usage: NewAddressUse,
): LogSample {
  const [ip, use] = usage.firstUse;
  return context.sample(
    use.firstTime,
    use.firstPosition,
    `first submission as ${suspect.account.name} from ${ip}`,
  );
}

/**
 * Returns the sentence on ending the account's sessions: Dovecot's `doveadm kick` when the log
 * contains Dovecot's own lines. Other hosts may run another IMAP server, and Sendmail and Exim
 * may check SMTP AUTH through Cyrus SASL, so the sentence names no command there. Postfix's
 * SASL is Dovecot's or Cyrus's, and Dovecot often logs to a file of its own, so a Postfix log
 * without Dovecot lines still gets the command, as one case.
 */
function endSessionsNote(context: DiagnoseContext, account: OriginFacts): string {
  const kick = codeSpan(`doveadm kick ${shellQuote(account.name)}`);
  if (context.facts.server.dovecotEvents > 0) return ` Dovecot: ${kick}`;
  const general =
    " The log shows no Dovecot line, so end the sessions in the IMAP or SASL server that this host uses";
  return context.facts.server.mtas.has("postfix")
    ? `${general} (with Dovecot: ${kick}).`
    : `${general}.`;
}

/** Maximum number of envelope senders that the queue step names. */
const MAX_QUEUE_SENDERS = 4;

/**
 * Returns the envelope senders of the account's mail, the most frequent first, for the queue
 * step. An account whose mail the log shows no sender for gets its own name, which is usually
 * its address.
 */
function sendersOf(account: OriginFacts): string[] {
  const senders = [...account.senders]
    .filter(([sender]) => sender !== "")
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_QUEUE_SENDERS)
    .map(([sender]) => sender);
  return senders.length > 0 ? senders : [account.name];
}

/**
 * Names the other spellings of the account that the log shows, or returns "" for none. They
 * count as one account, but a server with case-sensitive user names treats them as several.
 */
function otherSpellingsNote(account: OriginFacts): string {
  if (account.otherSpellings.length === 0) return "";
  return ` The log also spells it ${listNames(account.otherSpellings)}: where user names are case-sensitive, those are other accounts, so check each.`;
}

/**
 * Returns the evidence's `baselineSource`: `own-history`, `other-accounts` for the median
 * busiest hour of the other accounts, `busiest-other-account`, or `hand-sent-level` for the
 * fixed level of mail a person sends by hand.
 */
function baselineSource(
  suspect: Suspect,
): "own-history" | "other-accounts" | "busiest-other-account" | "hand-sent-level" {
  return suspect.comparison === "typical-account" ? "other-accounts" : suspect.comparison;
}

/** Ends the summary sentence with the level the burst was measured against. */
function baselineEnding(suspect: Suspect): string {
  const { baseline } = suspect.burst;
  const noHistory = "the log holds too little of this account's own mail before the burst";
  switch (suspect.comparison) {
    case "own-history":
      return ` against its usual ${baseline}.`;
    case "typical-account":
      return (
        `. A typical account in this log sent mail to ${plural(baseline, "recipient")} ` +
        `in its busiest hour, and ${noHistory} to compare with.`
      );
    case "busiest-other-account":
      return (
        `. No other account in this log sent mail to more than ${plural(baseline, "recipient")} ` +
        `in an hour, and ${noHistory} to compare with.`
      );
    case "hand-sent-level":
      return (
        `. Because ${noHistory}, it was compared with ${plural(baseline, "recipient")} ` +
        `an hour, about the most one person sends by hand.`
      );
  }
}

function mailboxLogins(
  context: DiagnoseContext,
  account: string,
  ips: ReadonlySet<string>,
): Array<{ ip: string; first: string; count: number }> {
  const uses = context.facts.server.logins.get(account) ?? new Map();
  return [...uses]
    .filter(([ip]) => ips.has(ip))
    .map(([ip, use]) => ({ ip, first: context.time(use.firstTime), count: use.count }));
}

/** Names up to five addresses and counts the rest. */
function addressList(ips: readonly string[]): string {
  if (ips.length <= 5) return listNames(ips);
  return `${ips.slice(0, 5).join(", ")} and ${ips.length - 5} more`;
}
