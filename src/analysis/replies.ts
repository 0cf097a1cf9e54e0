import type { FindingId } from "../knowledge/categories.js";
import { ALL_RULES } from "../knowledge/rules/index.js";
import type { LinePosition } from "../logs/events.js";
import type { ExplainedReply } from "../reply/types.js";
import { DistinctCounter } from "./distinct.js";
import type { OriginFacts } from "./origins.js";
import { type CountingMap, detach, increment } from "./time.js";

/**
 * Findings that a receiver's reply can support and that mean the receiver rejects or
 * throttles this sender, as opposed to a problem with one recipient.
 */
const SENDER_SIDE_FINDINGS: ReadonlySet<FindingId> = new Set([
  "rate-limited",
  "authentication",
  "reverse-dns",
  "tls-required",
  "spam-content",
  "ip-blocklisted",
]);

/**
 * Rules that match only at a provider's submission host. A rejection there concerns this
 * server's account at the provider, so it stops all the mail relayed through that host.
 */
const SUBMISSION_HOST_RULES: ReadonlySet<string> = new Set(
  ALL_RULES.filter((rule) => rule.submissionHostOnly === true).map((rule) => rule.id),
);

/**
 * True when a classified reply is a block signal: the receiver rejected or deferred mail
 * because of the sender (reputation, a blocklist, authentication, PTR, TLS, content, rate),
 * or a provider's submission host rejected this server's account, not because of one
 * recipient's mailbox or a passing fault.
 */
export function isBlockSignal(reply: ExplainedReply): boolean {
  if (reply.category === "reputation" || reply.category === "blocklist") return true;
  if (SUBMISSION_HOST_RULES.has(reply.ruleId)) return true;
  const findings = reply.findings;
  for (let i = 0; i < findings.length; i++) {
    if (SENDER_SIDE_FINDINGS.has(findings[i] as FindingId)) return true;
  }
  return isUnnamedPolicyRefusal(reply);
}

/**
 * True for a security or policy status (RFC 3463 class x.7.x) in a wording the knowledge base
 * does not know, from a provider delist names. Receivers change their wordings, and an
 * unknown policy rejection from Gmail or Outlook.com is far more often a refusal of the sender
 * than of one recipient, so it counts as a block rather than passing unnoticed.
 */
function isUnnamedPolicyRefusal(reply: ExplainedReply): boolean {
  if (reply.ruleId !== "generic.policy") return false;
  if (reply.provider === null || reply.provider === "other") return false;
  const status = reply.enhancedStatus;
  return status !== null && (status.startsWith("5.7.") || status.startsWith("4.7."));
}

/** One logged reply, kept as evidence. Strings are detached from the log line. */
export interface ReplyOccurrence {
  readonly time: number;
  readonly position: LinePosition;
  readonly replyCode: number | null;
  readonly enhancedStatus: string | null;
  /** The reply text without its wrapper. */
  readonly text: string;
  readonly recipient: string | null;
  readonly relayHost: string | null;
  readonly judgedIp: string | null;
  readonly providerToken: string | null;
  readonly ruleId: string;
  readonly category: ExplainedReply["category"];
  readonly permanent: boolean;
  readonly summary: string;
  /** False for a reply to the whole session (no recipient). */
  readonly recipientLevel: boolean;
}

/** Creates the evidence record of a reply. */
export function occurrenceOf(
  reply: ExplainedReply,
  time: number,
  position: LinePosition,
  recipient: string | null,
  relayHost: string | null,
): ReplyOccurrence {
  return {
    time,
    position: { file: position.file, line: position.line },
    replyCode: reply.replyCode,
    enhancedStatus: reply.enhancedStatus,
    text: detach(reply.text),
    recipient: recipient === null ? null : detach(recipient),
    relayHost: relayHost === null ? null : detach(relayHost),
    judgedIp: reply.judgedIp === null ? null : detach(reply.judgedIp),
    providerToken: reply.providerToken === null ? null : detach(reply.providerToken),
    ruleId: reply.ruleId,
    category: reply.category,
    permanent: reply.permanent,
    summary: reply.summary,
    recipientLevel: recipient !== null,
  };
}

/** Everything seen of one knowledge-base rule at one provider. */
export class RuleTally {
  /** Replies to single recipients (delivery events). */
  count = 0;
  /** Replies to a whole session, without a recipient. */
  sessionCount = 0;
  first: ReplyOccurrence;
  /** Time of the latest reply. */
  lastTime: number;
  /** The first reply to a single recipient, and the first to a whole session. */
  firstRecipient: ReplyOccurrence | null = null;
  firstSession: ReplyOccurrence | null = null;
  readonly recipients = new DistinctCounter();
  /** `421 4.7.28`-style codes with their counts. */
  readonly codes = new Map<string, number>();
  readonly judgedIps = new Map<string, number>();
  readonly tokens = new Map<string, number>();
  /** Envelope sender domains of the rejected messages, capped in size. */
  readonly senderDomains = new Map<string, number>();
  /** Envelope senders of the messages of recipient-level replies, capped in size. */
  readonly senders = new Map<string, number>();
  /** Accounts and local programs that submitted the messages of recipient-level replies, capped. */
  readonly origins = new Map<OriginFacts, number>();
  /** `serverOf` names of the servers whose messages got recipient-level replies. */
  readonly servers = new Map<string, number>();

  constructor(
    readonly reply: ExplainedReply,
    occurrence: ReplyOccurrence,
  ) {
    this.first = occurrence;
    this.lastTime = occurrence.time;
  }

  /** Counts one more reply of this rule; `occurrence` builds its evidence when needed. */
  add(
    reply: ClassifiedReplyFields,
    occurrence: () => ReplyOccurrence,
    time: number,
    recipientHash: number | null,
    submission: ReplySubmission,
  ): void {
    if (recipientHash === null) {
      this.sessionCount += 1;
      if (this.firstSession === null || time < this.firstSession.time) {
        this.firstSession = occurrence();
      }
    } else {
      this.count += 1;
      this.recipients.addHash(recipientHash);
      if (this.firstRecipient === null || time < this.firstRecipient.time) {
        this.firstRecipient = occurrence();
      }
    }
    if (time < this.first.time) this.first = occurrence();
    if (time > this.lastTime) this.lastTime = time;
    increment(this.codes, reply.codeKey);
    if (reply.judgedIp !== null) addCapped(this.judgedIps, reply.judgedIp);
    if (reply.reply.providerToken !== null) addCapped(this.tokens, reply.reply.providerToken);
    if (submission.senderDomain !== null) addCapped(this.senderDomains, submission.senderDomain);
    if (recipientHash !== null) this.addSubmission(submission);
  }

  private addSubmission(submission: ReplySubmission): void {
    if (submission.sender !== null) addCapped(this.senders, submission.sender);
    if (submission.server !== null) addCapped(this.servers, submission.server);
    const origin = submission.origin;
    if (origin === null) return;
    const known = this.origins.get(origin);
    if (known !== undefined) this.origins.set(origin, known + 1);
    else if (this.origins.size < MAX_KEYS) this.origins.set(origin, 1);
  }
}

/** The facts of a replied message that a tally counts. */
export interface ReplySubmission {
  /** Envelope sender; "" for the null sender, null while unknown or without a message. */
  readonly sender: string | null;
  readonly senderDomain: string | null;
  /** The account or local program that submitted the message, or null. */
  readonly origin: OriginFacts | null;
  /** The `serverOf` name of the server that logged the message, or null. */
  readonly server: string | null;
}

/** The parts of a classified reply that a tally counts. */
export interface ClassifiedReplyFields {
  readonly reply: ExplainedReply;
  readonly codeKey: string;
  readonly judgedIp: string | null;
}

/** Returns `421 4.7.28`, `554` or `?` for a reply's codes. */
export function codeKey(reply: Pick<ExplainedReply, "replyCode" | "enhancedStatus">): string {
  const code = reply.replyCode === null ? "" : String(reply.replyCode);
  const enhanced = reply.enhancedStatus ?? "";
  const key = `${code} ${enhanced}`.trim();
  return key === "" ? "?" : key;
}

const MAX_KEYS = 1000;

/** Adds `amount` to a count, adding new keys only while the map is below its cap. */
export function addCapped(counts: CountingMap<string>, key: string, amount = 1): void {
  const current = counts.get(key);
  if (current !== undefined) counts.set(key, current + amount);
  else if (counts.size < MAX_KEYS) counts.set(detach(key), amount);
}
