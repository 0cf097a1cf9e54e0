import type { DnsContext } from "../dns/context.js";
import { isIpAddress } from "../dns/names.js";
import { isVoidFailure } from "../dns/types.js";
import type { SocketFamily } from "./source-address.js";

/** One host to try, with its MX priority and its addresses. */
export interface MailHost {
  readonly host: string;
  /** The MX priority, or null for an `--mx` override or an implicit MX. */
  readonly priority: number | null;
  readonly addresses: readonly string[];
  readonly port: number;
}

/** The hosts to try in order, or why there is none. */
export type MailHostPlan =
  | {
      readonly ok: true;
      readonly source: "dns" | "implicit" | "override";
      readonly hosts: MailHost[];
    }
  | { readonly ok: false; readonly reason: string };

/** The SMTP port that MX hosts listen on (RFC 5321, section 4.5.4.2). */
export const SMTP_PORT = 25;

// Probing more hosts than this only repeats the same result, because a provider's MX hosts share
// their policy, and each extra connection counts against the sender.
const MAX_HOSTS = 3;

/** Parses `HOST[:PORT]` or `[IPv6]:PORT` of `--mx`; throws a TypeError naming the value. */
export function parseMxOverride(value: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(value);
  const match = bracketed ?? (isIpAddress(value) ? [value, value] : plain);
  const port = Number(match?.[2] ?? SMTP_PORT);
  if (match?.[1] === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`invalid --mx "${value}": give HOST, HOST:PORT or [IPv6]:PORT`);
  }
  return { host: match[1], port };
}

/**
 * Finds the hosts to connect to for `domain`: its MX records by priority, or the domain itself
 * when it has none (the implicit MX of RFC 5321, section 5.1). A null MX (RFC 7505) means the
 * domain accepts no mail. `override` replaces the MX look-up. A host's addresses are those of
 * `family` (the family of the source address), else those of the other family. Without a
 * family, IPv4 comes first.
 */
export async function planMailHosts(
  domain: string,
  dns: DnsContext,
  override: { host: string; port: number } | null,
  family: SocketFamily | null = null,
): Promise<MailHostPlan> {
  if (override !== null) {
    const addresses = await addressesOf(override.host, dns, family);
    if (addresses.length === 0)
      return { ok: false, reason: `--mx ${override.host} has no address` };
    return { ok: true, source: "override", hosts: [{ ...override, priority: null, addresses }] };
  }
  const answer = await dns.lookup(domain, "MX");
  if (!answer.ok && !isVoidFailure(answer.kind)) {
    return { ok: false, reason: `the MX look-up of ${domain} failed: ${answer.detail}` };
  }
  if (!answer.ok) {
    const addresses = await addressesOf(domain, dns, family);
    if (addresses.length === 0) return { ok: false, reason: `${domain} has no MX and no address` };
    return {
      ok: true,
      source: "implicit",
      hosts: [{ host: domain, priority: null, addresses, port: SMTP_PORT }],
    };
  }
  const records = [...answer.records].sort((a, b) => a.priority - b.priority);
  if (records.every((record) => record.exchange === "" || record.exchange === ".")) {
    return { ok: false, reason: `${domain} publishes a null MX (RFC 7505): it accepts no mail` };
  }
  const hosts: MailHost[] = [];
  for (const record of records.slice(0, MAX_HOSTS)) {
    const addresses = await addressesOf(record.exchange, dns, family);
    hosts.push({ host: record.exchange, priority: record.priority, addresses, port: SMTP_PORT });
  }
  return { ok: true, source: "dns", hosts };
}

async function addressesOf(
  host: string,
  dns: DnsContext,
  family: SocketFamily | null,
): Promise<string[]> {
  if (isIpAddress(host)) return [host];
  const types = family === "IPv6" ? (["AAAA", "A"] as const) : (["A", "AAAA"] as const);
  for (const type of types) {
    const answer = await dns.lookup(host, type);
    if (answer.ok && answer.records.length > 0) return [...answer.records];
  }
  return [];
}
