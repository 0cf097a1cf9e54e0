import type { UndeliveredReport } from "../diagnose/undelivered.js";
import { count, plural, shortTime, wrap } from "./wrap.js";

/**
 * Renders a tally of deferrals and bounces that no receiver decided as a sentence that starts
 * with `label`, followed by its earliest line. Returns no lines when the tally is empty.
 */
export function undeliveredLines(label: string, report: UndeliveredReport): string[] {
  if (report.deferred === 0 && report.bounced === 0) return [];
  const lines = wrap(
    `${label}: ${count(report.deferred)} deferred, ${count(report.bounced)} bounced.`,
    "  ",
  );
  const first = report.first;
  if (first !== null) {
    const transport = first.transport === null ? "" : ` by ${first.transport}`;
    lines.push(
      ...wrap(
        `${shortTime(first.time)} ${first.status} <${first.recipient}>${transport}: ` +
          `${first.text ?? "no reason logged"} (${first.file}:${first.line})`,
        "    first ",
        "          ",
      ),
    );
  }
  return lines;
}

/**
 * Renders the note under a provider's row on the deferrals that the MTA made without trying
 * the provider, with the recipients deferred in all. Returns no lines when there were none.
 */
export function suspendedDeferralLines(suspended: number, deferredRecipients: number): string[] {
  if (suspended === 0) return [];
  return wrap(
    `${count(suspended)} of the deferrals were made without a connection, because delivery ` +
      `was suspended after an earlier failure. In all, ${plural(deferredRecipients, "recipient was", "recipients were")} deferred.`,
    "    ",
  );
}
