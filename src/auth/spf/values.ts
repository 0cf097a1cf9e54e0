import ipaddr from "ipaddr.js";
import type { DnsContext } from "../../dns/context.js";
import { reverseName } from "../../dns/names.js";
import type { MacroValues } from "./macro.js";
import type { EvaluationState } from "./state.js";

/** Returns the macro letter values for one `check_host()` call on `domain` (RFC 7208, 7.2). */
export function macroValues(
  state: EvaluationState,
  domain: string,
  clock: () => number,
): MacroValues {
  const ip = state.ip;
  return async (letter) => {
    switch (letter) {
      case "s":
        return `${state.senderLocal}@${state.senderDomain}`;
      case "l":
        return state.senderLocal;
      case "o":
        return state.senderDomain;
      case "d":
        return domain;
      case "i":
        return ip.kind() === "ipv4"
          ? ip.toString()
          : reverseName(ip.toString()).split(".").slice(0, 32).reverse().join(".");
      case "c":
        return ip.toString();
      case "v":
        return ip.kind() === "ipv4" ? "in-addr" : "ip6";
      case "h":
        return state.request.helo;
      case "r":
        return state.request.receiver ?? "unknown";
      case "t":
        return String(Math.floor(clock() / 1000));
      case "p":
        return (await validatedName(state, domain)) ?? "unknown";
      default:
        return "";
    }
  };
}

/**
 * Returns the client's validated host names: PTR names whose A or AAAA records contain the IP,
 * at most `limits.names` of them checked (RFC 7208, section 5.5). DNS errors skip a name.
 */
export async function validatedNames(state: EvaluationState): Promise<string[]> {
  const ptr = await state.dns.lookup(reverseName(state.ip.toString()), "PTR");
  if (!ptr.ok) return [];
  const names = ptr.records.slice(0, state.limits.names);
  const confirmed: string[] = [];
  for (const name of names) {
    if (await resolvesTo(state.dns, name, state.ip.toString(), state.ip.kind()))
      confirmed.push(name);
  }
  return confirmed;
}

async function resolvesTo(
  dns: DnsContext,
  name: string,
  ip: string,
  kind: string,
): Promise<boolean> {
  const answer = await dns.lookup(name, kind === "ipv4" ? "A" : "AAAA");
  if (!answer.ok) return false;
  return answer.records.some((address) => sameAddress(address, ip));
}

function sameAddress(a: string, b: string): boolean {
  if (!ipaddr.isValid(a) || !ipaddr.isValid(b)) return false;
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}

/** Picks `domain` itself, then a subdomain of it, then any validated name. */
async function validatedName(state: EvaluationState, domain: string): Promise<string | null> {
  const names = (await validatedNames(state)).map((name) => name.replace(/\.$/, "").toLowerCase());
  return (
    names.find((name) => name === domain) ??
    names.find((name) => name.endsWith(`.${domain}`)) ??
    names[0] ??
    null
  );
}
