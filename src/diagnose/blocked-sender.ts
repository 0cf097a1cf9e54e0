import { listNames } from "./findings/build.js";
import type { ProviderVerdict, ServerReport } from "./types.js";

/** Maximum number of servers that the verdict sentence names. The rest are counted. */
const MAX_NAMED_SENDERS = 3;

/**
 * Names the sender of a provider's blocked mail for the verdict sentence. That is "this
 * server" when at most one server made delivery attempts, or when no blocked attempt came from
 * a logged server (only from bounce messages). Otherwise it names the servers that the blocked
 * attempts came from, most first, such as "web2" or "mx1 and mx2", so that a block of one host
 * does not read as a block of every host.
 */
export function blockedSender(
  verdict: ProviderVerdict,
  server: Pick<ServerReport, "hosts">,
): string {
  const sendingHosts = server.hosts.filter((host) => host.remoteAttempts > 0).length;
  if (sendingHosts <= 1) return "this server";
  const names = Object.entries(verdict.blockedAttemptsByHost)
    .filter(([, attempts]) => attempts > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name);
  if (names.length === 0) return "this server";
  if (names.length <= MAX_NAMED_SENDERS) return listNames(names);
  const more = names.length - MAX_NAMED_SENDERS + 1;
  return listNames([...names.slice(0, MAX_NAMED_SENDERS - 1), `${more} more hosts`]);
}
