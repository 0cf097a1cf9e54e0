import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import {
  collectReplyEvidence,
  earliestReply,
  evidenceNames,
  findingTallies,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";
import {
  replySubmitters,
  submittersPhrase,
  submittersSentence,
  type ReplySubmitters,
} from "./reply-submitters.js";
import { ISOLATED_REJECTIONS } from "../verdict.js";

/** `spam-content`: receivers judge individual messages as spam, phishing or dangerous. */
export function detectSpamContent(context: DiagnoseContext): Finding | null {
  const evidence = collectReplyEvidence(context, "spam-content");
  if (evidence === null) return null;

  const names = evidenceNames(evidence);
  const permanent = (evidence.first?.permanent ?? false) || hasPermanentCode(evidence.codes);
  // A message or two rejected as spam is a warning; the verdict treats them as single
  // messages, not a block of the server.
  const replies = evidence.count + evidence.sessionCount;
  const submitters = replySubmitters(findingTallies(context, "spam-content"));
  const { mainSender, mainOrigin, mainHost } = submitters;
  return finding("spam-content", {
    severity: permanent && replies > ISOLATED_REJECTIONS ? "critical" : "warning",
    role: "consequence",
    title: `${providersDo(names, "rejects", "reject")} messages as spam`,
    summary:
      `${repliesPhrase(evidence)} judged the mail ` +
      `itself as unsolicited or dangerous, first at ${earliestReply(evidence)?.time}.` +
      submittersSentence(context, submitters),
    evidence: { ...evidence, mainSender, mainOrigin, mainHost },
    samples: replySamples(context, evidence),
    fix: [
      findStep(context, submitters),
      "Stop any bulk or unsolicited sending; check links and attachments (URL shorteners, listed domains, executables).",
      "Send only to recipients who asked for the mail, and honour unsubscribes within two days.",
    ],
    references: [REFERENCES.gmailGuidelines, REFERENCES.gmailErrors],
  });
}

/**
 * Builds the first fix: start with the mail that got most of the replies, when one sender,
 * account or program, or host sent it, or else find out which mail it was.
 */
function findStep(context: DiagnoseContext, submitters: ReplySubmitters): string {
  const mail = submittersPhrase(context, submitters);
  if (mail === null) return GENERIC_FIND_STEP;
  return `Start with the mail ${mail}, which got most of these replies: find out what sent it and whether its recipients asked for it, and stop it if they did not.`;
}

/**
 * Names the replies, as "132 rejections and 111 deferrals" when both kinds came, so that the
 * title's "rejects" does not count deferrals as rejections. Replies whose codes do not
 * add up to the count are named "N replies".
 */
function repliesPhrase(evidence: ReplyFindingEvidence): string {
  const total = evidence.count + evidence.sessionCount;
  const counts = Object.entries(evidence.codes);
  const rejections = sum(counts.filter(([code]) => code.startsWith("5")));
  const deferrals = sum(counts.filter(([code]) => code.startsWith("4")));
  if (rejections === 0 || deferrals === 0 || rejections + deferrals !== total) {
    return plural(total, "reply", "replies");
  }
  return `${plural(rejections, "rejection")} and ${plural(deferrals, "deferral")}`;
}

function sum(entries: ReadonlyArray<readonly [string, number]>): number {
  return entries.reduce((total, [, count]) => total + count, 0);
}

/** The fields of the `forwarding` finding's evidence that `withForwardedSpam` reads. */
interface ForwardingEvidence {
  readonly blockReasons?: Readonly<Record<string, number>>;
  readonly aliases?: Readonly<Record<string, string>>;
}

/** How many aliases the forwarded-mail step names before "and N more". */
const MAX_NAMED_ALIASES = 3;

/**
 * Rewrites the `spam-content` finding when the `forwarding` finding explains most of its
 * replies: the forwarding finding counts its rejected and deferred attempts by reply rule, and
 * those of the spam-content rules make at least half of the replies. The rejected mail is then
 * inbound mail that local aliases sent on, so the first step names the aliases and points to
 * the forwarding finding. The steps for the server's own sending stay only when some replies
 * came for other mail.
 */
export function withForwardedSpam(findings: readonly Finding[]): Finding[] {
  const forwarding = findings.find((candidate) => candidate.id === "forwarding");
  const spam = findings.find((candidate) => candidate.id === "spam-content");
  if (forwarding === undefined || spam === undefined) return [...findings];

  const evidence = spam.evidence as ReplyFindingEvidence;
  const reasons = (forwarding.evidence as ForwardingEvidence).blockReasons ?? {};
  const rules = new Set(Object.values(evidence.providers).flatMap((entry) => entry?.rules ?? []));
  const replies = evidence.count + evidence.sessionCount;
  const forwarded = Math.min(
    replies,
    sum(Object.entries(reasons).filter(([rule]) => rules.has(rule))),
  );
  if (forwarded === 0 || forwarded * 2 < replies) return [...findings];

  const aliases = Object.entries((forwarding.evidence as ForwardingEvidence).aliases ?? {});
  const share = forwarded === replies ? `All ${replies}` : `${forwarded} of the ${replies}`;
  const rewritten: Finding = {
    ...spam,
    summary: `${spam.summary} ${share} came for mail that local addresses forwarded to outside mailboxes (see the forwarding finding).`,
    evidence: { ...spam.evidence, forwardedReplies: forwarded },
    // The steps on bulk sending fit only the replies that did not come for forwarded mail.
    fix: [forwardedSpamStep(aliases), ...(forwarded < replies ? spam.fix : [])],
  };
  return findings.map((candidate) => (candidate === spam ? rewritten : candidate));
}

/** Builds the first fix for spam that receivers rejected after local aliases forwarded it. */
function forwardedSpamStep(aliases: ReadonlyArray<readonly [string, string]>): string {
  const named = aliases
    .slice(0, MAX_NAMED_ALIASES)
    .map(([alias, target]) => `${alias} → ${target}`);
  if (aliases.length > MAX_NAMED_ALIASES) named.push(`${aliases.length - MAX_NAMED_ALIASES} more`);
  const list = named.length === 0 ? "" : ` (${listNames(named)})`;
  return `The rejected and deferred mail is inbound mail that local addresses forwarded${list}. Follow the forwarding finding: filter spam before forwarding, or stop forwarding for these addresses.`;
}

const GENERIC_FIND_STEP =
  "Find out which messages were rejected: the sender, account or script that sent them is usually the cause.";

function hasPermanentCode(codes: Readonly<Record<string, number>>): boolean {
  return Object.keys(codes).some((code) => code.startsWith("5"));
}
