import { listNames } from "../diagnose/findings/build.js";
import { UNKNOWN_IP_PLACEHOLDER } from "../diagnose/removal-forms.js";
import { shellQuote } from "../diagnose/shell-quote.js";
import type { LastRemovalRequest, RemovalFormReport } from "../diagnose/types.js";
import { PROVIDER_NAMES } from "../knowledge/providers.js";
import { plural } from "./wrap.js";

/** How many `delist removal request` commands the text and Markdown reports print per form. */
const MAX_SHOWN_COMMANDS = 10;

/**
 * Builds the commands that record a request, one per form and IP with none recorded yet, up to
 * `MAX_SHOWN_COMMANDS` per form, and counts the commands left out.
 */
export function recordCommands(forms: readonly RemovalFormReport[]): {
  readonly shown: string[];
  readonly omitted: number;
} {
  const shown: string[] = [];
  let omitted = 0;
  for (const form of forms) {
    const unrecorded = form.targets.filter((target) => target.lastRequest === null);
    for (const target of unrecorded.slice(0, MAX_SHOWN_COMMANDS)) {
      // The IP comes from the log, so it is quoted as one shell word.
      const ip = target.ip === null ? UNKNOWN_IP_PLACEHOLDER : shellQuote(target.ip);
      shown.push(`delist removal request --provider ${form.provider} --ip ${ip}`);
    }
    omitted += Math.max(0, unrecorded.length - MAX_SHOWN_COMMANDS);
  }
  return { shown, omitted };
}

/** Builds the sentence that gives the time of `request` and when the form may be sent again. */
export function lastRequestSentence(
  request: LastRemovalRequest,
  formatTime: (iso: string) => string,
): string {
  const next = request.nextAllowedNow
    ? "the next is allowed now"
    : `send the next one from ${formatTime(request.nextAllowedAt)}`;
  return `Last request: ${formatTime(request.at)} for ${request.ip}; ${next}.`;
}

/**
 * Builds the sentence that explains the IP placeholder in the commands, or returns null when
 * every command names an IP. `sendingIps` is the number of IPs that receivers named.
 */
export function unknownIpSentence(
  forms: readonly RemovalFormReport[],
  sendingIps: number,
): string | null {
  const names = forms
    .filter((form) => form.targets.some((target) => target.ip === null))
    .map((form) => PROVIDER_NAMES[form.provider]);
  if (names.length === 0) return null;
  const subject = `The replies of ${listNames(names)} named no IP`;
  if (sendingIps === 0) {
    return `${subject}, and no other receiver named one either. Replace ${UNKNOWN_IP_PLACEHOLDER} with the server's public IP, or give it to diagnose with --ip.`;
  }
  return `${subject}, and other receivers named ${plural(sendingIps, "IP")}, so delist cannot tell which one the form is for. Replace ${UNKNOWN_IP_PLACEHOLDER} with that IP, or give it to diagnose with --ip.`;
}

/** Builds the line that counts the commands left out beyond `MAX_SHOWN_COMMANDS`. */
export function omittedCommandsSentence(omitted: number): string {
  return `${plural(omitted, "more IP has", "more IPs have")} no recorded request. The JSON report (-f json) lists every IP under readiness.removalForms[].targets.`;
}
