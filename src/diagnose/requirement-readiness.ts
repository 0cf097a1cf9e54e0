import type { Category } from "../knowledge/categories.js";
import { listNames, providersDo } from "./findings/build.js";
import type { ProviderVerdict } from "./types.js";

/**
 * The reply categories that name one requirement the sender can meet, each with the condition
 * that ends such replies. The receiver checks the requirement on every message, so the replies
 * end once it is met, and a removal request has no block to lift.
 */
const REQUIREMENTS: Partial<Record<Category, string>> = {
  tls: "outgoing TLS works",
  authentication: "SPF, DKIM and DMARC pass",
  "reverse-dns": "the PTR record and its forward lookup match the sending IP",
};

/**
 * Returns the conditions that end a provider's block when every block reply of the provider
 * names a requirement (TLS, authentication or reverse DNS), in the order of its reasons. Returns
 * [] when the provider has no block reply or any block reply is for another cause, such as
 * reputation, because a removal form can still apply to that one.
 */
export function blockRequirements(verdict: Pick<ProviderVerdict, "reasons">): string[] {
  const blockReasons = verdict.reasons.filter((reason) => reason.blockSignal);
  const requirements = blockReasons.map((reason) => REQUIREMENTS[reason.category]);
  if (requirements.length === 0) return [];
  if (requirements.some((requirement) => requirement === undefined)) return [];
  return [...new Set(requirements.filter((requirement) => requirement !== undefined))];
}

/** True when every block reply of the provider names a requirement that the sender can meet. */
export function isRequirementBlock(verdict: Pick<ProviderVerdict, "reasons">): boolean {
  return blockRequirements(verdict).length > 0;
}

/**
 * Builds the readiness summary for when every provider that rejects or defers mail does so
 * only for requirements: no removal request is needed, and the queue is retried after the fix.
 * A `blocked` provider rejected mail too, and that mail is no longer queued.
 */
export function requirementSummary(blocking: readonly ProviderVerdict[]): string {
  const summary = `No removal request is needed: the ${repliesNoun(blocking)} end once ${requirementList(blocking)}. Retry the queue after the fix.`;
  if (!blocking.some((verdict) => verdict.status === "blocked")) return summary;
  return `${summary} Rejected mail bounced and is not in the queue, so its senders must send it again.`;
}

/**
 * Builds the sentence that names the providers which need no removal request, for a summary
 * that still lists forms or contacts for other providers. Returns "" when there are none.
 */
export function requirementNote(blocking: readonly ProviderVerdict[]): string {
  if (blocking.length === 0) return "";
  const names = blocking.map((verdict) => verdict.name);
  return `${providersDo(names, "needs", "need")} no removal request, because the ${repliesNoun(blocking)} end once ${requirementList(blocking)}.`;
}

/** Returns "deferrals", or "rejections and deferrals" when any of the providers blocks mail. */
function repliesNoun(blocking: readonly ProviderVerdict[]): string {
  return blocking.some((verdict) => verdict.status === "blocked")
    ? "rejections and deferrals"
    : "deferrals";
}

/** Joins the conditions that end the providers' blocks, each once. */
function requirementList(blocking: readonly ProviderVerdict[]): string {
  return listNames([...new Set(blocking.flatMap((verdict) => blockRequirements(verdict)))]);
}
