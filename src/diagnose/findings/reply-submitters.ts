import type { OriginFacts } from "../../analysis/origins.js";
import type { RuleTally } from "../../analysis/replies.js";
import type { DiagnoseContext } from "../context.js";
import { serverSubject } from "../server-subject.js";
import { describeOrigin } from "./origin-names.js";
import { mergeMaps, sum } from "./replies.js";
import { senderText } from "./sender-names.js";

/**
 * A sender, account or program, or host is named when the messages of more than this share of
 * the replies to single recipients came from it.
 */
const MAIN_SHARE = 0.5;

/** The account or local program behind most of the replies, as the evidence gives it. */
export interface MainOrigin {
  readonly kind: OriginFacts["kind"];
  /** The SMTP AUTH account, or null for a local program. */
  readonly account: string | null;
  readonly uid: number | null;
  readonly localUser: string | null;
  readonly workingDirectory: string | null;
  /** Its name in the reports, such as "SASL account dave" or "local user news, uid 33". */
  readonly description: string;
  readonly replies: number;
}

/**
 * The sender, account or program, and host behind most of a finding's replies to single
 * recipients. Each part is null when none covers more than half of the replies.
 */
export interface ReplySubmitters {
  /** Replies to single recipients, the count that the shares are of. */
  readonly replies: number;
  /** The envelope sender, `<>` for the null sender. */
  readonly mainSender: { readonly sender: string; readonly replies: number } | null;
  readonly mainOrigin: MainOrigin | null;
  /** The server that logged the messages, by its name in `server.hosts`. */
  readonly mainHost: { readonly host: string; readonly replies: number } | null;
}

/** Finds the sender, account or program, and host behind most of the replies of `tallies`. */
export function replySubmitters(tallies: readonly RuleTally[]): ReplySubmitters {
  const replies = sum(tallies.map((tally) => tally.count));
  const sender = mainEntry(mergeMaps(tallies.map((tally) => tally.senders)), replies);
  const origin = mainEntry(mergeMaps(tallies.map((tally) => tally.origins)), replies);
  const host = mainEntry(mergeMaps(tallies.map((tally) => tally.servers)), replies);
  return {
    replies,
    mainSender: sender === null ? null : { sender: senderText(sender[0]), replies: sender[1] },
    mainOrigin: origin === null ? null : mainOrigin(origin[0], origin[1]),
    mainHost: host === null ? null : { host: host[0], replies: host[1] },
  };
}

function mainEntry<K>(counts: ReadonlyMap<K, number>, total: number): [K, number] | null {
  let best: [K, number] | null = null;
  for (const entry of counts) {
    if (best === null || entry[1] > best[1]) best = entry;
  }
  return best !== null && best[1] > total * MAIN_SHARE ? best : null;
}

function mainOrigin(origin: OriginFacts, replies: number): MainOrigin {
  return {
    kind: origin.kind,
    account: origin.kind === "account" ? origin.name : null,
    uid: origin.uid,
    localUser: origin.localUser,
    workingDirectory: origin.workingDirectory,
    description: describeOrigin(origin),
    replies,
  };
}

/**
 * Names the mail of `submitters`, such as "sent as news@example.com on mx2 by local user news,
 * uid 33", or returns null when no part covers most of the replies. The host is named only
 * when the log shows mail of several servers.
 */
export function submittersPhrase(
  context: DiagnoseContext,
  submitters: ReplySubmitters,
): string | null {
  const parts = shownParts(context, submitters);
  if (parts.length === 0) return null;
  return parts.map((part) => part.text).join(" ");
}

/**
 * Says which sender, account or program, and host got most of the replies, with their counts,
 * or returns "" when none did. One count serves all when each covers every reply.
 */
export function submittersSentence(context: DiagnoseContext, submitters: ReplySubmitters): string {
  const parts = shownParts(context, submitters);
  if (parts.length === 0) return "";
  const total = submitters.replies.toLocaleString("en-US");
  if (parts.every((part) => part.replies === submitters.replies)) {
    const text = parts.map((part) => part.text).join(" ");
    return ` All ${total} replies to single recipients were about mail ${text}.`;
  }
  const counted = parts.map((part) => `${part.text} (${part.replies.toLocaleString("en-US")})`);
  return ` Of the ${total} replies to single recipients, most were about mail ${counted.join(" ")}.`;
}

interface SubmitterPart {
  readonly text: string;
  readonly replies: number;
}

function shownParts(context: DiagnoseContext, submitters: ReplySubmitters): SubmitterPart[] {
  const { mainSender, mainOrigin, mainHost } = submitters;
  const parts: SubmitterPart[] = [];
  if (mainSender !== null) {
    parts.push({ text: `sent as ${mainSender.sender}`, replies: mainSender.replies });
  }
  if (mainHost !== null) {
    const counts = { [mainHost.host]: mainHost.replies };
    const subject = serverSubject(counts, context.facts.server.hosts.values());
    if (subject.named) parts.push({ text: `on ${subject.text}`, replies: mainHost.replies });
  }
  // The origin comes last because its description can contain a comma ("user news, uid 33").
  if (mainOrigin !== null) {
    parts.push({ text: `by ${mainOrigin.description}`, replies: mainOrigin.replies });
  }
  return parts;
}
