import type { ProviderKey } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import { expiredMailNote } from "../verdict.js";
import type { Finding, ProviderVerdict } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { retryQueueStep } from "./queue-commands.js";
import {
  collectReplyEvidence,
  earliestReply,
  evidenceNames,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";

/**
 * `rate-limited`: receivers defer this server's mail with temporary replies (Gmail 4.7.28,
 * Yahoo [TSS04], Microsoft 4.7.650…), or reject it for its rate with permanent ones (Gmail's
 * "550 5.7.1 This email has been rate limited"). It is the symptom the admin notices first,
 * and the cause is in the other findings. When every provider behind the replies lifted its
 * block (`pastBlock`), the finding is in the past tense and counts the deferred recipients that
 * later attempts delivered.
 */
export function detectRateLimited(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): Finding | null {
  const evidence = collectReplyEvidence(context, "rate-limited");
  if (evidence === null) return null;

  const ids = Object.keys(evidence.providers) as ProviderKey[];
  const names = evidenceNames(evidence);
  const total = evidence.count + evidence.sessionCount;
  const rejections = permanentReplies(evidence.codes);
  const since = earliestReply(evidence)?.time;
  const reputation = throttlesForReputation(context);
  const lifted = ids.every((id) => (providers[id]?.pastBlock ?? null) !== null);
  const replies =
    rejections === 0
      ? plural(total, "deferral")
      : `${plural(total - rejections, "deferral")} and ${plural(rejections, "rejection")}`;
  const [title, summary] = lifted
    ? [
        rejections === 0
          ? `${providersDo(names, "deferred", "deferred")} mail from this server`
          : `${providersDo(names, "deferred", "deferred")} or rejected mail from this server for its rate`,
        `${replies} from ${since} to ${evidence.last}. ${sessionSentence(evidence.sessionCount)}${deliveredLater(context, evidence.providers)}`,
      ]
    : [
        rejections === 0
          ? `${providersDo(names, "is", "are")} deferring mail from this server`
          : `${providersDo(names, "is", "are")} deferring or rejecting mail from this server for its rate`,
        rejections === 0
          ? `${replies} since ${since}. ${sessionSentence(evidence.sessionCount)}${delayedOrLost(context, evidence.providers)}`
          : `${replies} since ${since}. ${sessionSentence(evidence.sessionCount)}Deferred mail is retried until the queue lifetime ends, but rejected mail bounced and is not retried.`,
      ];
  return finding("rate-limited", {
    severity: "warning",
    role: "consequence",
    title,
    summary: summary.trim(),
    evidence,
    samples: replySamples(context, evidence),
    fix: reputation
      ? [...REPUTATION_FIXES, watchStep(ids)]
      : [
          REQUIREMENT_STEP,
          retryQueueStep(
            "Once it is fixed, retry the deferred mail before it expires.",
            context.facts.server.mtas,
          ),
        ],
    references: [
      REFERENCES.gmailErrors,
      REFERENCES.gmailPostmaster,
      REFERENCES.outlookPostmaster,
      ...(ids.includes("yahoo") ? [REFERENCES.yahooSenders] : []),
    ],
  });
}

/**
 * Describes how many of the providers' deferred recipients a later attempt delivered, for a
 * block that is over, followed by the mail that expired in the queue. Returns "" when no
 * recipient was deferred.
 */
function deliveredLater(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): string {
  let deferred = 0;
  let delivered = 0;
  for (const [key, provider] of Object.entries(providers)) {
    const facts = context.facts.providers.get(key as ProviderKey);
    if (facts === undefined || provider === undefined) continue;
    deferred += facts.deferredRecipients;
    // A relay host's row can count recipients that their own provider deferred, so it is capped.
    delivered += Math.min(facts.deferredRecipientsDelivered, facts.deferredRecipients);
  }
  if (deferred === 0) return "";
  const lost = expiredMailNote(expiredByProvider(context, providers));
  const outcome =
    delivered === deferred
      ? `Later attempts delivered ${deferred === 1 ? "the deferred recipient" : `all ${plural(deferred, "deferred recipient")}`}.`
      : `Later attempts delivered ${delivered.toLocaleString("en-US")} of the ${plural(deferred, "deferred recipient")}.`;
  return `${outcome}${lost}`;
}

/**
 * Says how many of the replies were to a whole session, because the provider table counts only
 * the replies to recipients. Returns "" when there are none.
 */
function sessionSentence(sessionCount: number): string {
  if (sessionCount === 0) return "";
  return `Of these, ${plural(sessionCount, "reply", "replies")} answered a whole session without naming a recipient. `;
}

/**
 * Says whether deferred mail is still retried or, when recipients expired in the queue of the
 * deferring providers, that this part of it was returned to its senders and so was lost.
 */
function delayedOrLost(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): string {
  const lost = expiredMailNote(expiredByProvider(context, providers)).trim();
  if (lost === "") {
    return "Mail is delayed, not lost yet: the MTA keeps retrying until the queue lifetime ends.";
  }
  return `${lost} The rest is retried until the queue lifetime ends.`;
}

/** Returns the recipients that expired in the queue of each provider of the evidence. */
function expiredByProvider(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): { name: string; expired: number }[] {
  return Object.entries(providers).flatMap(([key, provider]) =>
    provider === undefined
      ? []
      : [
          {
            name: provider.name,
            expired: context.facts.providers.get(key as ProviderKey)?.expired ?? 0,
          },
        ],
  );
}

/** Sums the counts of the 5xx codes (`550 5.7.1`, `554`) in a count by code. */
function permanentReplies(codes: Readonly<Record<string, number>>): number {
  return Object.entries(codes)
    .filter(([code]) => code.startsWith("5"))
    .reduce((total, [, count]) => total + count, 0);
}

/**
 * True when any of the replies is a reputation or volume limit. Deferrals that name one
 * requirement (TLS, SPF, DKIM, PTR) lift once it is met, and the queue can be retried then.
 */
function throttlesForReputation(context: DiagnoseContext): boolean {
  for (const facts of context.facts.providers.values()) {
    for (const tally of facts.rules.values()) {
      const reply = tally.reply;
      if (!reply.findings.includes("rate-limited")) continue;
      if (reply.category === "reputation" || reply.category === "rate-limit") return true;
    }
  }
  return false;
}

const REPUTATION_FIXES = [
  "Find and stop the cause first (see the other findings); retries alone do not lift a reputation limit.",
  "Slow down delivery to the provider: fewer parallel connections and messages per connection.",
  "Do not flush or re-send the deferred queue in a burst; let it drain at a low rate.",
];

const REQUIREMENT_STEP =
  "These deferrals name one requirement (TLS, authentication or reverse DNS): fix it as its own finding says.";

/** The sender data site of each provider that has one, for the last fix step. */
const POSTMASTER_TOOLS: Partial<Record<ProviderKey, string>> = {
  gmail: "Gmail Postmaster Tools",
  outlook: "Microsoft SNDS",
  yahoo: "Yahoo Sender Hub",
};

/**
 * Builds the fix step that names where to watch the deferrals end: the sender data sites of
 * the deferring providers, or the log when none of them has one.
 */
function watchStep(ids: readonly ProviderKey[]): string {
  const tools = [...new Set(ids.flatMap((id) => POSTMASTER_TOOLS[id] ?? []))];
  if (tools.length === 0) return "Watch the log until the deferrals stop.";
  return `Watch ${listNames(tools)} until the deferrals stop.`;
}
