import type { LogFacts } from "../analysis/analyser.js";
import { canonicalIp } from "../store/types.js";
import { listNames } from "./findings/build.js";
import type { Finding } from "./types.js";

/** The IPs given with `--ip` that no receiver named in a reply, and the IPs receivers named. */
export interface UnjudgedIps {
  readonly unnamed: readonly string[];
  /** The IPs that receivers named (Gmail's `[203.0.113.10 …]`), most replies first. */
  readonly judged: readonly string[];
}

/**
 * Returns the IPs given with `--ip` that no receiver named in a reply. Returns null when every
 * given IP was named, or when no reply named an IP, because then nothing shows which IP the
 * receivers judged.
 */
export function unjudgedGivenIps(facts: LogFacts, givenIps: readonly string[]): UnjudgedIps | null {
  const judged = [...facts.server.judgedIps]
    .sort((a, b) => b[1].count - a[1].count)
    .map(([ip]) => ip);
  const named = new Set(judged.map(canonicalIp));
  const unnamed = givenIps.filter((ip) => !named.has(canonicalIp(ip)));
  if (judged.length === 0 || unnamed.length === 0) return null;
  return { unnamed, judged };
}

/** Builds the input note that names the given IPs no receiver named and the judged IPs. */
export function unjudgedIpNote(ips: UnjudgedIps, dnsChecked: boolean): string {
  const options = ips.unnamed.map((ip) => `--ip ${ip}`);
  const verb = ips.unnamed.length === 1 ? "is" : "are";
  const checks = dnsChecked
    ? `The DNS and blocklist checks cover ${listNames(ips.judged.slice(0, 3))} as well, and listings or PTR problems of ${listNames(ips.unnamed)} alone are not taken as a cause of the receivers' blocks.`
    : "DNS was not checked in this run.";
  return (
    `${listNames(options)} ${verb} not an IP that receivers named in their replies: they judged ` +
    `${listNames(ips.judged.slice(0, 3))}. Check for a mistyped --ip, or the second IP of a ` +
    `server with two. ${checks}`
  );
}

/**
 * Makes the DNS `ip-blocklisted` and `reverse-dns` findings observations when every IP they
 * fault is one of `ips.unnamed`, because receivers judged other IPs, so such a listing or PTR
 * problem explains none of their blocks. A `critical` severity becomes `warning`, as for
 * other observations. A finding that also faults a judged IP or a domain stays as it is.
 */
export function withUnjudgedIpRoles(findings: readonly Finding[], ips: UnjudgedIps): Finding[] {
  const unjudged = new Set(ips.unnamed.map(canonicalIp));
  return findings.map((finding) => {
    const faulted = faultedTargets(finding);
    if (faulted.length === 0 || !faulted.every((target) => unjudged.has(canonicalIp(target)))) {
      return finding;
    }
    const severity = finding.severity === "critical" ? "warning" : finding.severity;
    return {
      ...finding,
      role: "observation",
      severity,
      summary: `${finding.summary} No receiver named ${listNames(faulted)} in a reply (they judged ${listNames(ips.judged.slice(0, 3))}), so this is no likely cause of their blocks.`,
    };
  });
}

/**
 * Returns the targets that a DNS finding faults: the listed targets of `ip-blocklisted` and
 * the IPs without forward-confirmed reverse DNS of `reverse-dns`. Empty for other findings.
 */
function faultedTargets(finding: Finding): string[] {
  const evidence = finding.evidence as {
    source?: string;
    listings?: ReadonlyArray<{ target: string }>;
    ptr?: ReadonlyArray<{ ip: string; forwardConfirmed: boolean; error: string | null }>;
  };
  if (finding.id === "ip-blocklisted" && evidence.source === "dnsbl") {
    return [...new Set((evidence.listings ?? []).map((listing) => listing.target))];
  }
  if (finding.id === "reverse-dns" && evidence.source === "dns") {
    return (evidence.ptr ?? [])
      .filter((entry) => entry.error === null && !entry.forwardConfirmed)
      .map((entry) => entry.ip);
  }
  return [];
}
