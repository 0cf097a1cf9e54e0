import type { ProviderVerdict } from "../diagnose/types.js";
import { warnUnlessRepeated, type JobContext } from "./context.js";
import type { JobOutcome } from "./unanswered.js";

/**
 * Logs a warning for the providers of a log window that this server could not connect to, and
 * an info line once every provider of the log can be reached again after such a warning. A
 * connection failure is no block of the sending IP, because the provider never judged the mail,
 * so no block state is recorded for it. The outage's alerts come from its connection state (see
 * `connectionObservations`), whose open incident makes `--once` exit 1. Returns `complete`
 * even then, because the log was read in full and the outage is a finding, not a target left
 * unchecked. The warning is dated by the first failed connection in the log, and the same
 * warning again is logged at most once per REPEAT_LOG_INTERVAL_MS.
 */
export function reportUnreachableProviders(
  context: JobContext,
  path: string,
  providers: Readonly<Record<string, ProviderVerdict | undefined>>,
): JobOutcome {
  const { logger, repeats } = context;
  const key = `unreachable:${path}`;
  const unreachable = Object.entries(providers)
    .filter(([provider]) => provider !== "other")
    .flatMap(([provider, verdict]) =>
      verdict?.status === "unreachable" ? [{ provider, verdict }] : [],
    )
    .sort((a, b) => a.provider.localeCompare(b.provider));
  if (unreachable.length === 0) {
    if (repeats.clear(key))
      logger.info({ path }, "no provider in the new lines of this log was unreachable");
    return "complete";
  }

  const names = unreachable.map(({ provider }) => provider);
  const shownNames = unreachable.map(({ verdict }) => verdict.name);
  // The message names no times, so that the repeat filter keeps the same outage back in later
  // windows.
  const message =
    `this server could not connect to ${shownNames.join(", ")}: no block state was recorded, ` +
    "because the provider never judged the mail. Check that outbound port 25 is open to it " +
    "(run delist diagnose on the log for the steps)";
  warnUnlessRepeated(context, key, message, {
    path,
    providers: names,
    since: Object.fromEntries(
      unreachable.map(({ provider, verdict }) => [provider, firstFailure(verdict)]),
    ),
    connectionFailures: Object.fromEntries(
      unreachable.map(({ provider, verdict }) => [provider, verdict.connectionFailures]),
    ),
  });
  return "complete";
}

/** Returns the log time of the first failed connection of the verdict's outage, or null. */
function firstFailure(verdict: ProviderVerdict): string | null {
  return verdict.outage?.first.time ?? null;
}
