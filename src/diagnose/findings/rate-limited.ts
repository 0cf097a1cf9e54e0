import type { Category } from "../../knowledge/categories.js";
import type { ProviderKey } from "../../knowledge/providers.js";
import type { DiagnoseContext } from "../context.js";
import {
  acceptsAgainTooEarly,
  acceptsAgainTooFew,
  expiredMailNote,
  liftShortfall,
  ONGOING_WINDOW_MS,
} from "../verdict.js";
import type { Finding, ProviderVerdict } from "../types.js";
import type { MtaName } from "../../logs/events.js";
import { REFERENCES, finding, listNames, period, plural, providersDo } from "./build.js";
import { mtaStep } from "./mta-steps.js";
import { retryQueueStep } from "./queue-commands.js";
import {
  collectReplyEvidence,
  earliestReply,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";

/**
 * `rate-limited`: receivers defer this server's mail with temporary replies (Gmail 4.7.28,
 * Yahoo [TSS04], Microsoft 4.7.650…), or reject it for its rate with permanent ones (Gmail's
 * "550 5.7.1 This email has been rate limited"). It is the symptom the admin notices first,
 * and the cause is in the other findings. A provider whose replies of this finding are over
 * is named in the past tense (see `rateLimitedWording`). When all of them are over, the whole
 * finding is, and it counts the deferred recipients that later attempts delivered.
 */
export function detectRateLimited(
  context: DiagnoseContext,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
): Finding | null {
  const evidence = collectReplyEvidence(context, "rate-limited");
  if (evidence === null) return null;

  const ids = Object.keys(evidence.providers) as ProviderKey[];
  const total = evidence.count + evidence.sessionCount;
  const rejections = permanentReplies(evidence.codes);
  const kinds = deferralKinds(context, ids);
  const replies =
    rejections === 0
      ? plural(total, "deferral")
      : `${plural(total - rejections, "deferral")} and ${plural(rejections, "rejection")}`;
  const [title, summary] = rateLimitedWording(context, evidence, providers, replies, rejections);
  return finding("rate-limited", {
    severity: "warning",
    role: "consequence",
    title,
    summary: summary.trim(),
    evidence,
    samples: replySamples(context, evidence),
    fix: rateLimitedFixes(kinds, evidence, context.facts.server.mtas),
    references: [
      REFERENCES.gmailErrors,
      REFERENCES.gmailPostmaster,
      REFERENCES.outlookPostmaster,
      ...(ids.includes("yahoo") ? [REFERENCES.yahooSenders] : []),
    ],
  });
}

/**
 * Returns the title and summary of the finding. A provider whose replies of this finding are
 * over (see `deferralsEnded`) is in the past tense, and the others are in the present tense.
 * When every provider lifted its block, the whole finding is in the past tense.
 */
function rateLimitedWording(
  context: DiagnoseContext,
  evidence: ReplyFindingEvidence,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  replies: string,
  rejections: number,
): [string, string] {
  const replyCount = (id: ProviderKey) =>
    (evidence.providers[id]?.count ?? 0) + (evidence.providers[id]?.sessionCount ?? 0);
  // Most replies first, so that the title leads with the provider that deferred most of the mail.
  const ids = (Object.keys(evidence.providers) as ProviderKey[]).sort(
    (a, b) => replyCount(b) - replyCount(a),
  );
  const ended = ids.filter((id) => deferralsEnded(context, evidence, providers[id], id));
  const current = ids.filter((id) => !ended.includes(id));
  const nameOf = (id: ProviderKey) => evidence.providers[id]?.name ?? id;
  const since = earliestReply(evidence)?.time;
  const sessions = sessionSentence(evidence.sessionCount);
  const [deferring, deferred] =
    rejections === 0
      ? ["deferring", "deferred"]
      : ["deferring or rejecting", "deferred or rejected"];
  const purpose = rejections === 0 ? "" : " for its rate";

  if (current.length === 0) {
    const lifted = ids.every((id) => (providers[id]?.pastBlock ?? null) !== null);
    const endings = lifted ? "" : endedSentences(evidence, providers, ended, deferred);
    return [
      `${providersDo(ids.map(nameOf), deferred, deferred)} mail from this server${purpose}`,
      `${replies} ${period(since ?? "?", evidence.last)}. ${sessions}${endings}${deliveredLater(context, evidence.providers)}`,
    ];
  }
  const retried =
    rejections === 0
      ? delayedOrLost(context, evidence.providers)
      : "Deferred mail is retried until the queue lifetime ends, but rejected mail bounced and is not retried.";
  const leaderEnded = ids[0] !== undefined && ended.includes(ids[0]);
  const verbs = { deferring, deferred, purpose };
  return [
    mixedTitle(current.map(nameOf), ended.map(nameOf), leaderEnded, verbs),
    `${replies} since ${since}. ${sessions}${endedSentences(evidence, providers, ended, deferred)}${retried}`,
  ];
}

/**
 * Returns the title for providers of which some still defer (`current`) and some no longer do
 * (`ended`), both most replies first. The group of the provider with the most replies
 * (`leaderEnded`) comes first, so that a few deferrals of a small provider do not lead.
 */
function mixedTitle(
  current: readonly string[],
  ended: readonly string[],
  leaderEnded: boolean,
  verbs: { readonly deferring: string; readonly deferred: string; readonly purpose: string },
): string {
  const { deferring, deferred, purpose } = verbs;
  if (leaderEnded) {
    const are = isPluralSubject(current) ? "are" : "is";
    return `${providersDo(ended, deferred, deferred)} mail from this server${purpose}, and ${listNames(current)} ${are} still ${deferring} it`;
  }
  const earlier = ended.length === 0 ? "" : `, and ${listNames(ended)} ${deferred} it earlier`;
  return `${providersDo(current, "is", "are")} ${deferring} mail from this server${purpose}${earlier}`;
}

/** True when `names` make a plural subject: several providers, or "other receivers". */
function isPluralSubject(names: readonly string[]): boolean {
  return names.length > 1 || listNames(names) === "other receivers";
}

/**
 * True when the provider's replies of this finding are over. That is the case when its verdict
 * names the block as lifted or as accepting mail again. It is also the case when the latest of
 * these replies came before the provider's latest block reply and before the last
 * `ONGOING_WINDOW_MS` of the log, so the block goes on with other replies.
 */
function deferralsEnded(
  context: DiagnoseContext,
  evidence: ReplyFindingEvidence,
  verdict: ProviderVerdict | undefined,
  id: ProviderKey,
): boolean {
  if (verdict === undefined) return false;
  if (verdict.pastBlock !== null) return true;
  if (acceptsAgainTooEarly(verdict) || acceptsAgainTooFew(verdict)) return true;
  const last = evidence.providers[id]?.last;
  const latestBlock = verdict.lastBlock?.time;
  const logEnd = context.facts.lastTime;
  if (last === undefined || latestBlock === undefined || logEnd === null) return false;
  const lastTime = Date.parse(last);
  return lastTime < Date.parse(latestBlock) && lastTime < logEnd - ONGOING_WINDOW_MS;
}

/**
 * Describes each provider whose replies of this finding are over: when they ended and what the
 * provider did since, with the facts of its verdict. An example is "Yahoo/AOL deferred mail from
 * … to … and has accepted 39 deliveries since, too soon to call the block lifted." `verb` is the
 * past tense of the replies ("deferred"). With one provider in the finding, the summary already
 * gives the period, so the sentence starts with the deliveries.
 */
function endedSentences(
  evidence: ReplyFindingEvidence,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  ended: readonly ProviderKey[],
  verb: string,
): string {
  const alone = Object.keys(evidence.providers).length === 1;
  return ended
    .map((id) => {
      const replies = evidence.providers[id];
      const verdict = providers[id];
      if (replies === undefined || verdict === undefined) return "";
      const span = `${replies.name} ${verb} mail ${period(earliestReply(replies)?.time ?? "?", replies.last)}`;
      const outcome = endedOutcome(verdict);
      if (alone) {
        return outcome === null
          ? `${replies.name}'s block goes on with other replies. `
          : `${replies.name} ${outcome}. `;
      }
      return outcome === null
        ? `${span}, and its block goes on with other replies. `
        : `${span} and ${outcome}. `;
    })
    .join("");
}

/**
 * Returns "has accepted 39 deliveries since, …" with the verdict's reading of those deliveries,
 * or null when the provider accepted none after its latest block reply.
 */
function endedOutcome(verdict: ProviderVerdict): string | null {
  const past = verdict.pastBlock;
  if (past !== null) {
    return `has accepted ${plural(past.deliveredAfter, "delivery", "deliveries")} since, so the block is lifted`;
  }
  const accepted = verdict.acceptedSinceLastBlock ?? 0;
  if (accepted === 0) return null;
  return `has accepted ${plural(accepted, "delivery", "deliveries")} since, ${liftShortfall(verdict)} to call the block lifted`;
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
 * deferring providers, that this part of it was returned to its senders and so was lost. It
 * adds that the rest is retried only when some deferred recipient is left to retry.
 */
function delayedOrLost(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): string {
  const lost = expiredMailNote(expiredByProvider(context, providers)).trim();
  if (lost === "") {
    return "Mail is delayed, not lost yet: the MTA keeps retrying until the queue lifetime ends.";
  }
  if (!hasRecipientsLeftToRetry(context, providers)) return lost;
  return `${lost} The rest is retried until the queue lifetime ends.`;
}

/**
 * True when some recipient that the providers deferred was neither delivered nor expired later.
 * NOTE: a deferred recipient that a later attempt bounced still counts as left to retry.
 */
function hasRecipientsLeftToRetry(
  context: DiagnoseContext,
  providers: ReplyFindingEvidence["providers"],
): boolean {
  let left = 0;
  for (const [key, provider] of Object.entries(providers)) {
    const facts = context.facts.providers.get(key as ProviderKey);
    if (facts === undefined || provider === undefined) continue;
    const delivered = Math.min(facts.deferredRecipientsDelivered, facts.deferredRecipients);
    left += facts.deferredRecipients - delivered - facts.expired;
  }
  return left > 0;
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

/** The providers of the finding, split by the kind of their replies of this finding. */
interface DeferralKinds {
  /** Providers with a reputation or volume limit among those replies. */
  readonly reputation: ProviderKey[];
  /** The other providers, whose replies name one requirement (TLS, SPF, DKIM, PTR). */
  readonly requirement: ProviderKey[];
  /** The reply categories of the `requirement` providers' replies, such as `tls`. */
  readonly requirementCategories: Set<Category>;
}

/**
 * Splits the providers of `ids` by the reply categories of their replies of this finding. A
 * provider with any reputation or volume limit (`reputation`, `rate-limit`) has to be slowed
 * down. Deferrals that only name one requirement lift once it is met, and the queue can be
 * retried then.
 */
function deferralKinds(context: DiagnoseContext, ids: readonly ProviderKey[]): DeferralKinds {
  const kinds: DeferralKinds = {
    reputation: [],
    requirement: [],
    requirementCategories: new Set(),
  };
  for (const id of ids) {
    const categories = new Set<Category>();
    for (const tally of context.facts.providers.get(id)?.rules.values() ?? []) {
      const reply = tally.reply;
      if (reply.findings.includes("rate-limited")) categories.add(reply.category);
    }
    if (categories.has("reputation") || categories.has("rate-limit")) {
      kinds.reputation.push(id);
    } else {
      kinds.requirement.push(id);
      for (const category of categories) kinds.requirementCategories.add(category);
    }
  }
  return kinds;
}

/**
 * Builds the fixes for the providers of each kind. Providers of one kind get the steps of that
 * kind. With both kinds, each step names its providers, so that no step says to wait out a
 * reputation limit for a TLS requirement. The queue is then left to retry by itself, because
 * flushing it would also re-send the mail of the providers that limit the rate.
 */
function rateLimitedFixes(
  kinds: DeferralKinds,
  evidence: ReplyFindingEvidence,
  mtas: ReadonlySet<MtaName>,
): string[] {
  if (kinds.requirement.length === 0) return reputationFixes(kinds.reputation, mtas);
  const requirementFixes = [
    REQUIREMENT_STEP,
    retryQueueStep("Once it is fixed, retry the deferred mail before it expires.", mtas),
  ];
  if (kinds.reputation.length === 0) return requirementFixes;
  const nameOf = (id: ProviderKey) => evidence.providers[id]?.name ?? id;
  const limited = listNames(kinds.reputation.map(nameOf));
  const requiring = kinds.requirement.map(nameOf);
  return [
    `Find and stop the cause of ${limited}'s deferrals first, because retries alone do not lift a reputation limit.`,
    mtaStep(
      `Slow down delivery to ${limited}: fewer parallel connections and messages per connection.`,
      DELIVERY_RATE_SETTINGS,
      mtas,
    ),
    "Do not flush or re-send the deferred queue in a burst; let it drain at a low rate.",
    watchStep(kinds.reputation),
    `${possessive(requiring)} deferrals name one requirement (${requirementNames(kinds.requirementCategories)}): fix it as its own finding says. The queue then retries that mail by itself.`,
  ];
}

/** The requirement that each reply category names, for the fix step of its deferrals. */
const REQUIREMENT_NAMES: Partial<Record<Category, string>> = {
  tls: "TLS",
  authentication: "authentication",
  "reverse-dns": "reverse DNS",
};

/** Joins the requirements of `categories`, or names all three when none of them is known. */
function requirementNames(categories: ReadonlySet<Category>): string {
  const names = [...categories].flatMap((category) => REQUIREMENT_NAMES[category] ?? []);
  return names.length === 0 ? "TLS, authentication or reverse DNS" : listNames(names);
}

/**
 * Returns "Gmail's", "Gmail's and Yahoo/AOL's" or "Other receivers'", capitalised for the start
 * of a sentence.
 */
function possessive(names: readonly string[]): string {
  const owners = listNames(names.map((name) => (name.endsWith("s") ? `${name}'` : `${name}'s`)));
  return owners.charAt(0).toUpperCase() + owners.slice(1);
}

/**
 * The settings that slow delivery, by MTA. Postfix's rate delay applies per destination and
 * makes its concurrency 1, and a transport of its own for the provider's domains keeps the
 * limit off other mail. Exim's `remote_max_parallel` is a main option and
 * `connection_max_messages` an smtp transport option. Sendmail's two options limit the queue
 * runners that deliver in parallel.
 */
const DELIVERY_RATE_SETTINGS: Readonly<Record<MtaName, string>> = {
  postfix:
    "lower `smtp_destination_concurrency_limit` or set `default_destination_rate_delay`, or better " +
    "route the provider's domains to a transport of their own with its own " +
    "`<transport>_destination_concurrency_limit` and `<transport>_destination_rate_delay`",
  exim: "lower `remote_max_parallel` (a main option) and `connection_max_messages` on the smtp transport",
  sendmail: "lower `confMAX_QUEUE_CHILDREN` and `confMAX_RUNNERS_PER_QUEUE` in the mc file",
};

/**
 * The first step for a reputation or volume limit. `withFindingReferences` names the cause
 * findings in it when the report contains any.
 */
export const FIND_CAUSE_STEP =
  "Find and stop the cause first, because retries alone do not lift a reputation limit.";

/**
 * Builds the fixes of a reputation or volume limit: stop the cause, slow delivery with the
 * settings of `mtas`, drain the queue slowly, and watch the providers of `ids`.
 */
function reputationFixes(ids: readonly ProviderKey[], mtas: ReadonlySet<MtaName>): string[] {
  return [
    FIND_CAUSE_STEP,
    mtaStep(
      "Slow down delivery to the provider: fewer parallel connections and messages per connection.",
      DELIVERY_RATE_SETTINGS,
      mtas,
    ),
    "Do not flush or re-send the deferred queue in a burst; let it drain at a low rate.",
    watchStep(ids),
  ];
}

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
