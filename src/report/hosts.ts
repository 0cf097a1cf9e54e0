/** Sentences that name the servers whose mail the log shows, for the text and Markdown reports. */
import { listNames } from "../diagnose/findings/build.js";
import { serverSubject, type ServerSubject } from "../diagnose/server-subject.js";
import type { Diagnosis, OutageReport, ProviderVerdict, ServerReport } from "../diagnose/types.js";
import { count, plural } from "./wrap.js";

/** Maximum number of servers named in one sentence; the rest are counted. */
const MAX_NAMED_HOSTS = 5;

/**
 * Returns the sentence that names each server whose delivery attempts to other servers the
 * verdicts count, with their number, or null when at most one server made any. A server that
 * only received mail (the same log's second host) mixes nothing into the verdicts.
 */
export function hostsSentence(server: ServerReport): string | null {
  const hosts = sendingHosts(server);
  if (hosts.length <= 1) return null;
  const [first, ...rest] = hosts.map((host) => [host.name, host.remoteAttempts] as const);
  const named = [
    `${first?.[0] ?? ""} (${plural(first?.[1] ?? 0, "delivery attempt")})`,
    ...rest.map(([name, attempts]) => `${name} (${count(attempts)})`),
  ];
  return `The verdicts count the mail of ${count(hosts.length)} hosts together: ${namedList(named)}.`;
}

/**
 * Returns the servers that a provider's blocked attempts came from, with the count of each,
 * such as "mx1 (2,600) and mx2 (54)", or null when at most one server made delivery attempts.
 */
export function blockedHostsList(verdict: ProviderVerdict, server: ServerReport): string | null {
  if (sendingHosts(server).length <= 1) return null;
  const entries = Object.entries(verdict.blockedAttemptsByHost).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  return namedList(entries.map(([name, attempts]) => `${name} (${count(attempts)})`));
}

/**
 * Returns the servers whose attempts failed in an outage, with the count of each, such as
 * "mx2 (30)", or null when at most one server made delivery attempts.
 */
export function failedHostsList(outage: OutageReport, server: ServerReport): string | null {
  if (sendingHosts(server).length <= 1) return null;
  const entries = Object.entries(outage.failuresByHost).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return null;
  return namedList(entries.map(([name, failures]) => `${name} (${count(failures)})`));
}

/** Names the servers that hold outbound mail themselves (`verdict.heldByServer`). */
export function heldSubject(diagnosis: Diagnosis): ServerSubject {
  const counts = diagnosis.verdict.heldByServer?.linesByHost ?? {};
  return serverSubject(counts, diagnosis.server.hosts);
}

/**
 * Returns the heading of the recipients that the log's servers deferred or bounced on their
 * own: "by this server itself", or "by these servers themselves" for a log of several.
 */
export function ownDecisionHeading(server: ServerReport): string {
  const subject = serverSubject({}, server.hosts);
  return subject.plural
    ? `Deferred or bounced by ${subject.text} themselves`
    : `Deferred or bounced by ${subject.text} itself`;
}

function sendingHosts(server: ServerReport): ServerReport["hosts"] {
  return server.hosts.filter((host) => host.remoteAttempts > 0);
}

function namedList(items: readonly string[]): string {
  if (items.length <= MAX_NAMED_HOSTS) return listNames(items);
  const more = items.length - MAX_NAMED_HOSTS + 1;
  return listNames([...items.slice(0, MAX_NAMED_HOSTS - 1), `${count(more)} more`]);
}
