import type { ProviderFacts } from "../../analysis/providers.js";
import type { ProviderKey } from "../../knowledge/providers.js";
import { ruleById } from "../../knowledge/rules/index.js";
import type { ExplainedReply } from "../../reply/types.js";
import type { DiagnoseContext } from "../context.js";
import type { Finding } from "../types.js";
import { REFERENCES, finding, listNames, plural, providersDo } from "./build.js";
import { fitStepToMtas } from "./mta-steps.js";
import {
  collectReplyEvidence,
  earliestReply,
  evidenceNames,
  replySamples,
  type ReplyFindingEvidence,
} from "./replies.js";

const BLOCKLIST_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/spamhaus/i, "Spamhaus"],
  [/barracuda/i, "Barracuda"],
  [/spamcop/i, "SpamCop"],
  [/proofpoint/i, "Proofpoint"],
  [/cloudmark/i, "Cloudmark"],
  [/senderscore/i, "SenderScore"],
  [/uceprotect/i, "UCEPROTECT"],
  [/our block list|S31[45]0|AS31[45]0/i, "Microsoft's own block list"],
];

/**
 * `ip-blocklisted`: a receiver reports that the sending IP or its network is on a blocklist: a
 * public one (Spamhaus, Barracuda…) or the receiver's own (Outlook.com S3150, Yahoo BL21, Gmail's
 * 550 5.7.28 block of the IP). The receiver's own list includes ranges it rejects direct mail
 * from (Gmail's "not authorized to send email directly", Outlook.com DY-001). A removal request
 * cannot lift those, so their rules (`removal: false`) give the fixes in place of the delisting
 * steps. Providers in `lifted` accept mail again (`pastBlock`), so the fix requests no
 * delisting from them.
 */
export function detectIpBlocklisted(
  context: DiagnoseContext,
  lifted: ReadonlySet<ProviderKey>,
): Finding | null {
  const evidence = collectReplyEvidence(context, "ip-blocklisted");
  if (evidence === null) return null;
  const listed = collectReplyEvidence(context, "ip-blocklisted", (t) => allowsRemoval(t.reply));
  const unliftable = collectReplyEvidence(
    context,
    "ip-blocklisted",
    (t) => !allowsRemoval(t.reply),
  );
  const ownListed = collectReplyEvidence(
    context,
    "ip-blocklisted",
    (t) => allowsRemoval(t.reply) && isOwnList(t.reply),
  );
  const publicListed = collectReplyEvidence(
    context,
    "ip-blocklisted",
    (t) => allowsRemoval(t.reply) && !isOwnList(t.reply),
  );

  const providerIds = Object.keys(evidence.providers) as ProviderKey[];
  const names = evidenceNames(evidence);
  const texts = providerIds.map((id) => evidence.providers[id]?.first?.text ?? "").join(" ");
  const lists = BLOCKLIST_NAMES.filter(([pattern]) =>
    pattern.test(texts + " " + evidence.tokens.join(" ")),
  ).map(([, name]) => name);
  const ips = evidence.judgedIps;
  const title =
    listed === null
      ? `${providersDo(names, "blocks", "block")} this server's IP, and a removal request cannot lift the block`
      : `${providersDo(names, "lists", "list")} this server's IP${lists.length > 0 ? ` (${listNames(lists)})` : ""}`;
  const summary = [listingSentence(listed), unliftableSentence(unliftable, listed !== null)]
    .filter((sentence) => sentence !== "")
    .join(" ");
  const unliftableRules = unliftableReplies(context);

  return finding("ip-blocklisted", {
    severity: "critical",
    role: "cause",
    title,
    summary,
    evidence: {
      ...evidence,
      ips,
      lists,
      listedSince: firstReplyTime(listed),
      unliftableSince: firstReplyTime(unliftable),
      ownLists: ownListed === null ? [] : Object.keys(ownListed.providers),
      publicListReplies: replyCount(publicListed),
    },
    samples: replySamples(context, evidence),
    fix: [
      ...listingFixes(listed, lists, movedToIp(context.facts.providers.get("outlook")), lifted),
      ...new Set(
        unliftableRules.flatMap((r) =>
          r.fix.map((step) => fitStepToMtas(step, context.facts.server.mtas)),
        ),
      ),
    ],
    references: [
      ...(listed === null ? [] : LISTING_REFERENCES),
      ...new Set(unliftableRules.flatMap((r) => (r.reference === null ? [] : [r.reference]))),
    ],
  });
}

const LISTING_REFERENCES = [
  REFERENCES.outlookPostmaster,
  REFERENCES.exchangeDelist,
  REFERENCES.yahooSenders,
];

/**
 * True for a reply that names the receiver's own block list, which no DNS block list shows:
 * the knowledge base gives such listings the category `reputation`, and replies that name a
 * public list (Spamhaus, Cloudmark…) the category `blocklist`.
 */
function isOwnList(reply: ExplainedReply): boolean {
  return reply.category === "reputation";
}

/** True unless the reply's rule marks its block as one that no removal request lifts. */
function allowsRemoval(reply: ExplainedReply): boolean {
  return ruleById(reply.ruleId)?.removal !== false;
}

/**
 * Returns one reply of each `ip-blocklisted` rule in the log that no removal request can lift,
 * for the fixes and references of those rules.
 */
function unliftableReplies(context: DiagnoseContext): ExplainedReply[] {
  const replies = new Map<string, ExplainedReply>();
  for (const facts of context.facts.providers.values()) {
    for (const tally of facts.rules.values()) {
      if (!tally.reply.findings.includes("ip-blocklisted") || allowsRemoval(tally.reply)) continue;
      replies.set(tally.reply.ruleId, tally.reply);
    }
  }
  return [...replies.values()];
}

function replyCount(evidence: ReplyFindingEvidence | null): number {
  return evidence === null ? 0 : evidence.count + evidence.sessionCount;
}

/** Returns the time of the earliest reply in `evidence`, or null for no evidence. */
function firstReplyTime(evidence: ReplyFindingEvidence | null): string | null {
  if (evidence === null) return null;
  const times = [evidence.first?.time, evidence.firstSession?.time].filter(
    (time): time is string => time !== undefined,
  );
  return times.sort((a, b) => Date.parse(a) - Date.parse(b))[0] ?? null;
}

function listingSentence(listed: ReplyFindingEvidence | null): string {
  if (listed === null) return "";
  const replies = listed.count + listed.sessionCount;
  // Not every such reply names a list: Microsoft's 5.7.708 only rejects traffic from the IP.
  const reported = `${plural(replies, "reply", "replies")} ${replies === 1 ? "reports" : "report"} the IP as listed or blocked, first at ${earliestReply(listed)?.time}.`;
  return `${reported}${rejectedSentence(listed.codes, replies)}`;
}

/**
 * Says how many of the replies rejected the mail, which is then not retried, or returns "" when
 * all of them are deferrals. A rejection bounces at once, so the finding must not read like
 * the `rate-limited` one, whose mail is only delayed.
 */
function rejectedSentence(codes: Readonly<Record<string, number>>, replies: number): string {
  const rejections = Object.entries(codes)
    .filter(([code]) => code.startsWith("5"))
    .reduce((total, [, count]) => total + count, 0);
  if (rejections === 0) return "";
  if (rejections >= replies) {
    const subject = replies === 1 ? "That reply" : "These replies";
    return ` ${subject} rejected the mail, so it bounced back to its senders and is not retried.`;
  }
  return ` ${rejections.toLocaleString("en-US")} of them rejected the mail, so it bounced back to its senders and is not retried. The others deferred it.`;
}

/**
 * Counts the replies that no removal request can lift and adds the rule summary of the first,
 * which names what the receiver rejects (such as a dynamic range).
 */
function unliftableSentence(unliftable: ReplyFindingEvidence | null, afterListed: boolean): string {
  if (unliftable === null) return "";
  const first = [unliftable.first, unliftable.firstSession]
    .filter((reply) => reply !== null)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0];
  const count = unliftable.count + unliftable.sessionCount;
  const replies = afterListed
    ? plural(count, "more reply", "more replies")
    : plural(count, "reply", "replies");
  const verb = count === 1 ? "rejects" : "reject";
  const reason = first === undefined ? "" : ` ${first.summary}`;
  return `${replies} since ${first?.time ?? "?"} ${verb} the IP for a reason that no removal request lifts.${reason}`;
}

/**
 * Returns the steps that lift a listing, from stopping its cause to each removal request.
 * `outlookMovedToIp` is true when Outlook.com's replies changed from S3150 to a block of the
 * IP itself, whose delisting step then comes first. Providers in `lifted` get no request.
 */
function listingFixes(
  listed: ReplyFindingEvidence | null,
  lists: readonly string[],
  outlookMovedToIp: boolean,
  lifted: ReadonlySet<ProviderKey>,
): string[] {
  if (listed === null) return [];
  return [
    "Find and stop what got the IP listed first (a compromised account, a script, a bought list); a delisted IP that keeps spamming is listed again.",
    ...delistingSteps(listed, lists, outlookMovedToIp, lifted),
  ];
}

/**
 * True when a provider's block started with S3150 replies and every one of them came before the
 * first reply of the rule of its latest block reply, which blocks the IP itself. This is the
 * change of reply that the verdict reports (`replyChange`) for these rules.
 */
function movedToIp(facts: ProviderFacts | undefined): boolean {
  const first = facts?.firstBlock;
  const last = facts?.lastBlock;
  if (facts === undefined || first == null || last == null) return false;
  if (first.ruleId !== OUTLOOK_RANGE_RULE || !OUTLOOK_IP_RULES.includes(last.ruleId)) return false;
  const range = facts.rules.get(OUTLOOK_RANGE_RULE);
  const latest = facts.rules.get(last.ruleId);
  return range !== undefined && latest !== undefined && range.lastTime < latest.first.time;
}

/** The rule of Outlook.com's S3150 reply, which lists part of the IP's network. */
export const OUTLOOK_RANGE_RULE = "outlook.range-blocklist";

/**
 * The rules of Outlook.com's replies that block the IP itself: S3140, and 5.7.708 from its MX.
 * A log can show them after S3150, when Microsoft moves the listing from the range to the IP.
 */
export const OUTLOOK_IP_RULES: readonly string[] = [
  "outlook.ip-blocklist",
  "outlook.ip-not-accepted",
];

function delistingSteps(
  listed: ReplyFindingEvidence,
  lists: readonly string[],
  outlookMovedToIp: boolean,
  lifted: ReadonlySet<ProviderKey>,
): string[] {
  const providers = (Object.keys(listed.providers) as ProviderKey[]).filter(
    (id) => !lifted.has(id),
  );
  const steps: string[] = [];
  const outlookRules = providers.includes("outlook") ? (listed.providers.outlook?.rules ?? []) : [];
  const rangeListed = outlookRules.includes(OUTLOOK_RANGE_RULE);
  const ipBlocked = outlookRules.some((rule) => OUTLOOK_IP_RULES.includes(rule));
  if (rangeListed && ipBlocked && outlookMovedToIp) {
    steps.push(
      `Outlook.com's latest replies block the IP itself, so ask for its delisting with the sender support form (${REFERENCES.outlookSupportForm}); enrol the IP in SNDS and JMRP to see its status.`,
      "Outlook.com's earlier replies (S3150) listed part of the IP's network, which usually only the hosting provider, who owns the range, can get delisted. If those replies come back, ask the hosting provider to request it, and send through another range or a relay meanwhile.",
    );
  } else if (rangeListed) {
    steps.push(
      `Outlook.com lists part of the IP's network (S3150), and usually only the hosting provider, who owns the range, can get it delisted: ask them to request it through the Outlook.com sender support form (${REFERENCES.outlookSupportForm}), and send through another range or a relay meanwhile. Enrol the IP in SNDS and JMRP to see its status.`,
    );
    if (ipBlocked) {
      steps.push(
        `Other Outlook.com replies block the IP itself, so also ask for its delisting with the sender support form (${REFERENCES.outlookSupportForm}).`,
      );
    }
  } else if (providers.includes("outlook")) {
    steps.push(
      `Ask Outlook.com for delisting with the sender support form (${REFERENCES.outlookSupportForm}); enrol the IP in SNDS and JMRP.`,
    );
  }
  if (providers.includes("gmail") || providers.includes("google-workspace")) {
    steps.push(
      `Google usually lifts its block within 3 to 5 days once the cause has stopped. If it does not, ask with the sender form (${REFERENCES.gmailSenderForm}), at most once every two weeks, and watch the IP's reputation in Google Postmaster Tools.`,
    );
  }
  if (providers.includes("exchange-online")) {
    steps.push(`Delist the IP for Exchange Online at ${REFERENCES.exchangeDelist}.`);
  }
  if (providers.includes("yahoo")) {
    steps.push(
      `Contact Yahoo sender support (${REFERENCES.yahooSupportForm}) once the cause is fixed.`,
    );
  }
  if (lists.includes("Spamhaus")) {
    steps.push("Look the IP up and request removal at https://check.spamhaus.org/.");
  }
  return steps;
}
