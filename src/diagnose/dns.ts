import type { LogFacts } from "../analysis/analyser.js";
import type { SelectorSource } from "../auth/dkim/check.js";
import type { SenderCheckInput, SenderCheckReport } from "../auth/index.js";
import { hostNameProblem, isIpAddress } from "../dns/names.js";
import { domainOf } from "../knowledge/providers.js";
import { canonicalIp } from "../store/types.js";
import type { Finding } from "./types.js";

/** How many domains and IPs from the logs are checked when none are given. */
const MAX_DOMAINS = 5;
const MAX_IPS = 3;

/** Domains, IPs and HELO name given on the command line; empty means "take them from the logs". */
export interface GivenSenders {
  readonly domains: readonly string[];
  readonly ips: readonly string[];
  readonly helo: string | null;
}

/**
 * Decides what to check in DNS: the given domains, else this server's sending domains (see
 * `checkedSendingDomains`), and the given IPs
 * followed by the IPs that receivers named. The named IPs are checked even next to `--ip`,
 * because a mistyped or second IP would otherwise leave the IP that receivers judged
 * unchecked. DKIM selectors come from what OpenDKIM logged for each domain.
 */
export function senderCheckInput(facts: LogFacts, given: GivenSenders): SenderCheckInput {
  const domains = given.domains.length > 0 ? [...given.domains] : checkedSendingDomains(facts);
  const givenIps = new Set(given.ips.map(canonicalIp));
  const judgedIps = [...facts.server.judgedIps]
    .sort((a, b) => b[1].count - a[1].count)
    .slice(0, MAX_IPS)
    .map(([ip]) => ip)
    .filter((ip) => !givenIps.has(canonicalIp(ip)));
  const ips = [...given.ips, ...judgedIps];
  const selectors: Record<string, SelectorSource[]> = {};
  for (const domain of domains) {
    const logged = facts.server.dkim.get(domain)?.selectors ?? new Set<string>();
    selectors[domain] = [...logged].map((selector) => ({ selector, source: "found" }));
  }
  return { domains, ips, helo: given.helo ?? heloName(facts), selectors };
}

/**
 * Returns the domains to check when none is given: the server's own sending domains (see
 * `ownSendingDomains`), or, when the log names none, the sender domains of the mail that relay
 * clients sent without SMTP AUTH, most messages first. A web server that relays through this
 * server sends as its site's domain, while forwarded mail, whose senders are other people's
 * domains, has no relay client.
 */
export function checkedSendingDomains(facts: LogFacts): string[] {
  const own = ownSendingDomains(facts);
  if (own.length > 0) return own;
  const counts = new Map<string, number>();
  for (const client of facts.origins.relayClients.values())
    addSenderDomains(counts, client.senders);
  return rankedDomains(counts).slice(0, MAX_DOMAINS);
}

/**
 * Returns the sender domains of the server's accounts and local programs, most messages first.
 * Then come the other domains of senders that submitted with SMTP AUTH under an account the log
 * does not name, and last those of the senders that the bounce messages returned mail to, most
 * recipients first.
 */
export function ownSendingDomains(facts: LogFacts): string[] {
  const counts = new Map<string, number>();
  const origins = [...facts.origins.accounts.values(), ...facts.origins.localSources.values()];
  for (const origin of origins) addSenderDomains(counts, origin.senders);
  const fromLogs = rankedDomains(counts);
  const fromSubmissions = rankedDomains(
    addSenderDomains(new Map(), facts.origins.unnamedAccountSenders),
  ).filter((domain) => !counts.has(domain));
  const fromBounces = rankedDomains(facts.bounceInput.senderDomains)
    // A bounce's sender comes from text that anyone could have written, so it must be a name
    // that DNS can look up.
    .filter(
      (domain) => !counts.has(domain) && !fromSubmissions.includes(domain) && isLookupName(domain),
    );
  return [...fromLogs, ...fromSubmissions, ...fromBounces].slice(0, MAX_DOMAINS);
}

/**
 * Returns `domains` without the server's own host name, such as `mx.example.com` of the cron
 * mail of `root@mx.example.com`. A domain counts as the host name when it is a host name of the
 * log's lines, or such a name followed by a dot and another of `domains` (a syslog host name
 * is often the first label alone). The commands of the removal checklist check the domains
 * that mail is sent as, and the host name only makes them longer.
 */
export function withoutHostNames(domains: readonly string[], facts: LogFacts): string[] {
  const hosts = [...facts.server.hostnames.keys()].map((host) => host.toLowerCase());
  const lowered = domains.map((domain) => domain.toLowerCase());
  const isHostName = (domain: string): boolean => {
    const name = domain.toLowerCase();
    return hosts.some(
      (host) =>
        name === host ||
        (name.startsWith(`${host}.`) && lowered.includes(name.slice(host.length + 1))),
    );
  };
  const others = domains.filter((domain) => !isHostName(domain));
  return others.length > 0 ? others : [...domains];
}

/** Adds the message counts of `senders` to `counts` by the senders' domains. */
function addSenderDomains(
  counts: Map<string, number>,
  senders: ReadonlyMap<string, number>,
): Map<string, number> {
  for (const [sender, messages] of senders) {
    const domain = domainOf(sender);
    if (domain !== null) counts.set(domain, (counts.get(domain) ?? 0) + messages);
  }
  return counts;
}

function rankedDomains(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([domain]) => domain);
}

function isLookupName(domain: string): boolean {
  return domain.includes(".") && !isIpAddress(domain) && hostNameProblem(domain) === null;
}

// Syslog host names are often short ("mail"); only a full name can be compared with PTR.
function heloName(facts: LogFacts): string | null {
  const host = [...facts.server.hostnames.keys()].find((name) => name.includes("."));
  return host ?? null;
}

/**
 * Returns the checked domains that DNS shows with neither MX nor address records (the MX
 * check's `mx-domain-unresolvable`), or none when DNS was not checked.
 */
export function domainsWithoutRecords(report: SenderCheckReport | null): Set<string> {
  const domains = (report?.domains ?? []).filter((domain) =>
    domain.mx.problems.some((problem) => problem.code === "mx-domain-unresolvable"),
  );
  return new Set(domains.map((domain) => domain.domain));
}

/**
 * Joins the DNS findings to the log findings. A finding id that both have becomes one
 * finding: the log's evidence and summary stay first, the DNS evidence goes under `dns`, the
 * severity is the worse of the two, and the DNS fixes (corrected records) come first because
 * they are the concrete change to make.
 */
export function mergeDnsFindings(
  findings: readonly Finding[],
  dnsFindings: readonly Finding[],
): Finding[] {
  const merged = [...findings];
  for (const dnsFinding of dnsFindings) {
    const index = merged.findIndex((candidate) => candidate.id === dnsFinding.id);
    const fromLogs = merged[index];
    if (index < 0 || fromLogs === undefined) {
      merged.push(dnsFinding);
      continue;
    }
    merged[index] = {
      ...fromLogs,
      severity: worseSeverity(fromLogs.severity, dnsFinding.severity),
      summary: `${fromLogs.summary} DNS check: ${dnsFinding.summary}`,
      evidence: { ...fromLogs.evidence, dns: dnsFinding.evidence },
      fix: [...dnsFinding.fix, ...fromLogs.fix.filter((step) => !dnsFinding.fix.includes(step))],
      references: [...new Set([...fromLogs.references, ...dnsFinding.references])],
    };
  }
  return merged;
}

const SEVERITY_ORDER: readonly Finding["severity"][] = ["info", "warning", "critical"];

function worseSeverity(a: Finding["severity"], b: Finding["severity"]): Finding["severity"] {
  return SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;
}
