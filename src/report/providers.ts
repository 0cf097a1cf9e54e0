/** Provider rows shared by the text and Markdown reports. */
import type { Diagnosis, ProviderVerdict } from "../diagnose/types.js";

/**
 * Returns the providers worth a row: a provider without attempts, expired mail, suspended
 * deferrals or a block (only known from a reply outside any delivery) would show a row of zeros.
 */
export function shownProviders(diagnosis: Diagnosis): ProviderVerdict[] {
  return Object.values(diagnosis.providers).filter(
    (verdict): verdict is ProviderVerdict =>
      verdict !== undefined &&
      (verdict.attempts > 0 ||
        verdict.expired > 0 ||
        verdict.suspendedDeferrals > 0 ||
        verdict.status !== "ok"),
  );
}

/**
 * Names what happened to the blocked attempts. They count deferrals and rejections
 * together, so only a provider that never rejected permanently gets "deferred" alone.
 */
export function blockedVerb(verdict: ProviderVerdict): string {
  return verdict.firstPermanentBlock === null ? "deferred" : "rejected or deferred";
}
