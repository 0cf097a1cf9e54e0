import { LogAnalyser, type LogFacts } from "../analysis/analyser.js";
import type { ReplyExplainer } from "../analysis/explainer.js";
import { DiagnoseContext } from "../diagnose/context.js";
import type { ProviderVerdict } from "../diagnose/types.js";
import { providerVerdict } from "../diagnose/verdict.js";
import { isIpAddress, parseIp } from "../dns/names.js";
import type { ProviderKey } from "../knowledge/providers.js";
import type { LogEvent } from "../logs/events.js";
import type { TimeZone } from "../time/zone.js";

/** The address family of an IP, as `ipaddr.js` names it. */
export type AddressFamily = "ipv4" | "ipv6";

export const ADDRESS_FAMILIES: readonly AddressFamily[] = ["ipv4", "ipv6"];

/** The provider verdicts of a set of delivery attempts and the sending IPs their replies named. */
export interface ProviderEvidence {
  readonly providers: Partial<Record<ProviderKey, ProviderVerdict>>;
  /** The sending IPs named in the replies, each with the providers that named it. */
  readonly judgedIps: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Returns the address family of `ip`, or null when it is missing or not an address. Sendmail
 * writes IPv6 literals as `IPv6:2001:db8::1`, and an IPv4-mapped IPv6 address is IPv4.
 */
export function addressFamilyOf(ip: string | null): AddressFamily | null {
  if (ip === null) return null;
  const bare = ip.slice(0, 5).toLowerCase() === "ipv6:" ? ip.slice(5) : ip;
  if (!isIpAddress(bare)) return null;
  return parseIp(bare).kind();
}

/**
 * Returns the only IPv4 and the only IPv6 address of `ips`, or null unless `ips` contains
 * exactly one address of each family (spellings of one address count once).
 */
export function dualStackPair(ips: readonly string[]): Record<AddressFamily, string> | null {
  const byFamily: Record<AddressFamily, Set<string>> = { ipv4: new Set(), ipv6: new Set() };
  for (const ip of ips) {
    if (!isIpAddress(ip)) return null;
    const address = parseIp(ip);
    byFamily[address.kind()].add(address.toString());
  }
  const [ipv4, ...moreIpv4] = byFamily.ipv4;
  const [ipv6, ...moreIpv6] = byFamily.ipv6;
  if (ipv4 === undefined || ipv6 === undefined) return null;
  return moreIpv4.length === 0 && moreIpv6.length === 0 ? { ipv4, ipv6 } : null;
}

/** Returns the sending IPs that the replies of `facts` named, with the providers of each. */
export function judgedIpsOf(facts: LogFacts): Map<string, ReadonlySet<string>> {
  const judgedIps = new Map<string, ReadonlySet<string>>();
  for (const [ip, judged] of facts.server.judgedIps) judgedIps.set(ip, new Set(judged.providers));
  return judgedIps;
}

const MAX_CACHED_IPS = 10_000;

/**
 * Analyses the delivery attempts and session replies of a log window once more, apart by the
 * address family of the relay IP. A server connects to an IPv6 MX from its own IPv6 address
 * and to an IPv4 MX from its IPv4 address. On a dual-stack server with one address of each
 * family, the relay IP's family therefore identifies the address that a receiver accepted or
 * rejected. Attempts and replies without a relay IP count for neither family.
 */
export class FamilySplit {
  private readonly analysers: Record<AddressFamily, LogAnalyser>;
  // Relay IPs repeat from attempt to attempt, so each is parsed once and looked up afterwards.
  private readonly families = new Map<string, AddressFamily | null>();

  constructor(
    explainer: ReplyExplainer,
    private readonly timeZone: TimeZone,
  ) {
    this.analysers = { ipv4: new LogAnalyser(explainer), ipv6: new LogAnalyser(explainer) };
  }

  /** Takes one event of the window and ignores all but delivery attempts and session replies. */
  handle(event: LogEvent): void {
    if (event.type !== "delivery" && event.type !== "session-reply") return;
    const family = this.familyOf(event.relayIp);
    if (family !== null) this.analysers[family].handle(event);
  }

  /**
   * Returns each family's provider verdicts, decided as the diagnosis decides them, and the
   * IPs of that family named in its replies.
   */
  finish(): Record<AddressFamily, ProviderEvidence> {
    return { ipv4: this.evidenceOf("ipv4"), ipv6: this.evidenceOf("ipv6") };
  }

  private familyOf(ip: string | null): AddressFamily | null {
    if (ip === null) return null;
    let family = this.families.get(ip);
    if (family === undefined) {
      family = addressFamilyOf(ip);
      if (this.families.size >= MAX_CACHED_IPS) this.families.clear();
      this.families.set(ip, family);
    }
    return family;
  }

  private evidenceOf(family: AddressFamily): ProviderEvidence {
    const facts = this.analysers[family].finish();
    const context = new DiagnoseContext(facts, this.timeZone);
    const providers: Partial<Record<ProviderKey, ProviderVerdict>> = {};
    for (const [provider, providerFacts] of facts.providers) {
      // The diagnosis gives no verdict to a provider whose attempts all ended as `other`.
      if (providerFacts.attempts > providerFacts.other || providerFacts.rules.size > 0) {
        providers[provider] = providerVerdict(providerFacts, context);
      }
    }
    // This family's attempts were sent from an address of this family, so a named IP of the other
    // family is dropped. That keeps the observations of the two families on different IPs.
    const judgedIps = judgedIpsOf(facts);
    for (const ip of judgedIps.keys()) {
      if (addressFamilyOf(ip) !== family) judgedIps.delete(ip);
    }
    return { providers, judgedIps };
  }
}
