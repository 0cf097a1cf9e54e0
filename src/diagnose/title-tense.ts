import type { ProviderKey } from "../knowledge/providers.js";
import type { ReplyFindingEvidence } from "./findings/replies.js";
import type { Finding, ProviderVerdict } from "./types.js";
import { inLastHours } from "./verdict.js";

/** The present-tense verbs of reply-driven finding titles, with their past tense. */
const PAST_TENSE: Readonly<Record<string, string>> = {
  lists: "listed",
  list: "listed",
  rejects: "rejected",
  reject: "rejected",
  defers: "deferred",
  defer: "deferred",
  blocks: "blocked",
  block: "blocked",
};

const REJECTION_VERBS: readonly string[] = ["rejects", "reject"];

/**
 * Puts the first of `verbs` in `title` into the past tense, as in "Gmail rejects messages as
 * spam" to "Gmail rejected messages as spam". Titles of reply-driven findings start with the
 * provider names and their verb (`providersDo`), so the first match is that verb. A title
 * without one of `verbs` comes back unchanged.
 */
export function pastTenseTitle(
  title: string,
  verbs: readonly string[] = Object.keys(PAST_TENSE),
): string {
  // Spaces on both sides keep a domain such as list.example.com in a title unchanged.
  const pattern = new RegExp(`(?<=\\s)(${verbs.join("|")})(?=\\s)`);
  return title.replace(pattern, (verb) => PAST_TENSE[verb] ?? verb);
}

/**
 * Puts a reply-driven finding's "rejects" into the past tense when each of its providers sent
 * its latest rejection (`lastPermanentBlock`) more than two hours before the end of the log
 * (`ONGOING_WINDOW_MS`), even though the provider may still defer mail. `logEnd` is in epoch
 * milliseconds, or null for a log without times, which leaves the title unchanged.
 */
export function pastRejectionTitle(
  result: Finding,
  providers: Partial<Record<ProviderKey, ProviderVerdict>>,
  logEnd: number | null,
): Finding {
  const evidence = result.evidence as Partial<ReplyFindingEvidence>;
  if (evidence.providers === undefined || logEnd === null) return result;

  const ids = Object.keys(evidence.providers) as ProviderKey[];
  const rejectionsEnded =
    ids.length > 0 &&
    ids.every((id) => {
      const last = providers[id]?.lastPermanentBlock ?? null;
      return last !== null && !inLastHours(last.time, logEnd);
    });
  if (!rejectionsEnded) return result;
  return { ...result, title: pastTenseTitle(result.title, REJECTION_VERBS) };
}
