import type { AppliedPolicy } from "../auth/dmarc/applied.js";
import type { DmarcPolicy } from "../auth/dmarc/record.js";
import type { Category, FindingId, Severity } from "../knowledge/categories.js";
import type { ProviderId, ProviderKey } from "../knowledge/providers.js";
import type { DeferralDetailReport } from "./deferral-detail.js";
import type { FrozenReport } from "./frozen.js";
import type { HeldMailReport } from "./held-mail.js";
import type { FatalErrorsReport } from "./fatal-errors.js";
import type { QueueSpaceReport } from "./queue-space.js";
import type { RecipientDomainsReport } from "./recipient-domains.js";
import type { LocalFailureReport, UndeliveredReport } from "./undelivered.js";

/**
 * The finished diagnosis of a log run: what `delist diagnose --format json` prints and what
 * the text and Markdown reports render. Times are ISO 8601 strings in the run's time zone.
 * The shape is documented in `docs/diagnose.schema.json`; bump `schemaVersion` on any
 * change that is not purely additive.
 */
export interface Diagnosis {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "delist"; readonly version: string };
  readonly generatedAt: string;
  readonly input: InputReport;
  readonly server: ServerReport;
  /**
   * The worst provider status, one sentence for the top of the report, and the outbound mail
   * that this server held itself. Held mail leaves the status as it is but makes
   * `delist diagnose` exit 1.
   */
  readonly verdict: {
    readonly status: VerdictStatus;
    readonly summary: string;
    readonly heldByServer: HeldMailReport | null;
    /**
     * Names of the inputs that could not be read while other inputs were (see `UnreadInput`).
     * The status covers only the logs read, and the report headline states that.
     */
    readonly inputsNotRead: readonly string[];
  };
  /** One entry per provider that received mail in the log. */
  readonly providers: Partial<Record<ProviderKey, ProviderVerdict>>;
  /** Delivery results of the busiest recipient domains, across all provider rows. */
  readonly recipientDomains: RecipientDomainsReport;
  /** Findings sorted by severity, causes before consequences. */
  readonly findings: readonly Finding[];
  /** The blocks that no cause or contributing finding explains, with their replies' fixes. */
  readonly unexplainedBlocks: readonly UnexplainedBlock[];
  readonly readiness: ReadinessReport;
  /** The DNS checks of the sending domains and IPs, or null when DNS was not checked. */
  readonly checks: DnsChecksReport | null;
  /** The blocklist look-ups of the sending IPs and domains, or null when none were made. */
  readonly blocklists: BlocklistsSummary | null;
  /**
   * Deferrals and bounces of deliveries to mailboxes and programs on this server, and of
   * hand-offs to a content filter on it.
   */
  readonly localDeliveryFailures: LocalFailureReport;
  /** Bounces that this server's own rules decided on purpose, such as an Exim `:fail:` alias. */
  readonly localPolicyRejections: UndeliveredReport;
  /** Recipients that this server deferred or bounced on its own, without trying any receiver. */
  readonly undeliveredByServer: UndeliveredReport;
  /**
   * Of `localDeliveryFailures`, the deferrals and bounces of outbound mail at a hand-off to a
   * content filter on this host.
   */
  readonly outboundFilterFailures: UndeliveredReport;
  /** Messages that the MTA froze in its queue, and those still frozen at the end of the log. */
  readonly frozenMessages: FrozenReport;
  /** The `fatal:` lines of the MTA's start command and daemons, or null when there is none. */
  readonly mtaFatalErrors: FatalErrorsReport | null;
  /**
   * The lines that show the queue file system short of free space, or null when there is none.
   * It leaves the status as it is but makes `delist diagnose` exit 1.
   */
  readonly queueSpace: QueueSpaceReport | null;
}

/** What the blocklist look-ups found, in short; `delist blocklists` gives every row. */
export interface BlocklistsSummary {
  readonly targets: readonly string[];
  /**
   * Block lists that gave at least one answer to trust (listed or not listed) and passed their
   * test entries. Score and allow lists are not counted. Zero means the blocklists were not
   * checked.
   */
  readonly listsUsed: number;
  readonly listed: ReadonlyArray<{
    readonly target: string;
    readonly list: string;
    readonly meaning: string | null;
    readonly delisting: string | null;
  }>;
  /** Rows that gave no answer to trust: refused, timed out, failed or not asked. */
  readonly unanswered: number;
  /**
   * Of `unanswered`, the look-ups never sent, because the list's test queries got no answer
   * (a name outside the zone files, a timeout) or showed the list unusable in this run.
   */
  readonly notAsked: number;
  /**
   * Run-wide notes, such as a public resolver that Spamhaus refuses. Lists that failed their
   * test entries get one note per cause, naming them.
   */
  readonly notices: readonly string[];
}

/** What the DNS checks found, in short; `delist check` gives the full detail. */
export interface DnsChecksReport {
  /** Where the answers came from: the system resolver, a server, zone files, a replay. */
  readonly resolver: string;
  readonly verdict: "pass" | "warn" | "fail" | "not-checked";
  readonly helo: string | null;
  readonly domains: ReadonlyArray<{
    readonly domain: string;
    readonly verdict: string;
    readonly spf: string;
    /** SPF result per sending IP. */
    readonly spfResults: Readonly<Record<string, string>>;
    readonly spfLookups: number | null;
    readonly dkim: string;
    readonly dkimSelectors: ReadonlyArray<{ readonly selector: string; readonly status: string }>;
    readonly dmarc: string;
    /** The record's `p=`, which applies to the record's own domain. */
    readonly dmarcPolicy: string | null;
    /**
     * The policy receivers apply to the domain, as `delist check` finds it: `p=`, `sp=` or `np=`,
     * and the next weaker policy under `pct=0`. Null without a valid record.
     */
    readonly dmarcAppliedPolicy: DmarcPolicy | null;
    /** The record tag that `dmarcAppliedPolicy` comes from. Null without a valid record. */
    readonly dmarcAppliedPolicyTag: AppliedPolicy["tag"] | null;
    /** The policy that the tag states, before `pct=0` weakens it. Null without a valid record. */
    readonly dmarcStatedPolicy: DmarcPolicy | null;
    /** The record's `pct=`, 100 when the tag is absent. Null without a valid record. */
    readonly dmarcPct: number | null;
  }>;
  readonly ptr: ReadonlyArray<{
    readonly ip: string;
    readonly names: readonly string[];
    readonly forwardConfirmed: boolean;
    /** Whether `helo` is a forward-confirmed PTR name of the IP; null without a HELO name. */
    readonly heloMatches: boolean | null;
    /** Why the PTR was not checked (`not checked: DNS unreachable`); null when it was. */
    readonly error: string | null;
  }>;
}

/**
 * A provider's treatment of the mail, from mild to severe. `unreachable` means that this
 * server could not connect to the provider, so the provider never judged the mail.
 */
export type ProviderStatus = "ok" | "rate-limited" | "unreachable" | "blocked";

/**
 * The overall status of a diagnosis: the worst provider status that sets it, or
 * `no-outbound-delivery`. The latter means that no provider row shows a delivery attempt,
 * expired mail, suspended deferrals or a block, so the log cannot show how receivers treat
 * the mail.
 */
export type VerdictStatus = ProviderStatus | "no-outbound-delivery";

/** What was read and how much of it could not be used. */
export interface InputReport {
  readonly files: readonly InputFileReport[];
  readonly timeZone: string;
  readonly firstTime: string | null;
  readonly lastTime: string | null;
  readonly lines: number;
  readonly records: number;
  /** Lines that parsers understood. */
  readonly parsed: number;
  /** Lines of known MTA programs that carry nothing delist uses. */
  readonly ignored: number;
  /** Lines of known MTA programs that did not parse. */
  readonly unparsed: number;
  /** Lines with no recognisable log framing (garbage, wrapped or truncated lines). */
  readonly unrecognised: number;
  readonly blank: number;
  /** Lines of programs no parser reads (by program), such as `amavis` or `spamd`. */
  readonly otherPrograms: Readonly<Record<string, number>>;
  /** MTA and helper program lines left out as copies of lines of an input read before. */
  readonly copiedLines: number;
  readonly overlong: number;
  readonly withNul: number;
  /**
   * Records cut short by a run of NUL bytes and skipped, with more text after the run on the
   * same line. They are not in `lines`, because the line counts as the text after the run.
   */
  readonly nulCutRecords: number;
  /**
   * Records that syslog repeat markers stood for beyond their own lines (N - 1 for a marker of
   * N copies). The counts after `lines` add up to `lines` plus this number.
   */
  readonly repeatMarkerRecords: number;
  /**
   * Lines left out because they repeated an earlier line of their file exactly (time, host,
   * program, pid and text) after the file's time went back. They are not in `records`, but
   * they are one of the counts after `lines` that add up to it.
   */
  readonly exactRepeatLines: number;
  /**
   * Lines set aside because they are dated before 1990, or more than a day after the run in a
   * log whose stamps carry the year. They are not in `records`, but they are one of the counts
   * after `lines` that add up to it.
   */
  readonly clockFaultLines: number;
  /**
   * Messages whose correlation state the parsers dropped early because too many were open at
   * once; their later lines were read without their earlier ones.
   */
  readonly evictedMessages: number;
  /**
   * Sent, bounced or deferred lines of a remote recipient whose delivery had already ended
   * for the same open message, with no new qmgr or cleanup line for its queue id in between.
   * They are not counted as deliveries, and they are also in `ignored`.
   */
  readonly repeatedDeliveryLines: number;
  readonly mtas: readonly string[];
  /** A few unrecognised and unparsed lines, so the user can see what was skipped. */
  readonly skippedSamples: readonly LogSample[];
  /** What the bounce inputs contained (`--bounces`), or null when none were given. */
  readonly bounces: BounceInputReport | null;
  /** Sentences on the input and on limits the run hit, such as data dropped to bound memory. */
  readonly notes: readonly string[];
}

/** The bounce messages read with `--bounces`. */
export interface BounceInputReport {
  readonly files: ReadonlyArray<{
    readonly name: string;
    readonly messages: number;
    readonly recipients: number;
    /** Errors that exit 2: the file could not be read, or no message of its input could. */
    readonly errors: readonly string[];
    /** Messages or files in it that could not be read and were skipped, named in `input.notes`. */
    readonly skipped: number;
  }>;
  /** Recipient results, and of them: failed, delayed, complaints and auto-replies. */
  readonly results: number;
  readonly failed: number;
  readonly delayed: number;
  readonly complaints: number;
  readonly autoReplies: number;
  /**
   * Recipient results left out because an earlier bounce message gave the same Message-ID,
   * queue id and recipient: the same bounce given twice.
   */
  readonly duplicates: number;
}

export interface InputFileReport {
  readonly name: string;
  readonly kind: string;
  readonly bytes: number;
  readonly lines: number;
  /** MTA and helper program lines left out because an input read before contains them. */
  readonly copiedLines: number;
  readonly error: string | null;
}

/** What the log tells about the sending server itself. */
export interface ServerReport {
  readonly hostnames: readonly string[];
  /**
   * The servers whose mail the log shows, most delivery attempts first: syslog host names, or
   * the MTA and file set of a log without host names (`exim log /var/log/exim4/mainlog`). A
   * general log such as syslog can hold another host's mail lines, and the verdicts count the
   * mail of every server listed here. At most 100 servers are counted.
   */
  readonly hosts: readonly HostReport[];
  /** Addresses that receivers named as the connecting IP (Gmail's bracket, Microsoft's `[ip]`). */
  readonly sendingIps: readonly string[];
  /** Envelope sender domains of outbound mail, most used first. */
  readonly sendingDomains: readonly string[];
  readonly outboundMessages: number;
  readonly outboundRecipients: number;
  /**
   * Messages handed to a content filter on this server (amavis on 127.0.0.1:10024) whose
   * re-queued copy is not in the log, because the log ends first or the copy is in a file that
   * was not read. Their deliveries after the filter are not counted.
   */
  readonly missingFilterCopies: number;
  /**
   * Delivery results that carried no mail: Postfix address-verification probes and Exim
   * deliveries suppressed by `-N`. They are left out of the attempts and the outbound volume,
   * but a probe's refusal still counts as a reply of its provider.
   */
  readonly addressProbes: number;
  /**
   * Messages that expired in the queue and went back to their senders, whose deferrals all came
   * before the log, so no provider row counts them.
   */
  readonly expiredWithoutRecipient: number;
  /**
   * Messages that Postfix put on hold, by the rule that held them: a header or body check of
   * cleanup, or an smtpd restriction (`client`). They wait until `postsuper -H` releases them.
   */
  readonly putOnHold: PutOnHoldReport;
}

/** Messages put on hold, in all and by the rule that held them (see `HoldEvent.kind`). */
export interface PutOnHoldReport {
  readonly messages: number;
  readonly header: number;
  readonly body: number;
  readonly client: number;
  /** Messages of `messages` that a later line shows released from the hold queue. */
  readonly released: number;
}

/** The mail of one server in the log. */
export interface HostReport {
  readonly name: string;
  /** Delivery attempts to other servers. */
  readonly remoteAttempts: number;
  /** Messages that entered the queue, without the copies that a content filter queued again. */
  readonly messages: number;
}

/** A receiver's decision that the report quotes. */
export interface ReplyEvidence {
  readonly time: string;
  readonly replyCode: number | null;
  readonly enhancedStatus: string | null;
  readonly text: string;
  readonly ruleId: string;
  readonly category: Category;
  readonly permanent: boolean;
  readonly summary: string;
  readonly recipient: string | null;
  readonly relayHost: string | null;
  readonly judgedIp: string | null;
  readonly providerToken: string | null;
  readonly file: string;
  readonly line: number;
}

/** How one provider treated the mail in the log. */
export interface ProviderVerdict {
  readonly name: string;
  /**
   * The relay host of a relay host's row: its host name, else its IP, with `:port` when the
   * port is not 25 (`smtp.example.net:587`). Null for the rows of providers.
   */
  readonly relayHost: string | null;
  /**
   * Of a relay host's row, the delivery attempts per recipient domain, most first, at most
   * `RELAY_DOMAINS_SHOWN` domains. Null for the rows of providers.
   */
  readonly relayDomains: Readonly<Record<string, number>> | null;
  /** Of a relay host's row, the number of recipient domains (at most 1,000); null otherwise. */
  readonly relayDomainCount: number | null;
  /**
   * Of a relay host's row, the number of relay hosts whose mail it counts: 1, or for
   * `relay-host:*` the relay hosts that share it. Null for the rows of providers.
   */
  readonly relayHostCount: number | null;
  readonly status: ProviderStatus;
  readonly attempts: number;
  readonly recipients: number;
  readonly sent: number;
  readonly deferred: number;
  readonly deferredRecipients: number;
  /**
   * Distinct messages with at least one recipient whose first deferral counted in this row. A
   * message deferred by two providers counts in both rows.
   */
  readonly deferredMessages: number;
  /**
   * Of `deferred`, the deferrals that the MTA made without trying the provider, because the
   * destination failed shortly before. They are not in `attempts`.
   */
  readonly suspendedDeferrals: number;
  /**
   * True when the log shows the provider only through such deferrals, with no attempt and no
   * reply, as when it starts inside a block. `firstBlock` and `lastBlock` are then the first
   * and last of those lines, when the failure they quote is a block reply.
   */
  readonly onlySuspendedDeferrals: boolean;
  readonly bounced: number;
  readonly expired: number;
  /** Of the attempts, those reported by bounce messages (`--bounces`) rather than logs. */
  readonly fromBounces: number;
  /** Attempts rejected or deferred for a sender-side reason, and the recipients they hit. */
  readonly blockedAttempts: number;
  readonly blockedRecipients: number;
  /**
   * The distinct messages of those attempts. Retries of mail held for one recipient make them
   * outnumber the recipients. Past 512 messages it is an estimate (about 1.6 % standard error).
   */
  readonly blockedMessages: number;
  /** True when `blockedMessages` is an estimate (past 512 messages). */
  readonly blockedMessagesEstimated: boolean;
  /**
   * Of `blockedAttempts`, those of each server that logged them (see `ServerReport.hosts`),
   * most first. Attempts known only from bounce messages are in no server's count.
   */
  readonly blockedAttemptsByHost: Readonly<Record<string, number>>;
  /** True when `recipients` and `blockedRecipients` are estimates (above a few hundred). */
  readonly recipientsEstimated: boolean;
  readonly firstBlock: ReplyEvidence | null;
  readonly firstPermanentBlock: ReplyEvidence | null;
  readonly lastBlock: ReplyEvidence | null;
  /**
   * The latest permanent block reply, and the first and latest temporary one, or null when
   * there was none of that kind. They show which kind still goes on when a provider switched
   * between rejecting and deferring, as Gmail does.
   */
  readonly lastPermanentBlock: ReplyEvidence | null;
  readonly firstTemporaryBlock: ReplyEvidence | null;
  readonly lastTemporaryBlock: ReplyEvidence | null;
  /**
   * The change of reply during the block, or null. It is set when the latest block reply has
   * another rule than the first, and the first reply of that rule came after all replies of
   * the first rule.
   */
  readonly replyChange: ReplyChangeReport | null;
  /**
   * True when the block is not over at the end of the log. That is the case when its latest
   * block reply falls in the last two hours of the log (`ONGOING_WINDOW_MS`), even if deliveries
   * were accepted after it, and when the provider accepted none of the attempts after that reply
   * (`unacceptedAttempts`). It is also true while the connection failures of `outage` go on. A
   * lifted block (`pastBlock`), isolated rejections under an `ok` status and the blocks and
   * outages of `fewDomains` are never ongoing,
   * and neither is a block that stopped earlier but is not known to be lifted
   * (`acceptsAgainTooFew`).
   */
  readonly ongoing: boolean;
  /**
   * Deliveries that the provider's own MX accepted after its latest block reply (`lastBlock`)
   * from the hosts and outgoing sources whose mail it blocked, or null when it sent no block
   * reply. It is 0 while any of them has had no delivery accepted since its own latest block
   * reply. With `ongoing`, a count above 0 means that the provider accepts mail again, but too
   * soon after its latest block reply to call the block lifted.
   */
  readonly acceptedSinceLastBlock: number | null;
  /**
   * The attempts after the provider's latest accepted delivery, when they include its latest
   * block reply, or null. The block then goes on, however long the log continues without
   * attempts to the provider, so `ongoing` is true.
   */
  readonly unacceptedAttempts: UnacceptedAttemptsReport | null;
  /** Delivery attempts that ended in a connection failure, without any SMTP reply. */
  readonly connectionFailures: number;
  /** Time of the first connection failure, or null when there was none. */
  readonly firstConnectionFailure: string | null;
  /** Time of the latest connection failure, or null when there was none. */
  readonly lastConnectionFailure: string | null;
  /**
   * Of the connection failures, those whose recipient a later attempt of the same message
   * delivered. A failure followed by an attempt that got a reply without a delivery is
   * over too, and is counted in `answeredConnectionFailures`.
   */
  readonly retriedConnectionFailures: number;
  /**
   * Of the connection failures, those whose recipient a later attempt of the same message
   * reached with an SMTP reply that did not deliver it (a rejection or a deferral).
   */
  readonly answeredConnectionFailures: number;
  /**
   * Time of the latest connection failure that no later attempt ended (the message expired, the
   * MTA bounced it without reaching the server, or it has no later attempt in the log), or null
   * when there is none.
   */
  readonly lastUnretriedConnectionFailure: string | null;
  /**
   * True when connection failures outside an outage still go on at the end of the log. Those
   * that no retry delivered or got a reply for must be repeated (at least 10, and a tenth of the attempts), and the
   * latest of them must fall in the last two hours. The provider must also not have recovered
   * since (5 deliveries over 30 minutes).
   */
  readonly connectionsFailing: boolean;
  /**
   * The latest outage, or null. It makes the status `unreachable` unless the provider blocks
   * or recovered from it.
   */
  readonly outage: OutageReport | null;
  /**
   * The block that the provider lifted before the end of the log, or null. It is set when the
   * provider accepted enough mail from each blocked host after that host's last block reply, so
   * that the block no longer sets the status.
   */
  readonly pastBlock: PastBlockReport | null;
  /**
   * For the `other` row: each block or outage whose replies or failed attempts went to fewer
   * than 3 recipient domains, so that it leaves `status` and `ongoing` as they would be without
   * it. Empty for the rows of named providers and relay hosts.
   */
  readonly fewDomains: readonly FewDomainsReport[];
  /**
   * For the `other` row: the recipient domains whose latest failed connection falls in the last
   * two hours of the log, most recent first, at most 20. Null for the other rows.
   */
  readonly failedDomainsAtEnd: readonly string[] | null;
  /** Non-2xx replies by `421 4.7.28`-style code. */
  readonly codes: Readonly<Record<string, number>>;
  /** The receiver's reasons, most frequent first. */
  readonly reasons: readonly ProviderReason[];
  /**
   * For the `other` row and relay hosts' rows: the top deferral texts, the longest delay and the
   * recipients deferred for more than a day. Null for named providers and rows without deferrals.
   */
  readonly deferralDetail: DeferralDetailReport | null;
}

/**
 * A change of reply within one block, such as Outlook.com's S3150 (a listed range) followed by
 * 5.7.708 (a blocked IP), which shows that the receiver changed what it blocks.
 */
export interface ReplyChangeReport {
  /** The rule of the block's first reply. */
  readonly previousRuleId: string;
  /** The first reply with the rule of the block's latest reply. */
  readonly reply: ReplyEvidence;
}

/** A provider's delivery attempts after its latest accepted delivery, none of which it accepted. */
export interface UnacceptedAttemptsReport {
  /** Attempts after the latest accepted delivery, or all attempts when it accepted none. */
  readonly attempts: number;
  /** Of the attempts, those that bounced. The others were deferred or expired. */
  readonly rejected: number;
  /**
   * Of the attempts, those rejected or deferred for a sender-side reason (block replies, as
   * `blockedAttempts` counts them). The others failed for other reasons, such as unknown
   * recipients or failed connections.
   */
  readonly blocked: number;
  /** Time of the last attempt. */
  readonly last: string;
  /** Time of the latest delivery that the provider accepted, or null when it accepted none. */
  readonly lastAccepted: string | null;
}

/** A block that ended before the end of the log, with the mail accepted after it. */
/** A block or outage of the `other` row that too few recipient domains caused to count. */
export interface FewDomainsReport {
  /** The status that the row would have without the domain rule. */
  readonly status: "blocked" | "rate-limited" | "unreachable";
  /** The recipient domains of the block replies or failed attempts, most first. */
  readonly domains: readonly string[];
  /** The receiving hosts that sent the block replies, most first. Empty for an outage. */
  readonly servers: readonly string[];
  /** Block replies, or failed attempts in a row for an outage. */
  readonly attempts: number;
  readonly first: string;
  readonly last: string;
}

export interface PastBlockReport {
  /** The status that the block replies gave before the provider accepted mail again. */
  readonly status: "blocked" | "rate-limited";
  /** Deliveries that the provider accepted after its latest block reply (as `acceptedSinceLastBlock`). */
  readonly deliveredAfter: number;
  /** Time of the last delivery that the provider accepted. */
  readonly lastDelivery: string;
  /**
   * Whether the latest block reply was read after a delivery dated more than an hour after it,
   * as when rotated files are joined newest first. `deliveredAfter` and `lastDelivery` then
   * count only the deliveries read after that reply, so they can be too low and too early.
   */
  readonly blockReadLate: boolean;
}

/**
 * Delivery attempts in a row that could not connect to a provider, with no accepted delivery
 * and no SMTP reply from it in between.
 */
export interface OutageReport {
  /** The first failed attempt, explained by its connection-failure rule. */
  readonly first: ReplyEvidence;
  readonly last: string;
  /** The first accepted delivery or SMTP reply after the failures, or null when none came. */
  readonly endedAt: string | null;
  readonly failures: number;
  /**
   * True when the failures reach into the last two hours of the log and no delivery or reply
   * followed them. For the `other` row, also true when `OTHER_MIN_DOMAINS` or more
   * `domainsFailingAtEnd` remain while other receivers accepted mail or replied.
   */
  readonly ongoing: boolean;
  /**
   * True when the provider accepted enough mail after the outage to count as recovered, so
   * the outage no longer sets the status. Always false for an outage of `fewDomains`, or with
   * `OTHER_MIN_DOMAINS` or more `domainsFailingAtEnd`, because deliveries to other domains do
   * not show that the failed domains accept mail again.
   */
  readonly recovered: boolean;
  /** Distinct recipient domains of the failed attempts, counted up to 20. */
  readonly recipientDomains: number;
  /**
   * For the `other` row: the recipient domains whose latest failed connection falls in the last
   * two hours of the log and that no later delivery or SMTP reply reached, sorted. They include
   * domains outside the outage's run, and `failedDomainsAtEnd` lists the same domains. Empty for
   * the other rows. `OTHER_MIN_DOMAINS` or more keep the outage going on when other receivers
   * accepted mail (`otherReceiversReachedAt`).
   */
  readonly domainsFailingAtEnd: readonly string[];
  /**
   * The failed connections to `domainsFailingAtEnd` since each domain's failures began, with
   * the first and the latest, or null when no domain still fails. Unlike `failures`, these
   * count failures that deliveries to other domains interleave.
   */
  readonly failuresAtEnd: DomainFailuresReport | null;
  /**
   * For the `other` row: time of the latest delivery or SMTP reply from another receiver after
   * `domainsFailingAtEnd` began to fail, or null when there is none or when `OTHER_MIN_DOMAINS`
   * or more of those domains began to fail after it. Such a contact shows that this server
   * connects out on port 25.
   */
  readonly otherReceiversReachedAt: string | null;
  /**
   * Of `failures`, those of each server that logged them (see `ServerReport.hosts`), most
   * first. Failures of servers past the limit of `ServerReport.hosts` are in no server's count.
   */
  readonly failuresByHost: Readonly<Record<string, number>>;
  /**
   * Steps to check and change, from the connection-failure rule, with only the settings of the
   * logged MTAs (see `fitStepToMtas`).
   */
  readonly fix: readonly string[];
}

/** Failed connections to the recipient domains of an outage that still fail at the end. */
export interface DomainFailuresReport {
  readonly failures: number;
  readonly first: string;
  readonly last: string;
}

export interface ProviderReason {
  readonly ruleId: string;
  readonly category: Category;
  readonly permanent: boolean;
  readonly summary: string;
  readonly count: number;
  readonly sessionCount: number;
  readonly first: string;
  readonly last: string;
  readonly codes: Readonly<Record<string, number>>;
  readonly blockSignal: boolean;
}

/** One log line shown as evidence. */
export interface LogSample {
  readonly file: string;
  readonly line: number;
  readonly time: string | null;
  readonly text: string;
}

/** A cause or consequence that the diagnosis found, with its evidence and fixes. */
export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  /**
   * `cause` findings explain a block, `contributing` ones make it worse, and `consequence`
   * findings are the block's symptoms. An `observation` is linked to no block in the log,
   * and `status` is the `healthy` finding.
   */
  readonly role: "cause" | "contributing" | "consequence" | "observation" | "status";
  readonly title: string;
  readonly summary: string;
  /** Counts, times, accounts, scripts: the keys depend on the finding id (see the schema). */
  readonly evidence: object;
  readonly samples: readonly LogSample[];
  readonly fix: readonly string[];
  readonly references: readonly string[];
}

/**
 * A provider's rejections or deferrals that no cause or contributing finding explains, such as
 * a bare "very low reputation" reply in a log that shows no abuse.
 */
export interface UnexplainedBlock {
  /** The row key of the provider or relay host (see `ProviderKey`). */
  readonly provider: ProviderKey;
  /** The provider's or relay host's name, as in its verdict. */
  readonly name: string;
  /** A sentence stating that no finding in the log explains the rejections or deferrals. */
  readonly summary: string;
  /** The rules of the provider's block replies, most replies first. */
  readonly reasons: ReadonlyArray<{
    readonly ruleId: string;
    readonly summary: string;
    /** Replies of this rule, to single recipients and to whole sessions. */
    readonly count: number;
    /**
     * The rule's fixes, as `delist explain` gives them but with only the settings of the logged
     * MTAs (see `fitStepToMtas`).
     */
    readonly fix: readonly string[];
    readonly reference: string | null;
  }>;
}

export type CheckStatus = "pass" | "fail" | "unknown" | "not-checked";

/** One item of the removal-readiness checklist. */
export interface ReadinessItem {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

/** Whether it is time to ask providers for removal, and how. */
export interface Readiness {
  readonly ready: boolean;
  readonly summary: string;
  readonly items: readonly ReadinessItem[];
  readonly removalForms: readonly RemovalForm[];
}

export interface RemovalForm {
  readonly provider: ProviderId;
  readonly url: string;
  readonly rule: string;
  /** The newest request sent through this form, from the history database; null for none. */
  readonly lastRequest: LastRemovalRequest | null;
}

/** The readiness checklist as the report shows it, with the IPs to name on each form. */
export interface ReadinessReport extends Omit<Readiness, "removalForms"> {
  readonly removalForms: readonly RemovalFormReport[];
}

/**
 * A removal form with one target per IP to ask about. Its `lastRequest` is the newest of
 * the targets' requests.
 */
export interface RemovalFormReport extends RemovalForm {
  readonly targets: readonly RemovalTarget[];
}

/** One IP to ask a provider's form about, and the newest request recorded for it. */
export interface RemovalTarget {
  /** The IP, or null when the log and `--ip` do not settle which IP the form is for. */
  readonly ip: string | null;
  /**
   * `judged` when the provider's replies named the IP, `given` when it came from `--ip`
   * because the replies named none, `only-sending-ip` when it is the one IP that other
   * receivers named, and `unknown` when `ip` is null.
   */
  readonly source: "judged" | "given" | "only-sending-ip" | "unknown";
  /** The newest request recorded for this form and this IP, or null when there is none. */
  readonly lastRequest: LastRemovalRequest | null;
}

/** A removal request recorded with `delist removal request`, and when the next is allowed. */
export interface LastRemovalRequest {
  /** The provider it was recorded for, as `delist removal request --provider` names it. */
  readonly provider: string;
  readonly ip: string;
  readonly at: string;
  readonly nextAllowedAt: string;
  /** False while the two weeks since the request are still running. */
  readonly nextAllowedNow: boolean;
}

/** A removal request as the history database stores it; only these fields are read. */
export interface RecordedRemovalRequest {
  readonly provider: string;
  readonly ip: string;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
}

/**
 * An input whose non-blank lines almost all had no log format that delist reads, while other
 * inputs gave log lines. The verdict leaves out any mail in it.
 */
export interface UnreadInput {
  /** The input as the user gave it, `-` for standard input. */
  readonly name: string;
  /** The sentence that names the input, why it was not read and what to do. */
  readonly message: string;
}
