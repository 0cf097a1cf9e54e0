/**
 * Bounces from au's EZweb mail service (KDDI, `Postmaster@ezweb.ne.jp`): above the list of
 * recipients they state the verdict in one English sentence, which the reply below may
 * contradict.
 */
import type { BounceMessage } from "../mime.js";
import type { RecipientDraft } from "../types.js";

/**
 * Returns the drafts with the reason that the verdict sentence of an EZweb bounce gives:
 * - "The user(s) account is disabled.": the account is suspended, even where the reply
 *   below reads "user unknown".
 * - "Each of the following recipients was rejected by a remote mail server.", with no
 *   reply for the recipient: the phone owner's own filter (of domains or addresses)
 *   refused the message. A refusal by a server comes with its SMTP transcript.
 * Drafts of other bounces are returned as they are.
 */
export function withEzwebVerdict(
  message: BounceMessage,
  drafts: readonly RecipientDraft[],
): RecipientDraft[] {
  if (!/@ezweb\.ne\.jp$/i.test(message.from ?? "")) return [...drafts];
  const text = message.text.replace(/\s+/g, " ");
  if (/\bThe user\(s\) account is disabled\b/i.test(text)) {
    return drafts.map((draft) => ({ ...draft, reason: draft.reason ?? "suspend" }));
  }
  if (!/\bwas rejected by a remote mail server\b/i.test(text)) return [...drafts];
  return drafts.map((draft) =>
    draft.reason === null && !/(?:^|\s)[45]\d\d[\s-]/.test(draft.diagnostic)
      ? { ...draft, reason: "filtered" }
      : draft,
  );
}
