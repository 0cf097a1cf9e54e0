import { providersDo } from "./findings/build.js";
import { hasRemovalForm } from "./removal-forms.js";
import type { Finding, ProviderVerdict, RemovalForm } from "./types.js";

/**
 * Returns the finding that advises a warm-up, or null: `new-ip`, or a `volume-spike` whose
 * daily volume grew fast day after day (`evidence.dailyRamp`).
 */
export function warmUpFinding(findings: readonly Finding[]): Finding | null {
  const newIp = findings.find((f) => f.id === "new-ip");
  if (newIp !== undefined) return newIp;
  const ramp = findings.find(
    (f) =>
      f.id === "volume-spike" && Array.isArray((f.evidence as { dailyRamp?: unknown }).dailyRamp),
  );
  return ramp ?? null;
}

/**
 * True when a provider's deferrals are no reason for a removal request: they are temporary
 * (`rate-limited`) while a finding advises a warm-up. Receivers throttle a new IP or a fast
 * growing volume until they have a history of its mail, so a request does not lift such a limit.
 */
export function isWarmUpThrottle(verdict: ProviderVerdict, warmUp: Finding | null): boolean {
  return warmUp !== null && verdict.status === "rate-limited";
}

/**
 * True when the summary advises slowing down in place of a request. That is so when a finding
 * advises a warm-up, or when no form applies and every blocking provider has a form but only
 * rate-limits mail with replies that no request lifts (such as Outlook.com's 451 4.7.650).
 */
export function needsThrottleSummary(
  affected: ReadonlyArray<readonly [string, ProviderVerdict | undefined]>,
  forms: readonly RemovalForm[],
  warmUp: Finding | null,
): boolean {
  if (warmUp !== null) return true;
  if (forms.length > 0 || affected.length === 0) return false;
  return affected.every(
    ([provider, verdict]) => hasRemovalForm(provider) && verdict?.status === "rate-limited",
  );
}

/**
 * Builds the readiness summary that advises slowing down, and warming up when a finding advises
 * it, before any removal request. `throttled` names the providers that only rate-limit
 * mail, `formNames` those whose forms are still listed because they rejected mail, and
 * `openTitles` the readiness items that are not yet passed, joined for a sentence.
 */
export function throttleSummary(
  throttled: readonly string[],
  warmUp: Finding | null,
  formNames: readonly string[],
  openTitles: string,
): string {
  const sentences = [warmUp === null ? "Slow down." : "Slow down and keep warming up."];
  if (throttled.length > 0) {
    sentences.push(
      `No removal request is needed yet, because ${providersDo(throttled, "defers", "defer")} mail only with temporary rate limits, ${liftClause(warmUp)}.`,
    );
  } else {
    sentences.push("No removal request is needed while the warm-up goes on.");
  }
  if (formNames.length > 0) {
    const after = openTitles === "" ? "" : ` and these pass: ${openTitles}`;
    sentences.push(
      `The forms below are for ${formNames.join(", ")}, which rejected mail. Send them only once the deferrals have stopped${after}.`,
    );
  } else if (openTitles !== "") {
    sentences.push(`Still open or to check: ${openTitles}.`);
  }
  return sentences.join(" ");
}

/** Returns the clause on when the rate limits lift, which depends on the warm-up finding. */
function liftClause(warmUp: Finding | null): string {
  if (warmUp?.id === "new-ip") return "which lift as the new IP builds a sending reputation";
  if (warmUp !== null) return "which lift as receivers get to know the new volume";
  return "which lift when the traffic looks fine at a lower rate";
}
