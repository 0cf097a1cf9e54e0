/**
 * Notices of Microsoft Exchange 2007 and later. Under "Diagnostic information for
 * administrators" they list each delivery attempt, newest first, as in
 * "3/09/2016 8:05:56 PM - Remote Server at mx.example.net returned '550 4.4.7 QUEUE.Expired…'".
 */
import type { RecipientDraft } from "../types.js";

const ATTEMPT = /returned '[45]\d\d ([45]\.\d{1,3}\.\d{1,3})\b[^']*'/g;

/**
 * Returns the draft with the status of the last attempt before Exchange gave up, when the
 * stated failure is Exchange's own expiry (`4.4.7 QUEUE.Expired`): the expiry only means
 * that time ran out, and the attempt before it shows what kept failing until then.
 */
export function withCauseOfExpiry(draft: RecipientDraft, blockText: string): RecipientDraft {
  if (!/\bQUEUE\.Expired\b/.test(draft.diagnostic)) return draft;
  for (const match of blockText.matchAll(ATTEMPT)) {
    const status = match[1];
    if (status !== undefined && status !== "4.4.7" && status !== "5.4.7") {
      return { ...draft, status };
    }
  }
  return draft;
}
