import ipaddr from "ipaddr.js";
import { reverseName } from "../../dns/names.js";
import {
  isTemporaryFailure,
  isVoidFailure,
  type DnsResult,
  type RecordDataMap,
  type RecordType,
} from "../../dns/types.js";
import { expandMacros, truncateDomain } from "./macro.js";
import type { DomainSpec, Mechanism } from "./record.js";
import { SpfAbort, type EvaluationState, type SpfResult } from "./state.js";
import { macroValues, validatedNames } from "./values.js";

/** Runs a nested `check_host()`; supplied by the evaluator so `include` can recurse. */
export type CheckHost = (domain: string, state: EvaluationState) => Promise<SpfResult>;

/**
 * Decides whether one mechanism matches the client (RFC 7208, section 5). Throws SpfAbort for
 * temperror and permerror, which end the whole evaluation.
 */
export async function mechanismMatches(
  mechanism: Mechanism,
  state: EvaluationState,
  domain: string,
  checkHost: CheckHost,
): Promise<boolean> {
  switch (mechanism.kind) {
    case "all":
      return true;
    case "ip4":
    case "ip6":
      return inRange(state.ip, mechanism.network, mechanism.prefix);
    case "include":
      return matchInclude(mechanism.domain, state, domain, checkHost);
    case "a":
      countLookup(state, mechanism.kind);
      return matchAddresses(await targetOf(mechanism.domain, state, domain), state, mechanism);
    case "mx":
      countLookup(state, mechanism.kind);
      return matchMx(await targetOf(mechanism.domain, state, domain), state, mechanism);
    case "ptr":
      countLookup(state, mechanism.kind);
      return matchPtr(await targetOf(mechanism.domain, state, domain), state);
    case "exists":
      countLookup(state, mechanism.kind);
      return matchExists(await targetOf(mechanism.domain, state, domain), state);
  }
}

/** Counts one DNS-querying term and aborts past the limit (section 4.6.4). */
export function countLookup(state: EvaluationState, term: string): void {
  state.lookups++;
  if (state.lookups > state.limits.lookups) {
    throw new SpfAbort(
      "permerror",
      `more than ${state.limits.lookups} DNS lookups (the limit was passed at "${term}")`,
    );
  }
}

/** Expands a domain-spec, or returns the current domain when none is given. */
export async function targetOf(
  spec: DomainSpec | null,
  state: EvaluationState,
  domain: string,
): Promise<string> {
  if (spec === null) return domain;
  const expanded = await expandMacros(spec.parts, macroValues(state, domain, state.dns.now));
  return truncateDomain(expanded).replace(/\.$/, "");
}

/** Treats NXDOMAIN and NODATA as void (limit 2), and other failures as temperror. */
function recordsOrVoid<T extends RecordType>(
  state: EvaluationState,
  answer: DnsResult<T>,
  what: string,
): readonly RecordDataMap[T][] {
  if (answer.ok) return answer.records;
  if (isTemporaryFailure(answer.kind)) {
    throw new SpfAbort(
      "temperror",
      `DNS failed for ${answer.name} ${answer.type}: ${answer.detail}`,
    );
  }
  if (isVoidFailure(answer.kind)) {
    state.voidLookups++;
    if (state.voidLookups > state.limits.voidLookups) {
      throw new SpfAbort(
        "permerror",
        `more than ${state.limits.voidLookups} lookups returned no records (the last was ${what})`,
      );
    }
  }
  return [];
}

function inRange(
  ip: ipaddr.IPv4 | ipaddr.IPv6,
  network: ipaddr.IPv4 | ipaddr.IPv6,
  prefix: number,
): boolean {
  if (ip.kind() !== network.kind()) return false;
  return ip.match(network, prefix);
}

async function matchInclude(
  spec: DomainSpec,
  state: EvaluationState,
  domain: string,
  checkHost: CheckHost,
): Promise<boolean> {
  countLookup(state, "include");
  const target = await targetOf(spec, state, domain);
  const result = await checkHost(target, state);
  if (result === "pass") return true;
  if (result === "temperror")
    throw new SpfAbort("temperror", `include:${target} returned temperror`);
  if (result === "permerror" || result === "none") {
    throw new SpfAbort("permerror", `include:${target} returned ${result}`);
  }
  return false;
}

async function addressesOf(
  name: string,
  state: EvaluationState,
  count: boolean,
): Promise<readonly string[]> {
  const type = state.ip.kind() === "ipv4" ? "A" : "AAAA";
  const answer = await state.dns.lookup(name, type);
  if (!count && !answer.ok && isVoidFailure(answer.kind)) return [];
  if (!answer.ok && answer.kind === "invalid-name") return [];
  return recordsOrVoid(state, answer, `${type} ${name}`);
}

async function matchAddresses(
  name: string,
  state: EvaluationState,
  cidr: { cidr4: number; cidr6: number },
  count = true,
): Promise<boolean> {
  const prefix = state.ip.kind() === "ipv4" ? cidr.cidr4 : cidr.cidr6;
  for (const address of await addressesOf(name, state, count)) {
    if (ipaddr.isValid(address) && inRange(state.ip, ipaddr.parse(address), prefix)) return true;
  }
  return false;
}

async function matchMx(
  name: string,
  state: EvaluationState,
  cidr: { cidr4: number; cidr6: number },
): Promise<boolean> {
  const answer = await state.dns.lookup(name, "MX");
  if (!answer.ok && answer.kind === "invalid-name") return false;
  const hosts = recordsOrVoid(state, answer, `MX ${name}`).filter(
    (mx) => mx.exchange !== "" && mx.exchange !== ".",
  );
  if (hosts.length > state.limits.names) {
    throw new SpfAbort("permerror", `${name} has more than ${state.limits.names} MX hosts`);
  }
  for (const host of hosts) {
    if (await matchAddresses(host.exchange, state, cidr, false)) return true;
  }
  return false;
}

async function matchPtr(target: string, state: EvaluationState): Promise<boolean> {
  const ptr = await state.dns.lookup(reverseName(state.ip.toString()), "PTR");
  if (!ptr.ok) {
    if (isVoidFailure(ptr.kind)) recordsOrVoid(state, ptr, "PTR");
    return false;
  }
  const wanted = target.toLowerCase();
  const names = await validatedNames(state);
  return names.some((name) => {
    const lower = name.replace(/\.$/, "").toLowerCase();
    return lower === wanted || lower.endsWith(`.${wanted}`);
  });
}

async function matchExists(name: string, state: EvaluationState): Promise<boolean> {
  const answer = await state.dns.lookup(name, "A");
  if (!answer.ok && answer.kind === "invalid-name") return false;
  return recordsOrVoid(state, answer, `A ${name}`).length > 0;
}
