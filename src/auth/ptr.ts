import ipaddr from "ipaddr.js";
import type { DnsContext } from "../dns/context.js";
import { parseIp, reverseName } from "../dns/names.js";
import { isVoidFailure, type DnsResult } from "../dns/types.js";
import { looksGeneric, ptrProblems, type CheckedIp } from "./ptr-problems.js";
import { isUnanswered, notChecked, notCheckedText, verdictOf, type CheckResult } from "./types.js";

/** Reverse DNS of one sending IP. */
export interface PtrResult {
  readonly ip: string;
  readonly reverseName: string;
  /** The PTR names of the IP. */
  readonly names: readonly string[];
  /** True when a PTR name resolves (A or AAAA) back to the IP. */
  readonly forwardConfirmed: boolean;
  readonly confirmedNames: readonly string[];
  /** Whether the HELO name is one of the confirmed names; null when no HELO was given. */
  readonly heloMatches: boolean | null;
  /** True when a PTR name looks assigned by an ISP (it contains the address, or "dynamic"). */
  readonly generic: boolean;
  /**
   * Null when the PTR query got a reply (NXDOMAIN and NODATA included). After a failed query,
   * the text for people, starting `not checked: `, and `names` is empty because it is unknown.
   */
  readonly error: string | null;
}

export type PtrCheck = CheckResult<{
  readonly helo: string | null;
  readonly ptr: readonly PtrResult[];
}>;

const MAX_PTR_NAMES = 10;

/**
 * Checks PTR and forward-confirmed reverse DNS of every sending IP, IPv4 and IPv6, and whether
 * the HELO name matches. Gmail requires both from every sender (its 4.7.23 and 5.7.25 replies).
 * `domains` are the checked sender domains; the fixes take their zones and the HELO name's as
 * the ones the admin can edit.
 */
export async function checkPtr(
  ips: readonly string[],
  helo: string | null,
  dns: DnsContext,
  domains: readonly string[] = [],
): Promise<PtrCheck> {
  const checked = await Promise.all(ips.map((ip) => checkOne(ip, helo, dns)));
  const results = checked.map((entry) => entry.result);
  const evidence = { helo, ptr: results };
  // Queries can time out, get SERVFAIL or REFUSED, or be skipped after a failure, so any mix
  // of those means that nothing is known about any IP. Names outside the zone files get a
  // problem below instead, because its fix names the files.
  const first = checked[0]?.failure;
  if (
    first !== undefined &&
    first !== null &&
    checked.every((entry) => entry.failure !== null && entry.failure.kind !== "not-in-zone")
  ) {
    return notChecked(evidence, notCheckedText(first));
  }
  const problems = checked.flatMap((entry) => ptrProblems(entry, helo, domains));
  // As for SPF includes, an IP whose PTR query got no usable answer leaves the check not
  // checked unless something else fails it.
  const unanswered = checked.some((entry) => entry.failure !== null);
  const verdict = verdictOf(problems);
  return {
    verdict: unanswered && verdict !== "fail" ? "not-checked" : verdict,
    explanation: explain(results),
    evidence,
    problems,
  };
}

function explain(results: readonly PtrResult[]): string {
  if (results.length === 0) return "No sending IP given; reverse DNS not checked (use --ip).";
  const failing = results.filter((r) => r.error === null && !r.forwardConfirmed).map((r) => r.ip);
  const unchecked = results.filter((r) => r.error !== null);
  const sentences = unchecked.map((r) => `${r.ip}: ${r.error ?? ""}.`);
  if (failing.length > 0) sentences.unshift(`No forward-confirmed PTR for ${failing.join(", ")}.`);
  if (sentences.length === 0) return "Every sending IP has a PTR name that resolves back to it.";
  return sentences.join(" ");
}

async function checkOne(ip: string, helo: string | null, dns: DnsContext): Promise<CheckedIp> {
  const address = parseIp(ip);
  const name = reverseName(ip);
  const base = {
    ip,
    reverseName: name,
    names: [],
    forwardConfirmed: false,
    confirmedNames: [],
    heloMatches: null,
    generic: false,
  };
  const answer = await dns.lookup(name, "PTR");
  if (!answer.ok) {
    const error = isVoidFailure(answer.kind) ? null : notCheckedText(answer);
    return {
      result: { ...base, error },
      failure: isUnanswered(answer) ? answer : null,
      forwardAddresses: new Map(),
    };
  }
  const names = answer.records.map((n) => n.replace(/\.$/, "").toLowerCase());
  const confirmed: string[] = [];
  const forwardAddresses = new Map<string, readonly string[] | null>();
  for (const host of names.slice(0, MAX_PTR_NAMES)) {
    const forward = await dns.lookup(host, address.kind() === "ipv4" ? "A" : "AAAA");
    if (forward.ok && forward.records.some((record) => sameIp(record, address)))
      confirmed.push(host);
    forwardAddresses.set(host, forwardRecords(forward));
  }
  const result = {
    ...base,
    names,
    forwardConfirmed: confirmed.length > 0,
    confirmedNames: confirmed,
    heloMatches: helo === null ? null : confirmed.includes(helo.toLowerCase().replace(/\.$/, "")),
    generic: names.some((host) => looksGeneric(host, address)),
    error: null,
  };
  return { result, failure: null, forwardAddresses };
}

/** Returns the addresses of a forward answer: none for NXDOMAIN or NODATA, null if unknown. */
function forwardRecords(answer: DnsResult<"A" | "AAAA">): readonly string[] | null {
  if (answer.ok) return answer.records;
  return isVoidFailure(answer.kind) ? [] : null;
}

function sameIp(text: string, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return (
    ipaddr.isValid(text) && parseIp(text).toNormalizedString() === address.toNormalizedString()
  );
}
